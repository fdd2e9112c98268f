import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';

/** A call ran longer than its per-call timeout; its AbortSignal was aborted with this error and it counted as a failure. */
export class CircuitBreakerTimeoutError extends OnexError<'CIRCUIT_TIMEOUT'> {
  /** The circuit the call ran through. */
  readonly circuitName: string;
  /** The timeout that elapsed, in ms. */
  readonly timeoutMs: number;

  constructor(circuitName: string, timeoutMs: number, options?: OnexErrorOptions) {
    super('CIRCUIT_TIMEOUT', `call through circuit '${circuitName}' timed out after ${timeoutMs} ms`, {
      ...options,
      details: { circuitName, timeoutMs, ...options?.details },
    });
    this.circuitName = circuitName;
    this.timeoutMs = timeoutMs;
  }
}

/** True for a {@link CircuitBreakerTimeoutError} (by code). */
export function isCircuitBreakerTimeoutError(error: unknown): error is CircuitBreakerTimeoutError {
  return hasErrorCode(error, 'CIRCUIT_TIMEOUT');
}
