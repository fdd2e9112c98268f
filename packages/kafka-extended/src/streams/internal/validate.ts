import { OptionChecks } from '@onex/spi-types/support';
import { KafkaExtendedConfigError } from '../errors/kafka-extended-error.js';

/** The shared option checks, failing with `KafkaExtendedConfigError` (`KAFKAX_INVALID_CONFIG`). */
export const configCheck = new OptionChecks((option, expectation, value) => new KafkaExtendedConfigError(option, `must be ${expectation}`, value));

/** Returns `value` when it is a non-empty string, else throws a config error naming `option`. */
export function nonEmptyString(option: string, value: unknown): string {
  return configCheck.string(option, value);
}

/** Returns `value` (or `fallback` when undefined) when it is an integer in [min, max]. */
export function integerIn(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return configCheck.integer(option, value, { min, max, fallback });
}

/** Returns `value` (or `fallback`) when it is one of `allowed`. */
export function oneOf<T extends string>(option: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  return configCheck.oneOf(option, value, allowed, fallback);
}

/** Validates a `host:port` list. */
export function bootstrapServers(option: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new KafkaExtendedConfigError(option, 'must be a non-empty array of host:port strings', value);
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || !/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(entry)) {
      throw new KafkaExtendedConfigError(`${option}[${index}]`, 'must be a host:port string', entry);
    }
    const port = Number(entry.slice(entry.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) throw new KafkaExtendedConfigError(`${option}[${index}]`, 'must have a port between 1 and 65535', entry);
    return entry;
  });
}

/** Validates a Kafka topic name (legal characters, at most 249 of them, not `.` or `..`). */
export function topicName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new KafkaExtendedConfigError(option, 'must be a Kafka topic name (1-249 of [a-zA-Z0-9._-])', value);
  }
  return value;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
