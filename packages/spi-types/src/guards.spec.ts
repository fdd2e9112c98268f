import {
  PROTOCOL_CIRCUIT_BREAKER_METHODS,
  PROTOCOL_COMMUNICATION_BRIDGE_METHODS,
  PROTOCOL_HTTP_CLIENT_METHODS,
  PROTOCOL_HTTP_EXTENDED_METHODS,
  PROTOCOL_KAFKA_CLIENT_METHODS,
  PROTOCOL_KAFKA_EXTENDED_METHODS,
  PROTOCOL_WEBSOCKET_CONNECTION_METHODS,
  isProtocolCircuitBreaker,
  isProtocolCommunicationBridge,
  isProtocolHttpClient,
  isProtocolHttpExtended,
  isProtocolKafkaClient,
  isProtocolKafkaExtended,
  isProtocolWebSocketConnection,
} from './index.js';

function withMethods(methods: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(methods.map((m) => [m, async () => undefined]));
}

const cases = [
  ['isProtocolHttpClient', isProtocolHttpClient, PROTOCOL_HTTP_CLIENT_METHODS],
  ['isProtocolHttpExtended', isProtocolHttpExtended, PROTOCOL_HTTP_EXTENDED_METHODS],
  ['isProtocolKafkaClient', isProtocolKafkaClient, PROTOCOL_KAFKA_CLIENT_METHODS],
  ['isProtocolKafkaExtended', isProtocolKafkaExtended, PROTOCOL_KAFKA_EXTENDED_METHODS],
  ['isProtocolCircuitBreaker', isProtocolCircuitBreaker, PROTOCOL_CIRCUIT_BREAKER_METHODS],
  ['isProtocolCommunicationBridge', isProtocolCommunicationBridge, PROTOCOL_COMMUNICATION_BRIDGE_METHODS],
] as const;

describe('protocol guards', () => {
  it.each(cases)('%s accepts an object with every method', (_name, guard, methods) => {
    expect(guard(withMethods(methods))).toBe(true);
  });

  it.each(cases)('%s accepts a class instance whose methods live on the prototype', (_name, guard, methods) => {
    class Impl {}
    for (const m of methods) (Impl.prototype as unknown as Record<string, unknown>)[m] = () => undefined;
    expect(guard(new Impl())).toBe(true);
  });

  it.each(cases)('%s rejects an object missing any one method', (_name, guard, methods) => {
    for (const missing of methods) {
      const value = withMethods(methods);
      delete value[missing];
      expect(guard(value)).toBe(false);
      expect(guard({ ...withMethods(methods), [missing]: 'not a function' })).toBe(false);
    }
  });

  it.each(cases)('%s rejects null, primitives and arrays', (_name, guard) => {
    for (const value of [null, undefined, 0, 'x', true, [], Symbol('s')]) expect(guard(value)).toBe(false);
  });

  it('isProtocolWebSocketConnection also requires async iteration', () => {
    const conn = withMethods(PROTOCOL_WEBSOCKET_CONNECTION_METHODS);
    expect(isProtocolWebSocketConnection(conn)).toBe(false);
    expect(isProtocolWebSocketConnection({ ...conn, [Symbol.asyncIterator]: async function* () { yield 'message'; } })).toBe(true);
  });
});
