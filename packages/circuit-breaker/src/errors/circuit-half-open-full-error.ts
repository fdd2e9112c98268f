import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';

/** Thrown without calling the operation when a half-open circuit already runs its maximum of trial calls. */
export class CircuitHalfOpenFullError extends OnexError<'CIRCUIT_HALF_OPEN_FULL'> {
  /** The circuit that rejected the call. */
  readonly circuitName: string;
  /** Trial calls allowed at once (`halfOpenMaxConcurrent`). */
  readonly maxConcurrent: number;

  constructor(circuitName: string, maxConcurrent: number, options?: OnexErrorOptions) {
    super(
      'CIRCUIT_HALF_OPEN_FULL',
      `circuit '${circuitName}' is half-open and already runs ${maxConcurrent} trial call${maxConcurrent === 1 ? '' : 's'}`,
      { ...options, details: { circuitName, maxConcurrent, ...options?.details } },
    );
    this.circuitName = circuitName;
    this.maxConcurrent = maxConcurrent;
  }
}

/** True for a {@link CircuitHalfOpenFullError} (by code). */
export function isCircuitHalfOpenFullError(error: unknown): error is CircuitHalfOpenFullError {
  return hasErrorCode(error, 'CIRCUIT_HALF_OPEN_FULL');
}
