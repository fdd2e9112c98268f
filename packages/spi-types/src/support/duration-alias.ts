import type { OptionErrorFactory } from './option-checks.js';

/** Which name a duration option was given under, and the value as given. */
export interface DurationOptionRead {
  /** The name the caller used (the `…Ms` name or its deprecated `…Seconds` alias), for error messages. */
  readonly option: string;
  /** The value as given, not yet checked. */
  readonly value: unknown;
  /** Milliseconds per unit of `value`: 1 under the `…Ms` name, 1000 under the `…Seconds` alias. */
  readonly msPerUnit: 1 | 1000;
}

/**
 * Reads a duration option that is named `…Ms` and still accepts its old `…Seconds` name as a deprecated
 * alias: the one that is given (undefined when neither is); both given is refused through `fail`, naming
 * both, since the caller's intent is ambiguous. The caller checks the value and multiplies by `msPerUnit`.
 * @throws the package's option error (from `fail`) when both names are given.
 */
export function readDurationOption(
  options: object,
  msName: string,
  secondsName: string,
  fail: OptionErrorFactory,
  prefix = '',
): DurationOptionRead | undefined {
  const record = options as Record<string, unknown>;
  const ms = record[msName];
  const seconds = record[secondsName];
  if (ms !== undefined && seconds !== undefined) {
    throw fail(`${prefix}${msName}`, `given alone, not together with its deprecated alias \`${prefix}${secondsName}\``, ms);
  }
  if (ms !== undefined) return { option: `${prefix}${msName}`, value: ms, msPerUnit: 1 };
  if (seconds !== undefined) return { option: `${prefix}${secondsName}`, value: seconds, msPerUnit: 1000 };
  return undefined;
}

