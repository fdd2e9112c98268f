import { OptionChecks } from '@onex/spi-types/support';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** The shared option checks, failing with `InvalidOptionError` (`HTTPX_INVALID_OPTION`). */
export const optionCheck = new OptionChecks((option, expectation, value) => new InvalidOptionError(option, `must be ${expectation}`, value));

/** A positive integer option, or its default. @throws InvalidOptionError */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  return optionCheck.integer(name, value, { min: 1, fallback });
}

/** A non-negative finite number option, or its default. @throws InvalidOptionError */
export function nonNegativeNumber(name: string, value: unknown, fallback: number): number {
  return optionCheck.number(name, value, { min: 0, fallback });
}

/** A positive finite number option, or its default. @throws InvalidOptionError */
export function positiveNumber(name: string, value: unknown, fallback: number): number {
  return optionCheck.number(name, value, { min: 0, minExclusive: true, fallback });
}

/** A value from a fixed list, or its default. @throws InvalidOptionError */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  return optionCheck.oneOf(name, value, allowed, fallback);
}

/** A boolean option, or its default. @throws InvalidOptionError */
export function bool(name: string, value: unknown, fallback: boolean): boolean {
  return optionCheck.boolean(name, value, fallback);
}

/** A function option, or its default. @throws InvalidOptionError */
export function fn<T extends (...args: never[]) => unknown>(name: string, value: unknown, fallback: T): T {
  return optionCheck.function(name, value, fallback);
}

/** A string-to-string header map. @throws InvalidOptionError */
export function headerMap(name: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(name, 'must be an object of header names to string values', value);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) throw new InvalidOptionError(`${name}`, 'must use valid header names', key);
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) {
      throw new InvalidOptionError(`${name}.${key}`, 'must be a string without CR, LF or NUL', v);
    }
    out[key.toLowerCase()] = v;
  }
  return out;
}
