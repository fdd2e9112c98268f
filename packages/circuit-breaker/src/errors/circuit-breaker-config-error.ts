import { OnexError, type OnexErrorOptions } from '@onex/spi-types';
import { optionMessage } from '@onex/spi-types/support';

/** A circuit configuration (or registry option) has a bad value; nothing was applied. */
export class CircuitBreakerConfigError extends OnexError<'CIRCUIT_INVALID_CONFIG'> {
  /** The option path, e.g. `failureThreshold` or `defaults.timeoutSeconds`. */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(option: string, expectation: string, value: unknown, options?: OnexErrorOptions) {
    super('CIRCUIT_INVALID_CONFIG', optionMessage(option, expectation, value), {
      ...options,
      details: { option, ...options?.details },
    });
    this.option = option;
    this.value = value;
  }
}

