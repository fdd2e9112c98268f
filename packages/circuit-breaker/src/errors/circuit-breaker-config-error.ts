import { OnexError, type OnexErrorOptions } from '@onex/spi-types';

/** A circuit configuration (or registry option) has a bad value; nothing was applied. */
export class CircuitBreakerConfigError extends OnexError<'CIRCUIT_INVALID_CONFIG'> {
  /** The option path, e.g. `failureThreshold` or `defaults.timeoutSeconds`. */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(option: string, expectation: string, value: unknown, options?: OnexErrorOptions) {
    super('CIRCUIT_INVALID_CONFIG', `\`${option}\` must be ${expectation}, got ${describeValue(value)}`, {
      ...options,
      details: { option, ...options?.details },
    });
    this.option = option;
    this.value = value;
  }
}

/** Renders a bad value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return `an ${typeof value}`;
}
