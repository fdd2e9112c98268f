import { OptionChecks, optionMessage } from '@onex/spi-types/support';
import { KafkaConfigError } from '../errors/kafka-errors.js';

/** The shared option checks, failing with `KafkaConfigError` (`KAFKA_INVALID_CONFIG`) naming the option and value. */
export const configCheck = new OptionChecks(
  (option, expectation, value) => new KafkaConfigError(optionMessage(option, expectation, value), { details: { option, value } }),
);

/** Throws unless `value` is an integer in [min, max]; returns it or the default. */
export function intOption(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return configCheck.integer(name, value, { min, max, fallback });
}

/** Throws unless `value` is one of `allowed`; returns it or the default. */
export function enumOption<T>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  return configCheck.oneOf(name, value, allowed, fallback);
}

/** Throws unless `value` is a boolean; returns it or the default. */
export function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  return configCheck.boolean(name, value, fallback);
}

/** Throws unless `value` is a non-empty string; returns it or the default. */
export function stringOption(name: string, value: unknown, fallback?: string): string {
  return configCheck.string(name, value, fallback);
}
