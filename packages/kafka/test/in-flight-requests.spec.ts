import kafkajs from 'kafkajs';
import { KafkaClient } from '../src/index.js';
import { kafkaBrokers, uniqueName } from './helpers.js';

// kafkajs's idempotent producer takes a lock per broker around every produce request, so one kafkajs
// producer has one request per broker in flight. `maxInFlightRequests` spreads a producer's partitions
// over that many kafkajs producers (each its own producer id and connections): what the broker shows of
// it is the producer id of each partition's batches, read back here with a plain kafkajs consumer.

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

  async function produceToEveryPartition(config: object): Promise<Map<number, Set<string>>> {
    const topic = uniqueName('in-flight');
    await client.createTopic(topic, PARTITIONS, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), ...config });
    const results = await Promise.all(
      Array.from({ length: PARTITIONS * 20 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`, { partition: i % PARTITIONS })),
    );
    // Every partition's records are in order and each caller got its own offset.
    for (let p = 0; p < PARTITIONS; p++) {
      expect(results.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    return producerIdsByPartition(topic, PARTITIONS * 20);
  }

  it('sends the partitions of one broker through 5 idempotent producers by default, one producer id per partition', async () => {
    const ids = await produceToEveryPartition({});
    expect([...ids.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const set of ids.values()) expect(set.size).toBe(1);
    const distinct = new Set([...ids.values()].flatMap((set) => [...set]));
    // Partitions 0-4 got a producer each; partition 5 shares the first one's.
    expect(distinct.size).toBe(5);
    expect([...ids.get(5)!][0]).toBe([...ids.get(0)!][0]);
  });

  it('control: maxInFlightRequests 1 sends every partition through one producer id (one request per broker at a time)', async () => {
    const ids = await produceToEveryPartition({ maxInFlightRequests: 1 });
    const distinct = new Set([...ids.values()].flatMap((set) => [...set]));
    expect(distinct.size).toBe(1);
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
