import { OnexError, type OnexErrorOptions } from '@onex/spi-types';

/** The registry was closed with `close()`; it accepts no more calls or configuration. */
export class CircuitRegistryClosedError extends OnexError<'CIRCUIT_REGISTRY_CLOSED'> {
  constructor(method: string, options?: OnexErrorOptions) {
    super('CIRCUIT_REGISTRY_CLOSED', `${method}() called after the circuit breaker registry was closed`, {
      ...options,
      details: { method, ...options?.details },
    });
  }
}
