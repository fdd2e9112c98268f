// Reads a topic from the beginning through @onex/kafka's pull consumer until enough messages came.
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '@onex/kafka';
import type { ProtocolKafkaMessage } from '@onex/spi-types';

/** Options of {@link readTopic}. */
export interface ReadTopicOptions {
  /** Stop once this many messages were read. */
  readonly count: number;
  /** Give up after this long, returning what was read. @default 30000 */
  readonly timeoutMs?: number;
  /** After reaching `count`, keep polling this long to catch extra (duplicate) messages. @default 0 */
  readonly settleMs?: number;
  /** @default 'read_committed' */
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
}

/** Reads `topics` with a fresh consumer group from the earliest offset. */
export async function readTopic(
  client: KafkaClient,
  brokers: readonly string[],
  topics: readonly string[],
  options: ReadTopicOptions,
): Promise<ProtocolKafkaMessage[]> {
  const consumerId = await client.createConsumer({
    bootstrapServers: brokers,
    groupId: `e2e-reader-${randomUUID()}`,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    isolationLevel: options.isolationLevel ?? 'read_committed',
    fetchMaxWaitMs: 100,
  });
  const messages: ProtocolKafkaMessage[] = [];
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (messages.length < options.count && Date.now() < deadline) {
      messages.push(...(await client.consumeMessages(consumerId, topics, Math.min(1_000, Math.max(1, deadline - Date.now())))));
    }
    const settleUntil = Date.now() + (options.settleMs ?? 0);
    while (Date.now() < settleUntil) {
      messages.push(...(await client.consumeMessages(consumerId, topics, Math.max(1, settleUntil - Date.now()))));
    }
  } finally {
    await client.closeConsumer(consumerId);
  }
  return messages;
}

/** Decodes a message value as UTF-8 JSON. */
export function jsonValue<T = Record<string, unknown>>(message: ProtocolKafkaMessage): T {
  if (message.value === null) throw new Error(`tombstone at ${message.topic}/${message.partition}/${message.offset}`);
  return JSON.parse(Buffer.from(message.value).toString('utf8')) as T;
}
