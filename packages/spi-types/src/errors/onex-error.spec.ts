import {
  CircuitBreakerFailure,
  CircuitBreakerOpenError,
  OnexError,
  hasErrorCode,
  isCircuitBreakerFailure,
  isCircuitBreakerOpenError,
  isOnexError,
} from '../index.js';

describe(OnexError, () => {
  it('keeps code, message, cause and details', () => {
    const cause = new Error('socket hang up');
    const error = new OnexError('HTTP_NETWORK', 'request to http://x failed', { cause, details: { attempt: 2 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OnexError');
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.message).toBe('request to http://x failed');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ attempt: 2 });
    expect(error.toJSON()).toEqual({ name: 'OnexError', code: 'HTTP_NETWORK', message: 'request to http://x failed', details: { attempt: 2 } });
  });

  it('is recognised by code, also for a structurally identical error from another install', () => {
    const foreign = Object.assign(new Error('boom'), { code: 'KAFKA_CLOSED', details: {} });
    expect(isOnexError(foreign)).toBe(true);
    expect(hasErrorCode(foreign, 'KAFKA_CLOSED')).toBe(true);
    expect(hasErrorCode(foreign, 'KAFKA_TIMEOUT')).toBe(false);
    expect(isOnexError(new Error('plain'))).toBe(false);
    expect(isOnexError(Object.assign(new Error('node'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isOnexError(null)).toBe(false);
    expect(isOnexError('CIRCUIT_OPEN')).toBe(false);
  });
});

describe('circuit breaker errors', () => {
  it.each([
    ['CircuitBreakerFailure', 'CIRCUIT_FAILURE', new CircuitBreakerFailure('service unavailable'), 'service unavailable'],
    ['CircuitBreakerOpenError', 'CIRCUIT_OPEN', new CircuitBreakerOpenError('users', 1500.4), "circuit 'users' is open; next trial in 1500 ms"],
    ['CircuitBreakerOpenError', 'CIRCUIT_OPEN', new CircuitBreakerOpenError('users', 0, { forced: true }), "circuit 'users' is forced open; reset it to allow calls"],
  ] as const)('%s has code %s and a message that says what happened', (name, code, error, message) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('carries circuit name and retry delay in fields and details', () => {
    const error = new CircuitBreakerOpenError('payments', 250);
    expect(error.circuitName).toBe('payments');
    expect(error.retryAfterMs).toBe(250);
    expect(error.details).toMatchObject({ circuitName: 'payments', retryAfterMs: 250, forced: false });
    expect(isCircuitBreakerOpenError(error)).toBe(true);
    expect(isCircuitBreakerFailure(error)).toBe(false);
    expect(isCircuitBreakerFailure(new CircuitBreakerFailure('x'))).toBe(true);
  });
});
