import { OnexError, type OnexErrorOptions } from '@onex/spi-types';

/** A read (`getCircuitState`, `getCircuitMetrics`) named a circuit that was never created or was removed. */
export class CircuitNotFoundError extends OnexError<'CIRCUIT_NOT_FOUND'> {
  /** The unknown circuit name. */
  readonly circuitName: string;

  constructor(circuitName: string, options?: OnexErrorOptions) {
    super('CIRCUIT_NOT_FOUND', `circuit '${circuitName}' does not exist; run a call through it or configure it first`, {
      ...options,
      details: { circuitName, ...options?.details },
    });
    this.circuitName = circuitName;
  }
}
