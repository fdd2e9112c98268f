// kafkajs 2.2.4 against the Apache Kafka 4.x broker assembled by tools/kafka (or KAFKA_BROKERS):
// produce (idempotent, acks=all), consume in a group, commit, transactions (read_committed sees
// committed data only) and admin calls.
import { Kafka, logLevel, type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { kafkaBrokers, uniqueName } from '../../../tools/jest/kafka-env.js';

const kafka = new Kafka({ brokers: kafkaBrokers(), clientId: 'onex-compat', logLevel: logLevel.NOTHING });
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

async function consumeN(consumer: Consumer, n: number, timeoutMs = 30_000): Promise<EachMessagePayload[]> {
  const received: EachMessagePayload[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${n} messages in ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      eachMessage: async (payload) => {
        received.push(payload);
        if (received.length === n) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return received;
}

describe('kafkajs 2.2.4 against the tools/kafka broker', () => {
  it('creates, describes and deletes topics with the admin client', async () => {
    const topic = uniqueName('compat-admin');
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).resolves.toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0']);
    await admin.deleteTopics({ topics: [topic] });
    await expect(admin.listTopics()).resolves.not.toContain(topic);
  });

  it('produces idempotently with acks=all, consumes in a group and commits', async () => {
    const topic = uniqueName('compat-group');
    const groupId = uniqueName('compat-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const records = await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: `v${i}`, headers: { n: String(i) } })),
    });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await consumeN(consumer, 20);
    expect(received.map((r) => r.message.value?.toString()).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
    expect(received.every((r) => r.message.headers?.['n'] !== undefined)).toBe(true);
    await consumer.disconnect(); // commits the offsets it has resolved

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(20);
    const groups = await admin.describeGroups([groupId]);
    expect(groups.groups[0]?.groupId).toBe(groupId);
  });

  it('runs transactions: read_committed consumers see committed messages only', async () => {
    const topic = uniqueName('compat-tx');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ transactionalId: uniqueName('compat-tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await committed.commit();
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('compat-tx'), readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await consumeN(consumer, 2);
    await consumer.disconnect();
    expect(received.map((r) => r.message.value?.toString())).toEqual(['committed-1', 'committed-2']);
  });
});
