import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { KafkaClient } from '../src/index.js';
import { preEncodedStats } from '../src/internal/kafkajs-produce-request.js';
import { createTopicsAndWait, kafkaBrokers, uniqueName } from './helpers.js';

// An idempotent producer sends the partitions ready at once in one Produce request per broker. A broker
// answers such a request per partition: it can store some partitions and refuse another. kafkajs then
// fails the whole request and rolls back every partition's sequence numbers, so this producer sends each
// partition that no error-free response acknowledged again on its own, with the same producer id and
// sequence numbers: the broker drops the copies it stored, and only the refused partition fails.

/** Every value stored in `topic`, read back with a plain kafkajs consumer until `expected` arrived (or 5 s passed). */
async function storedValues(topic: string, expected: number): Promise<string[]> {
  const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('read-back'), maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString('utf8') ?? '');
          if (values.length >= expected) setTimeout(() => (clearTimeout(timer), resolve()), 500);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('one request for the partitions ready at once', () => {
  const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  let client: KafkaClient;
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  /** A topic that refuses batches over 1,000 bytes, and an ordinary one with 3 partitions. */
  async function topics(): Promise<{ small: string; normal: string }> {
    const small = uniqueName('grouped-small');
    const normal = uniqueName('grouped-normal');
    await createTopicsAndWait(admin, [
      { topic: small, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] },
      { topic: normal, numPartitions: 3, replicationFactor: 1 },
    ]);
    return { small, normal };
  }

  it('fails only the partition the broker refused; the others of the same request are stored once, with their offsets', async () => {
    const { small, normal } = await topics();
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), compression: 'none' });
    // The producer learns both topics first, so the calls below are one flush and one request.
    await Promise.all([
      client.produceMessage(producerId, small, null, 'warm-up'),
      ...[0, 1, 2].map((partition) => client.produceMessage(producerId, normal, null, `warm-up-${partition}`, { partition })),
    ]);
    const before = preEncodedStats.requests;
    const tooLarge = client.produceMessage(producerId, small, null, randomBytes(5_000));
    const fine = Array.from({ length: 30 }, (_, i) => client.produceMessage(producerId, normal, null, `m${i}`, { partition: i % 3 }));
    await expect(tooLarge).rejects.toMatchObject({ code: 'KAFKA_MESSAGE_TOO_LARGE' });
    const results = await Promise.all(fine);
    // The first request carried all four partitions; each was then sent on its own.
    expect(preEncodedStats.requests - before).toBe(5);
    for (let partition = 0; partition < 3; partition++) {
      expect(results.filter((r) => r.partition === partition).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    }
    const stored = await storedValues(normal, 33);
    expect(stored).toHaveLength(33);
    expect(new Set(stored).size).toBe(33);
  });

  it('control: kafkajs fails every partition of such a request, and a resend under another producer id stores them twice', async () => {
    const { small, normal } = await topics();
    const first = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const second = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([first.connect(), second.connect()]);
    try {
      const fine = Array.from({ length: 30 }, (_, i) => ({ value: `m${i}`, partition: i % 3 }));
      await expect(
        first.sendBatch({ acks: -1, topicMessages: [{ topic: small, messages: [{ value: randomBytes(5_000) }] }, { topic: normal, messages: fine }] }),
      ).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
      await second.sendBatch({ acks: -1, topicMessages: [{ topic: normal, messages: fine }] });
      const stored = await storedValues(normal, 60);
      expect(stored).toHaveLength(60);
      expect(new Set(stored).size).toBe(30);
    } finally {
      await Promise.all([first.disconnect(), second.disconnect()]);
    }
  });
});
