import type { ProtocolCommunicationBridge } from './bridge.js';
import type { ProtocolCircuitBreaker } from './circuit-breaker.js';
import type { ProtocolHttpExtended, ProtocolWebSocketConnection } from './http-extended.js';
import type { ProtocolHttpClient } from './http.js';
import type { ProtocolKafkaExtended } from './kafka-extended.js';
import type { ProtocolKafkaClient } from './kafka.js';

/** Method names of {@link ProtocolHttpClient}. */
export const PROTOCOL_HTTP_CLIENT_METHODS = [
  'get', 'post', 'put', 'delete', 'patch', 'request', 'getClientMetrics', 'configureRetryPolicy', 'configureCircuitBreaker',
] as const satisfies readonly (keyof ProtocolHttpClient)[];

/** Method names of {@link ProtocolHttpExtended}. */
export const PROTOCOL_HTTP_EXTENDED_METHODS = [
  'streamRequest', 'websocketConnect', 'authenticateOauth2', 'authenticateJwt', 'compressRequest', 'decompressResponse',
  'getConnectionPoolStats',
] as const satisfies readonly (keyof ProtocolHttpExtended)[];

/** Method names of {@link ProtocolWebSocketConnection}. */
export const PROTOCOL_WEBSOCKET_CONNECTION_METHODS = [
  'send', 'receive', 'close', 'ping', 'on', 'off',
] as const satisfies readonly (keyof ProtocolWebSocketConnection)[];

/** Method names of {@link ProtocolKafkaClient}. */
export const PROTOCOL_KAFKA_CLIENT_METHODS = [
  'createProducer', 'createConsumer', 'produceMessage', 'consumeMessages', 'commitOffsets', 'getConsumerGroupInfo',
  'createTopic', 'deleteTopic', 'getTopicMetadata', 'getKafkaMetrics',
] as const satisfies readonly (keyof ProtocolKafkaClient)[];

/** Method names of {@link ProtocolKafkaExtended}. */
export const PROTOCOL_KAFKA_EXTENDED_METHODS = [
  'createStreamProcessor', 'processKafkaStream', 'registerSchema', 'getSchema', 'checkSchemaCompatibility',
  'optimizeKafkaPerformance', 'getKafkaDiagnostics', 'configureKafkaSecurity',
] as const satisfies readonly (keyof ProtocolKafkaExtended)[];

/** Method names of {@link ProtocolCircuitBreaker}. */
export const PROTOCOL_CIRCUIT_BREAKER_METHODS = [
  'executeWithCircuitBreaker', 'getCircuitState', 'configureCircuitBreaker', 'resetCircuitBreaker', 'getCircuitMetrics',
  'getAllCircuitStates', 'forceCircuitOpen', 'forceCircuitClosed',
] as const satisfies readonly (keyof ProtocolCircuitBreaker)[];

/** Method names of {@link ProtocolCommunicationBridge}. */
export const PROTOCOL_COMMUNICATION_BRIDGE_METHODS = [
  'createBridge', 'destroyBridge', 'sendMessageThroughBridge', 'getBridgeStatus', 'getBridgeMetrics',
  'configureBridgeRouting', 'getAllBridges', 'monitorBridgeHealth',
] as const satisfies readonly (keyof ProtocolCommunicationBridge)[];

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const record = value as Record<string, unknown>;
  for (const method of methods) {
    if (typeof record[method] !== 'function') return false;
  }
  return true;
}

/** True when `value` has every method of {@link ProtocolHttpClient} (the seed's `@runtime_checkable`). */
export function isProtocolHttpClient(value: unknown): value is ProtocolHttpClient {
  return hasMethods(value, PROTOCOL_HTTP_CLIENT_METHODS);
}

/** True when `value` has every method of {@link ProtocolHttpExtended}. */
export function isProtocolHttpExtended(value: unknown): value is ProtocolHttpExtended {
  return hasMethods(value, PROTOCOL_HTTP_EXTENDED_METHODS);
}

/** True when `value` has every method of {@link ProtocolWebSocketConnection}. */
export function isProtocolWebSocketConnection(value: unknown): value is ProtocolWebSocketConnection {
  return (
    hasMethods(value, PROTOCOL_WEBSOCKET_CONNECTION_METHODS) &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/** True when `value` has every method of {@link ProtocolKafkaClient}. */
export function isProtocolKafkaClient(value: unknown): value is ProtocolKafkaClient {
  return hasMethods(value, PROTOCOL_KAFKA_CLIENT_METHODS);
}

/** True when `value` has every method of {@link ProtocolKafkaExtended}. */
export function isProtocolKafkaExtended(value: unknown): value is ProtocolKafkaExtended {
  return hasMethods(value, PROTOCOL_KAFKA_EXTENDED_METHODS);
}

/** True when `value` has every method of {@link ProtocolCircuitBreaker}. */
export function isProtocolCircuitBreaker(value: unknown): value is ProtocolCircuitBreaker {
  return hasMethods(value, PROTOCOL_CIRCUIT_BREAKER_METHODS);
}

/** True when `value` has every method of {@link ProtocolCommunicationBridge}. */
export function isProtocolCommunicationBridge(value: unknown): value is ProtocolCommunicationBridge {
  return hasMethods(value, PROTOCOL_COMMUNICATION_BRIDGE_METHODS);
}
