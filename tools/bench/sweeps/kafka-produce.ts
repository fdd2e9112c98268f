// One-shot sweep of the Kafka produce baselines' configurations, at the durability of
// `kafka.produce-200k` (idempotent, acks=all, no compression, 3 partitions, 100-byte values, string keys
// key-0…key-9999). Each configuration sends 200,000 records once after one warm-up pass and prints msg/s.
// The chosen configurations are written into packages/kafka/bench/kafka.bench.ts's comment.
// Run: KAFKA_BROKERS=127.0.0.1:9092 npx tsx --tsconfig tsconfig.base.json tools/bench/sweeps/kafka-produce.ts [kafkajs|platformatic]
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';
import { Producer as PlatformaticProducer, ProduceAcks, stringSerializer } from '@platformatic/kafka';

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const TOTAL = 200_000;
const VALUE = Buffer.alloc(100, 'v');
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const key = (i: number): string => `key-${i % 10_000}`;
const only = process.argv[2];

function chunks(size: number): { key: string; value: Buffer }[][] {
  const out: { key: string; value: Buffer }[][] = [];
  for (let i = 0; i < TOTAL; i += size) out.push(Array.from({ length: Math.min(size, TOTAL - i) }, (_, j) => ({ key: key(i + j), value: VALUE })));
  return out;
}

async function drive<T>(batches: T[], queued: boolean, send: (batch: T) => Promise<unknown>): Promise<number> {
  const run = async () => {
    if (queued) await Promise.all(batches.map(send));
    else for (const batch of batches) await send(batch);
  };
  await run(); // warm-up pass
  const t0 = performance.now();
  await run();
  return Math.round((TOTAL / (performance.now() - t0)) * 1000);
}

const kafka = new Kafka({ brokers, clientId: 'sweep', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const topic = `sweep-${randomUUID().slice(0, 8)}`;
await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
try {
  if (only !== 'platformatic') {
    // [api, records per call, maxInFlightRequests, queued]; awaited calls of 100/500 records were left out
    // (2,000 and 400 sequential round trips: far below the queued figures on any machine).
    const configs: ['send' | 'sendBatch', number, number | undefined, boolean][] = [
      ['sendBatch', 100, 1, true],
      ['sendBatch', 500, 1, true],
      ['sendBatch', 1000, 1, true],
      ['send', 1000, 1, true],
      ['sendBatch', 5000, 1, true],
      ['sendBatch', 1000, 1, false],
      ['sendBatch', 5000, 1, false],
      ['sendBatch', 1000, undefined, true],
      ['sendBatch', 5000, undefined, true],
    ];
    for (const [api, size, maxInFlightRequests, queued] of configs) {
      const producer = kafka.producer({ idempotent: true, ...(maxInFlightRequests ? { maxInFlightRequests } : {}) });
      await producer.connect();
      const rate = await drive(chunks(size), queued, (messages) =>
        api === 'send'
          ? producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None })
          : producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1, compression: CompressionTypes.None }),
      );
      console.log(`kafkajs ${api}(${size}) maxInFlightRequests=${maxInFlightRequests ?? 'unset'} ${queued ? 'queued' : 'awaited'}: ${rate.toLocaleString('en-US')} msg/s`);
      await producer.disconnect();
    }
  }
  if (only !== 'kafkajs') {
    // Queued sends (all at once) fail with OUT_OF_ORDER_SEQUENCE_NUMBER on 1.35 for every size tried
    // (100/500/1000/5000): the idempotent producer advances a partition's sequence only when a response
    // arrives, so every request queued before that reuses the same first sequence. Pass `platformatic
    // <size> queued` to try one again on its own (a failed run can also end in a stack overflow in the
    // client's error path).
    const sizes = process.argv[3] ? [Number(process.argv[3])] : [1000, 5000, 20_000];
    const modes = process.argv[4] === 'queued' ? [true] : [false];
    for (const size of sizes) {
      for (const queued of modes) {
        // A fresh producer per configuration: a failed configuration leaves its sequences behind.
        const producer = new PlatformaticProducer({
          clientId: 'sweep-platformatic',
          bootstrapBrokers: brokers,
          idempotent: true,
          acks: ProduceAcks.ALL,
          serializers: { key: stringSerializer },
        });
        const label = `@platformatic/kafka send(${size}) ${queued ? 'queued' : 'awaited'}`;
        try {
          // One awaited send first: the producer id is fetched on the first send, and sends queued before
          // it arrives each start from sequence 0 (OUT_OF_ORDER_SEQUENCE_NUMBER without this).
          await producer.send({ messages: [{ topic, key: key(0), value: VALUE }] });
          const rate = await drive(chunks(size), queued, (messages) => producer.send({ messages: messages.map((m) => ({ topic, key: m.key, value: m.value })) }));
          console.log(`${label}: ${rate.toLocaleString('en-US')} msg/s`);
        } catch (error) {
          const inner = (error as { errors?: { errors?: { apiId?: string }[] }[] }).errors?.[0]?.errors?.[0]?.apiId;
          console.log(`${label}: FAILED (${(error as Error).message}${inner ? ` ${inner}` : ''})`);
        }
        await producer.close().catch(() => undefined);
      }
    }
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
