import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';

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

/** Renders a bad value for an error message without dumping huge or secret data. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** True for an {@link InvalidOptionError} (by code). */
export function isInvalidOptionError(error: unknown): error is InvalidOptionError {
  return hasErrorCode(error, 'HTTPX_INVALID_OPTION');
}
