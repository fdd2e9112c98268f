// Helpers for the stream processor tests: raw kafkajs clients to set up topics, feed inputs and read outputs.
import kafkajs, { type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { uniqueName } from '../../../../tools/jest/kafka-env.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** A kafkajs client that logs nothing. */
export function rawKafka(brokers: string[], extra: Partial<ConstructorParameters<typeof KafkaClient>[0]> = {}): Kafka {
  return new KafkaClient({ brokers, clientId: 'onex-test', logLevel: logLevel.NOTHING, ...extra });
}

/** Creates topics with the given partition count. */
export async function createTopics(admin: Admin, topics: string[], numPartitions = 1, configEntries?: { name: string; value: string }[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1, ...(configEntries ? { configEntries } : {}) })) });
}

/** Produces `count` messages `prefix-i` keyed `k-i` round-robin over partitions. */
export async function produceInputs(kafka: Kafka, topic: string, values: string[], partitions = 1): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k-${i}`, value, partition: i % partitions, headers: { origin: 'test' } })) });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly rawValue: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning until `until(records)` holds or `timeoutMs` passes, then returns
 * what it read (read_committed unless `uncommitted`).
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  until: (records: ReadRecord[]) => boolean,
  options: { timeoutMs?: number; uncommitted?: boolean; settleMs?: number } = {},
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: options.uncommitted ?? false, sessionTimeout: 10_000 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      records.push(toRecord(t, partition, message));
      if (until(records)) done();
    },
  });
  const timer = setTimeout(done, options.timeoutMs ?? 45_000);
  await finished;
  clearTimeout(timer);
  // Let any late (duplicate) records arrive before judging.
  if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
  await consumer.disconnect();
  return records;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ReadRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? ({} as IHeaders))) {
    if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[value.length - 1] : value);
  }
  return { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, rawValue: message.value, headers };
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Commits a group's offset without joining the group (a transaction's TxnOffsetCommit), which is much
 * faster than `admin.setOffsets` (that one joins the group first).
 */
export async function commitGroupOffset(kafka: Kafka, groupId: string, topic: string, partition: number, offset: number): Promise<void> {
  const producer = kafka.producer({ transactionalId: uniqueName('offset-setter'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // A fresh group's coordinator may answer NOT_COORDINATOR while it loads: abort and try again.
    for (let attempt = 1; ; attempt++) {
      const transaction = await producer.transaction();
      try {
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: String(offset) }] }] });
        await transaction.commit();
        return;
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        if (attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await producer.disconnect();
  }
}
