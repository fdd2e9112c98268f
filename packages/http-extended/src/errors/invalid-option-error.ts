import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';
import { describeValue } from '@onex/spi-types/support';

/** Thrown when an option or argument is invalid; the message names the option and the bad value. */
export class InvalidOptionError extends OnexError<'HTTPX_INVALID_OPTION'> {
  /** Name of the offending option (`jwt.clockToleranceSeconds`). */
  readonly option: string;

  constructor(option: string, expectation: string, value: unknown, options?: OnexErrorOptions) {
    super('HTTPX_INVALID_OPTION', `\`${option}\` ${expectation}, got ${describeValue(value)}`, {
      ...options,
      details: { option, ...options?.details },
    });
    this.option = option;
  }
}

/** True for an {@link InvalidOptionError} (by code). */
export function isInvalidOptionError(error: unknown): error is InvalidOptionError {
  return hasErrorCode(error, 'HTTPX_INVALID_OPTION');
}
