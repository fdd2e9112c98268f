import { KafkaExtendedConfigError } from '../errors/kafka-extended-error.js';

/** Returns `value` when it is a non-empty string, else throws a config error naming `option`. */
export function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new KafkaExtendedConfigError(option, 'must be a non-empty string', value);
  return value;
}

/** Returns `value` (or `fallback` when undefined) when it is an integer in [min, max]. */
export function integerIn(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'a non-negative integer' : `an integer >= ${min}`) : `an integer between ${min} and ${max}`;
    throw new KafkaExtendedConfigError(option, `must be ${range}`, value);
  }
  return value;
}

/** Returns `value` (or `fallback`) when it is one of `allowed`. */
export function oneOf<T extends string>(option: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new KafkaExtendedConfigError(option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
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
