import { OnexError, type OnexErrorOptions } from '@onex/spi-types';
import { optionMessage } from '@onex/spi-types/support';

/** A method argument (circuit name, operation, call option) has a bad value; nothing was run. */
export class CircuitBreakerArgumentError extends OnexError<'CIRCUIT_INVALID_ARGUMENT'> {
  /** The argument name, e.g. `circuitName` or `options.timeoutSeconds`. */
  readonly argument: string;

  constructor(argument: string, expectation: string, value: unknown, options?: OnexErrorOptions) {
    super('CIRCUIT_INVALID_ARGUMENT', optionMessage(argument, expectation, value), {
      ...options,
      details: { argument, ...options?.details },
    });
    this.argument = argument;
  }
}
