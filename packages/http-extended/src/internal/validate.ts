import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** A positive integer option, or its default. @throws InvalidOptionError */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, 'must be a positive integer', value);
  }
  return value;
}

/** A non-negative finite number option, or its default. @throws InvalidOptionError */
export function nonNegativeNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(name, 'must be a non-negative number', value);
  }
  return value;
}

/** A positive finite number option, or its default. @throws InvalidOptionError */
export function positiveNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, 'must be a positive number', value);
  }
  return value;
}

/** A value from a fixed list, or its default. @throws InvalidOptionError */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** A boolean option, or its default. @throws InvalidOptionError */
export function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, 'must be a boolean', value);
  return value;
}

/** A function option, or its default. @throws InvalidOptionError */
export function fn<T extends (...args: never[]) => unknown>(name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new InvalidOptionError(name, 'must be a function', value);
  return value as T;
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
