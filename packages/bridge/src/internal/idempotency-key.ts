
import { describeValue } from '@onex/spi-types/support';
/** Longest idempotency key the bridge accepts from a caller or client. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 1024;

// Visible ASCII with inner spaces: it travels as an HTTP header value, which is trimmed.
const KEY = new RegExp(`^[\\x21-\\x7e](?:[\\x20-\\x7e]{0,${MAX_IDEMPOTENCY_KEY_LENGTH - 2}}[\\x21-\\x7e])?$`);

/**
 * Why `value` cannot be an idempotency key, as the end of an error message ("must be …, got …"), or
 * undefined when it can.
 */
export function idempotencyKeyProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && KEY.test(value)) return undefined;
  const got = typeof value === 'string' && value.length > MAX_IDEMPOTENCY_KEY_LENGTH ? `${value.length} characters` : describeValue(value);
  return `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, got ${got}`;
}

/**
 * The idempotency key of a Kafka record read by a consumer group: `kafka/<group>/<topic>/<partition>/<offset>`
 * (the group percent-encoded), the same every time the group reads that record.
 */
export function kafkaIdempotencyKey(groupId: string, topic: string, partition: number, offset: number): string {
  return `kafka/${encodeURIComponent(groupId)}/${topic}/${partition}/${offset}`;
}
