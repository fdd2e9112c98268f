import kafkajs from 'kafkajs';
import { KafkaClient } from '../src/index.js';
import { preEncodedStats } from '../src/internal/kafkajs-produce-request.js';
import { kafkaBrokers, uniqueName } from './helpers.js';

// kafkajs's idempotent producer takes a lock per broker around every produce request, so one kafkajs
// producer has one request per broker in flight. An idempotent producer sends all partitions ready at
// once in one request per broker, through the least busy of up to `maxInFlightRequests` kafkajs producers
// (each its own producer id and connections): what the broker shows of it is the producer id of each
// batch, read back here with a plain kafkajs consumer, and what kafkajs sends is counted on its side.

const PARTITIONS = 6;

/** Producer id of the record batches of every partition of `topic`, as the broker stored them. */
async function producerIdsByPartition(topic: string, expected: number): Promise<Map<number, Set<string>>> {
  const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('read-pids'), maxWaitTimeInMs: 100 });
  const ids = new Map<number, Set<string>>();
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            // kafkajs keeps the record batch's header on each decoded record.
            const context = (message as unknown as { batchContext: { producerId: string } }).batchContext;
            const set = ids.get(batch.partition) ?? new Set<string>();
            set.add(context.producerId);
            ids.set(batch.partition, set);
          }
          seen += batch.messages.length;
          if (seen >= expected) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return ids;
}

describe('maxInFlightRequests', () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  /**
   * 20 records to each partition; with `waves`, partition p's records are produced in their own
   * macrotask, so each partition is ready while the ones before it are still in flight.
   */
  async function produceToEveryPartition(config: object, waves: boolean): Promise<{ ids: Map<number, Set<string>>; requests: number }> {
    const topic = uniqueName('in-flight');
    await client.createTopic(topic, PARTITIONS, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), ...config });
    // With waves the producer first learns the topic's partitions (calls wait for that, then go out together).
    const warmup = waves ? 1 : 0;
    if (waves) await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => client.produceMessage(producerId, topic, null, 'warm-up', { partition: p })));
    const before = preEncodedStats.requests;
    const calls: Promise<{ partition: number; offset: number }>[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = 0; i < 20; i++) calls.push(client.produceMessage(producerId, topic, null, `m${p}-${i}`, { partition: p }));
      if (waves) await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(calls);
    const requests = preEncodedStats.requests - before;
    // Every partition's records are in order and each caller got its own offset.
    for (let p = 0; p < PARTITIONS; p++) {
      expect(results.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + warmup));
    }
    return { ids: await producerIdsByPartition(topic, PARTITIONS * (20 + warmup)), requests };
  }
  const distinct = (ids: Map<number, Set<string>>): Set<string> => new Set([...ids.values()].flatMap((set) => [...set]));

  it('sends the partitions ready at once in one request, through one producer id', async () => {
    const { ids, requests } = await produceToEveryPartition({}, false);
    expect([...ids.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(requests).toBe(1);
    expect(distinct(ids).size).toBe(1);
  });

  it('control: without idempotence each partition is its own request', async () => {
    const { requests } = await produceToEveryPartition({ enableIdempotence: false, acks: 1 }, false);
    expect(requests).toBe(PARTITIONS);
  });

  it('sends partitions that become ready while others are in flight through other producers, up to 5 by default', async () => {
    const { ids } = await produceToEveryPartition({}, true);
    expect(distinct(ids).size).toBeGreaterThanOrEqual(2);
    expect(distinct(ids).size).toBeLessThanOrEqual(5);
  });

  it('control: maxInFlightRequests 1 sends every partition through one producer id (one request per broker at a time)', async () => {
    const { ids } = await produceToEveryPartition({ maxInFlightRequests: 1 }, true);
    expect(distinct(ids).size).toBe(1);
  });

  it('refuses a maxInFlightRequests outside 1-64 with KAFKA_INVALID_CONFIG naming the option', async () => {
    for (const value of [0, 65, 1.5, '5']) {
      await expect(client.createProducer({ bootstrapServers: kafkaBrokers(), maxInFlightRequests: value as number })).rejects.toMatchObject({
        code: 'KAFKA_INVALID_CONFIG',
        message: expect.stringContaining('maxInFlightRequests'),
      });
    }
  });
});
