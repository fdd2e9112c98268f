import { describeValue } from '@onex/spi-types/support';
import { SchemaInvalidLevelError } from './errors/schema-registry-errors.js';

/** Every compatibility level, Confluent's names. */
export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

/** A compatibility level: who must be able to read whom, against the latest or all earlier versions. */
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** True when `value` is a {@link CompatibilityLevel}. */
export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/**
 * Returns `value` as a level (case-insensitive), naming `what` in the error otherwise.
 * @throws {SchemaInvalidLevelError} for anything else
 */
export function toCompatibilityLevel(value: unknown, what: string): CompatibilityLevel {
  const upper = typeof value === 'string' ? value.toUpperCase() : value;
  if (isCompatibilityLevel(upper)) return upper;
  throw new SchemaInvalidLevelError(
    `\`${what}\` must be one of ${COMPATIBILITY_LEVELS.join(', ')}, got ${describeValue(value)}`,
  );
}
