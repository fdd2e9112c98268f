import { OnexError, hasErrorCode, type OnexErrorOptions } from './onex-error.js';

/**
 * Thrown by an operation to say "count this as a failure" regardless of the circuit's `isFailure`
 * predicate (the seed's `CircuitBreakerFailure`).
 */
export class CircuitBreakerFailure extends OnexError<'CIRCUIT_FAILURE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('CIRCUIT_FAILURE', message, options);
  }
}

/** Thrown without calling the operation while a circuit is open (the seed's `CircuitBreakerOpenError`). */
export class CircuitBreakerOpenError extends OnexError<'CIRCUIT_OPEN'> {
  /** The circuit that rejected the call. */
  readonly circuitName: string;
  /** Milliseconds until the circuit may try a call again (0 when forced open: only a reset helps). */
  readonly retryAfterMs: number;

  constructor(circuitName: string, retryAfterMs: number, options?: OnexErrorOptions & { forced?: boolean }) {
    super(
      'CIRCUIT_OPEN',
      options?.forced
        ? `circuit '${circuitName}' is forced open; reset it to allow calls`
        : `circuit '${circuitName}' is open; next trial in ${Math.max(0, Math.round(retryAfterMs))} ms`,
      { ...options, details: { circuitName, retryAfterMs, forced: options?.forced ?? false, ...options?.details } },
    );
    this.circuitName = circuitName;
    this.retryAfterMs = retryAfterMs;
  }
}

/** True for a {@link CircuitBreakerFailure} (by code). */
export function isCircuitBreakerFailure(error: unknown): error is CircuitBreakerFailure {
  return hasErrorCode(error, 'CIRCUIT_FAILURE');
}

/** True for a {@link CircuitBreakerOpenError} (by code). */
export function isCircuitBreakerOpenError(error: unknown): error is CircuitBreakerOpenError {
  return hasErrorCode(error, 'CIRCUIT_OPEN');
}
