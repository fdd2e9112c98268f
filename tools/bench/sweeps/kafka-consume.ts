// One-shot sweep of the Kafka consume baselines' settings for `kafka.consume-200k`: 200,000 records of
// 100 bytes in 3 partitions are produced once, then each configuration drains them once with a fresh
// group from the earliest offset (one unmeasured drain first) and prints msg/s. The chosen settings are
// written into packages/kafka/bench/kafka.bench.ts's comment.
// Run: KAFKA_BROKERS=127.0.0.1:9092 npx tsx --tsconfig tsconfig.base.json tools/bench/sweeps/kafka-consume.ts [kafkajs|platformatic]
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';
import { Consumer as PlatformaticConsumer, MessagesStreamModes } from '@platformatic/kafka';

const { Kafka, logLevel } = kafkajs;
const TOTAL = 200_000;
const VALUE = Buffer.alloc(100, 'v');
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const only = process.argv[2];

const kafka = new Kafka({ brokers, clientId: 'sweep', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const topic = `sweep-${randomUUID().slice(0, 8)}`;
await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });

async function measure(drain: () => Promise<void>): Promise<number> {
  await drain();
  const t0 = performance.now();
  await drain();
  return Math.round((TOTAL / (performance.now() - t0)) * 1000);
}

/** kafkajs eachBatch drain with the given consumer settings and partitionsConsumedConcurrently. */
function kafkajsDrain(settings: Record<string, number>, partitionsConsumedConcurrently: number) {
  return async () => {
    const consumer = kafka.consumer({ groupId: `sweep-${randomUUID()}`, ...settings });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let n = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently,
        eachBatch: async ({ batch }) => {
          n += batch.messages.length;
          if (n >= TOTAL) resolve();
        },
      });
    });
    await consumer.disconnect();
  };
}

/** @platformatic/kafka stream drain with the given consume options. */
function platformaticDrain(settings: Record<string, number>) {
  return async () => {
    const consumer = new PlatformaticConsumer({ clientId: 'sweep-platformatic', groupId: `sweep-${randomUUID()}`, bootstrapBrokers: brokers });
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, ...settings });
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', () => {
        if (++n === TOTAL) resolve();
      });
    });
    await stream.close();
    await consumer.close();
  };
}

try {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < TOTAL; i += 10_000) {
    await producer.sendBatch({ topicMessages: [{ topic, messages: Array.from({ length: 10_000 }, (_, j) => ({ key: `key-${(i + j) % 10_000}`, value: VALUE })) }] });
  }
  await producer.disconnect();
  if (only !== 'platformatic') {
    const configs: [string, Record<string, number>, number][] = [
      ['defaults (minBytes 1, maxBytes 10 MB, maxBytesPerPartition 1 MB, maxWaitTimeInMs 5000), 1 partition at a time', {}, 1],
      ['maxWaitTimeInMs 500 (as @onex/kafka), 1 partition at a time', { maxWaitTimeInMs: 500 }, 1],
      ['maxWaitTimeInMs 500, partitionsConsumedConcurrently 3', { maxWaitTimeInMs: 500 }, 3],
      ['maxWaitTimeInMs 500, maxBytesPerPartition 10 MB, maxBytes 50 MB, partitionsConsumedConcurrently 3', { maxWaitTimeInMs: 500, maxBytesPerPartition: 10_485_760, maxBytes: 52_428_800 }, 3],
      ['maxWaitTimeInMs 500, maxBytesPerPartition 10 MB, maxBytes 50 MB, 1 partition at a time', { maxWaitTimeInMs: 500, maxBytesPerPartition: 10_485_760, maxBytes: 52_428_800 }, 1],
    ];
    for (const [label, settings, concurrently] of configs) {
      console.log(`kafkajs eachBatch ${label}: ${(await measure(kafkajsDrain(settings, concurrently))).toLocaleString('en-US')} msg/s`);
    }
  }
  if (only !== 'kafkajs') {
    const configs: [string, Record<string, number>][] = [
      ['defaults (minBytes 1, maxBytes 10 MB, maxWaitTime 5000, highWaterMark 1024)', {}],
      ['maxWaitTime 500', { maxWaitTime: 500 }],
      ['maxWaitTime 500, maxBytes 50 MB, highWaterMark 5000', { maxWaitTime: 500, maxBytes: 52_428_800, highWaterMark: 5000 }],
    ];
    for (const [label, settings] of configs) {
      console.log(`@platformatic/kafka consume ${label}: ${(await measure(platformaticDrain(settings))).toLocaleString('en-US')} msg/s`);
    }
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
