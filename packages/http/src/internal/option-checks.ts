import { OptionChecks, optionMessage, readDurationOption } from '@onex/spi-types/support';
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

/**
 * A duration named `…Ms` that still accepts its deprecated `…Seconds` alias, in ms (a seconds value × 1000,
 * not rounded), or undefined when neither is given; `allowZero` admits 0 (meaning "disabled"), `maxMs` caps it.
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`) naming the name used, or both names when both are given.
 */
export function durationOption(
  options: object,
  msName: string,
  secondsName: string,
  rule: { readonly allowZero: boolean; readonly maxMs?: number; readonly prefix?: string },
): number | undefined {
  const read = readDurationOption(options, msName, secondsName, (option, expectation, value) => check.fail(option, expectation, value), rule.prefix);
  if (read === undefined) return undefined;
  const unit = read.msPerUnit === 1 ? 'milliseconds' : 'seconds';
  const max = rule.maxMs === undefined ? undefined : rule.maxMs / read.msPerUnit;
  const expectation = `a ${rule.allowZero ? 'non-negative' : 'positive'} finite number of ${unit}${max === undefined ? '' : ` at most ${max}`}`;
  return check.number(read.option, read.value, { min: 0, minExclusive: !rule.allowZero, max, expectation }) * read.msPerUnit;
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
