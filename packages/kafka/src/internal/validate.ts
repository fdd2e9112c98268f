import { KafkaConfigError } from '../errors/kafka-errors.js';

/** Throws unless `value` is an integer in [min, max]; returns it or the default. */
export function intOption(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? min === 0
          ? 'a non-negative integer'
          : min === 1
            ? 'a positive integer'
            : `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;
    throw new KafkaConfigError(`\`${name}\` must be ${range}, got ${describe(value)}`, { details: { option: name, value } });
  }
  return value;
}

/** Throws unless `value` is one of `allowed`; returns it or the default. */
export function enumOption<T>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new KafkaConfigError(`\`${name}\` must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`, {
      details: { option: name, value },
    });
  }
  return value as T;
}

/** Throws unless `value` is a boolean; returns it or the default. */
export function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new KafkaConfigError(`\`${name}\` must be a boolean, got ${describe(value)}`, { details: { option: name, value } });
  }
  return value;
}

/** Throws unless `value` is a non-empty string; returns it or the default. */
export function stringOption(name: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KafkaConfigError(`\`${name}\` must be a non-empty string, got ${describe(value)}`, { details: { option: name, value } });
  }
  return value;
}

/** A short, printable rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value;
}
