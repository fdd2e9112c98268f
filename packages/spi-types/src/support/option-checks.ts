import { describeValue } from './describe-value.js';

/** Builds a package's own typed error for a bad option; `expectation` reads "a positive integer", "one of 'a', 'b'". */
export type OptionErrorFactory = (option: string, expectation: string, value: unknown) => Error;

/** Bounds of a number option; `expectation` replaces the generated wording. */
export interface NumberRule<F extends number | undefined = number | undefined> {
  /** Smallest value allowed. @default -Infinity */
  readonly min?: number;
  /** Whether `min` itself is refused (a positive number: `{ min: 0, minExclusive: true }`). @default false */
  readonly minExclusive?: boolean;
  /** Largest value allowed. @default Number.MAX_SAFE_INTEGER for integers, Infinity for numbers */
  readonly max?: number;
  /** Returned when the value is `undefined`; without it `undefined` is refused. */
  readonly fallback?: F;
  /** The expectation in the message, when the generated one does not say enough (e.g. a unit). */
  readonly expectation?: string;
}

/** The one message shape of a bad option: "`<option>` must be <expectation>, got <value>". */
export function optionMessage(option: string, expectation: string, value: unknown): string {
  return `\`${option}\` must be ${expectation}, got ${describeValue(value)}`;
}

/**
 * Option checks that throw the error a package's `fail` factory builds, so each package keeps its own error
 * class and stable code while every package words the same mistake the same way (see {@link optionMessage}).
 * Each check returns the value it accepted, or the given fallback when the value is `undefined`.
 */
export class OptionChecks {
  readonly #fail: OptionErrorFactory;

  constructor(fail: OptionErrorFactory) {
    this.#fail = fail;
  }

  /** The package's error for `option`, to throw from a check this class has no method for. */
  fail(option: string, expectation: string, value: unknown): Error {
    return this.#fail(option, expectation, value);
  }

  /** An integer within the rule's bounds (a safe one unless `max` is set beyond 2^53 − 1). @throws the package's option error */
  integer(option: string, value: unknown, rule: NumberRule = {}): number {
    if (value === undefined && rule.fallback !== undefined) return rule.fallback;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, minExclusive = false } = rule;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (minExclusive && value === min) || value > max) {
      throw this.#fail(option, rule.expectation ?? integerExpectation(minExclusive ? min + 1 : min, max), value);
    }
    return value;
  }

  /** A finite number within the rule's bounds. @throws the package's option error */
  number(option: string, value: unknown, rule: NumberRule = {}): number {
    if (value === undefined && rule.fallback !== undefined) return rule.fallback;
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, minExclusive = false } = rule;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (minExclusive && value === min) || value > max) {
      throw this.#fail(option, rule.expectation ?? numberExpectation(min, minExclusive, max), value);
    }
    return value;
  }

  /** A boolean. @throws the package's option error */
  boolean(option: string, value: unknown, fallback?: boolean): boolean {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') throw this.#fail(option, 'a boolean', value);
    return value;
  }

  /** A string with at least one non-blank character. @throws the package's option error */
  string(option: string, value: unknown, fallback?: string): string {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '') throw this.#fail(option, 'a non-empty string', value);
    return value;
  }

  /** One of the `allowed` values. @throws the package's option error */
  oneOf<T>(option: string, value: unknown, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (!allowed.includes(value as T)) throw this.#fail(option, `one of ${allowed.map((a) => describeValue(a)).join(', ')}`, value);
    return value as T;
  }

  /** A function. @throws the package's option error */
  function<F>(option: string, value: unknown, fallback?: F): F {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'function') throw this.#fail(option, 'a function', value);
    return value as F;
  }
}

function integerExpectation(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return min > Number.MIN_SAFE_INTEGER ? `an integer from ${min} to ${max}` : `an integer <= ${max}`;
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  return min > Number.MIN_SAFE_INTEGER ? `an integer >= ${min}` : 'an integer';
}

function numberExpectation(min: number, minExclusive: boolean, max: number): string {
  const low = min === Number.NEGATIVE_INFINITY ? undefined : `${minExclusive ? '>' : '>='} ${min}`;
  if (max !== Number.POSITIVE_INFINITY) return low === undefined ? `a number <= ${max}` : `a number ${low} and <= ${max}`;
  if (min === 0) return minExclusive ? 'a positive number' : 'a non-negative number';
  return low === undefined ? 'a finite number' : `a number ${low}`;
}
