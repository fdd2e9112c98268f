import { OptionChecks, optionMessage } from '@onex/spi-types/support';
import { HttpValidationError } from '../errors/http-errors.js';

/** The shared option checks, failing with `HttpValidationError` (`HTTP_INVALID_OPTION`) naming the option and value. */
export const check = new OptionChecks(
  (option, expectation, value) => new HttpValidationError('HTTP_INVALID_OPTION', optionMessage(option, expectation, value), { details: { option, value } }),
);

/** Seconds → ms, or undefined when absent; `allowZero` admits 0 (meaning "disabled"). */
export function secondsOption(option: string, value: unknown, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  const expectation = allowZero ? 'a non-negative finite number of seconds' : 'a positive finite number of seconds';
  return Math.round(check.number(option, value, { min: 0, minExclusive: !allowZero, expectation }) * 1000);
}

/** A positive safe integer, or undefined when absent. */
export function positiveIntegerOption(option: string, value: unknown): number | undefined {
  return value === undefined ? undefined : check.integer(option, value, { min: 1 });
}

/** A boolean, or undefined when absent. */
export function booleanOption(option: string, value: unknown): boolean | undefined {
  return value === undefined ? undefined : check.boolean(option, value);
}

/** A non-empty string (spaces allowed), or undefined when absent. */
export function stringOption(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw check.fail(option, 'a non-empty string', value);
  return value;
}

/** A function, or undefined when absent. */
export function functionOption<F>(option: string, value: unknown): F | undefined {
  return value === undefined ? undefined : check.function<F>(option, value);
}

/** Fails with the standard message. */
export function optionError(option: string, expectation: string, value: unknown): HttpValidationError {
  return check.fail(option, expectation, value) as HttpValidationError;
}
