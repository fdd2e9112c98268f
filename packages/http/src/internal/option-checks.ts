import { HttpValidationError } from '../errors/http-errors.js';
import { describe } from './retry-policy.js';

function invalid(option: string, expectation: string, value: unknown): HttpValidationError {
  return new HttpValidationError('HTTP_INVALID_OPTION', `\`${option}\` must be ${expectation}, got ${describe(value)}`, {
    details: { option, value },
  });
}

/** Seconds → ms, or undefined when absent; `allowZero` admits 0 (meaning "disabled"). */
export function secondsOption(option: string, value: unknown, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(option, allowZero ? 'a non-negative finite number of seconds' : 'a positive finite number of seconds', value);
  }
  return Math.round(value * 1000);
}

/** A positive safe integer, or undefined when absent. */
export function positiveIntegerOption(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw invalid(option, 'a positive integer', value);
  return value as number;
}

/** A boolean, or undefined when absent. */
export function booleanOption(option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(option, 'a boolean', value);
  return value;
}

/** A non-empty string, or undefined when absent. */
export function stringOption(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(option, 'a non-empty string', value);
  return value;
}

/** A function, or undefined when absent. */
export function functionOption<F>(option: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(option, 'a function', value);
  return value as F;
}

/** Fails with the standard message. */
export function optionError(option: string, expectation: string, value: unknown): HttpValidationError {
  return invalid(option, expectation, value);
}
