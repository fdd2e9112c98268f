import {
  CIRCUIT_BREAKER_ERROR_CODES,
  CircuitBreakerFailure,
  CircuitBreakerOpenError,
  OnexError,
  isOnexError,
  type ProtocolCircuitBreakerConfig,
} from '@onex/spi-types';
import { CircuitBreakerRegistry } from '../circuit-breaker-registry.js';
import { isCircuitBreakerRejection } from './is-circuit-breaker-rejection.js';
import { isCircuitBreakerTimeoutError } from './circuit-breaker-timeout-error.js';
import { isCircuitHalfOpenFullError } from './circuit-half-open-full-error.js';

const never = (): Promise<never> => new Promise(() => undefined);

/** Produces each error the package throws, the way a user meets it. */
async function produce(code: string): Promise<unknown> {
  const registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, timeoutSeconds: 10 } });
  const cause = new Error('connection refused');
  try {
    switch (code) {
      case 'CIRCUIT_OPEN':
        await registry.executeWithCircuitBreaker(() => Promise.reject(cause), 'users').catch(() => undefined);
        return await registry.executeWithCircuitBreaker(() => 1, 'users').catch((e: unknown) => e);
      case 'CIRCUIT_HALF_OPEN_FULL': {
        await registry.executeWithCircuitBreaker(() => Promise.reject(cause), 'users').catch(() => undefined);
        jest.advanceTimersByTime(10_000);
        void registry.executeWithCircuitBreaker(never, 'users');
        return await registry.executeWithCircuitBreaker(() => 1, 'users').catch((e: unknown) => e);
      }
      case 'CIRCUIT_TIMEOUT': {
        const call = registry.executeWithCircuitBreaker(never, 'users', { timeoutSeconds: 0.25 }).catch((e: unknown) => e);
        jest.advanceTimersByTime(250);
        return await call;
      }
      case 'CIRCUIT_FAILURE':
        return await registry
          .executeWithCircuitBreaker(() => Promise.reject(new CircuitBreakerFailure('Service unavailable', { cause })), 'users')
          .catch((e: unknown) => e);
      case 'CIRCUIT_INVALID_CONFIG':
        return await registry
          .configureCircuitBreaker('users', { retry: 3 } as unknown as ProtocolCircuitBreakerConfig)
          .catch((e: unknown) => e);
      case 'CIRCUIT_NOT_FOUND':
        return await registry.getCircuitMetrics('nobody').catch((e: unknown) => e);
      case 'CIRCUIT_INVALID_ARGUMENT':
        return await registry.executeWithCircuitBreaker(() => 1, '').catch((e: unknown) => e);
      case 'CIRCUIT_REGISTRY_CLOSED':
        await registry.close();
        return await registry.forceCircuitOpen('users').catch((e: unknown) => e);
      default:
        throw new Error(`no producer for ${code}`);
    }
  } finally {
    await registry.close();
  }
}

describe('circuit breaker errors', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const table = [
    ['CIRCUIT_OPEN', 'CircuitBreakerOpenError', "circuit 'users' is open; next trial in 10000 ms", undefined],
    ['CIRCUIT_HALF_OPEN_FULL', 'CircuitHalfOpenFullError', "circuit 'users' is half-open and already runs 1 trial call", undefined],
    ['CIRCUIT_TIMEOUT', 'CircuitBreakerTimeoutError', "call through circuit 'users' timed out after 250 ms", undefined],
    ['CIRCUIT_FAILURE', 'CircuitBreakerFailure', 'Service unavailable', 'connection refused'],
    [
      'CIRCUIT_INVALID_CONFIG',
      'CircuitBreakerConfigError',
      '`retry` must be one of the known options (failureThreshold, timeoutSeconds, successThreshold, callTimeoutSeconds, halfOpenMaxConcurrent, halfOpenTrialTimeoutSeconds, errorThresholdPercentage, rollingWindowSeconds, volumeThreshold, slowCallDurationSeconds, isFailure, isFailureResult), got "retry"',
      undefined,
    ],
    ['CIRCUIT_NOT_FOUND', 'CircuitNotFoundError', "circuit 'nobody' does not exist; run a call through it or configure it first", undefined],
    ['CIRCUIT_INVALID_ARGUMENT', 'CircuitBreakerArgumentError', '`circuitName` must be a non-empty string, got ""', undefined],
    ['CIRCUIT_REGISTRY_CLOSED', 'CircuitRegistryClosedError', 'forceCircuitOpen() called after the circuit breaker registry was closed', undefined],
  ] as const;

  it('covers every code of CIRCUIT_BREAKER_ERROR_CODES', () => {
    expect(table.map(([code]) => code).sort()).toEqual([...CIRCUIT_BREAKER_ERROR_CODES].sort());
  });

  it.each(table)('%s is thrown as %s with a message that says what happened', async (code, name, message, causeMessage) => {
    const error = await produce(code);
    expect(error).toBeInstanceOf(OnexError);
    expect(isOnexError(error)).toBe(true);
    expect(error).toMatchObject({ name, code, message });
    expect((error as Error).cause === undefined ? undefined : ((error as Error).cause as Error).message).toBe(causeMessage);
  });

  it('classifies rejections and timeouts with guards that check the code', async () => {
    const open = await produce('CIRCUIT_OPEN');
    const full = await produce('CIRCUIT_HALF_OPEN_FULL');
    const timeout = await produce('CIRCUIT_TIMEOUT');
    expect(open).toBeInstanceOf(CircuitBreakerOpenError);
    expect([isCircuitBreakerRejection(open), isCircuitBreakerRejection(full), isCircuitBreakerRejection(timeout)]).toEqual([true, true, false]);
    expect(isCircuitHalfOpenFullError(full)).toBe(true);
    expect(isCircuitBreakerTimeoutError(timeout)).toBe(true);
    expect(isCircuitBreakerTimeoutError(Object.assign(new Error('x'), { code: 'CIRCUIT_TIMEOUT', details: {} }))).toBe(true);
  });
});
