// Reads whole partitions back with a fresh group, up to the latest offsets the cluster reports.
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '@onex/kafka';

/** One record as stored: its value as text, by partition and offset. */
export type PartitionLog = Map<number, Map<number, string>>;

/** Reads every partition of `topic` from the earliest offset to its latest offset now. */
export async function readLog(client: KafkaClient, brokers: readonly string[], topic: string, timeoutMs = 120_000): Promise<PartitionLog> {
  const metadata = await client.getTopicMetadata(topic);
  const end = new Map(metadata.partitions.map((p) => [p.partition, p.latestOffset] as const));
  const log: PartitionLog = new Map(metadata.partitions.map((p) => [p.partition, new Map<number, string>()]));
  const consumerId = await client.createConsumer({
    bootstrapServers: [...brokers],
    groupId: `cluster-reader-${randomUUID()}`,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    maxPollRecords: 5000,
  });
  const done = (): boolean => [...end].every(([p, last]) => last === 0 || log.get(p)!.has(last - 1));
  try {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`read of ${topic} incomplete after ${timeoutMs} ms`);
      for (const m of await client.consumeMessages(consumerId, [topic], 1000)) {
        log.get(m.partition)!.set(m.offset, Buffer.from(m.value ?? []).toString('utf8'));
      }
    }
  } finally {
    await client.closeConsumer(consumerId);
  }
  return log;
}
