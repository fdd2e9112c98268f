import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { BenchmarkDefinition } from '../../../tools/bench/types.js';
import { KafkaClient } from '../src/index.js';

const { Kafka: KafkaCtor, logLevel, CompressionTypes } = kafkajs;
const TOTAL = 200_000;
const VALUE = Buffer.alloc(100, 'v');

interface Ctx {
  brokers: string[];
  kafka: Kafka;
  admin: Admin;
  topic: string;
  client: KafkaClient;
  producerId: string;
  raw: Producer;
}

async function baseSetup(brokers: string[]): Promise<Ctx> {
  const kafka = new KafkaCtor({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const client = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
  const producerId = await client.createProducer({ bootstrapServers: brokers, clientId: 'bench-onex', compression: 'none' });
  const raw = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await raw.connect();
  return { brokers, kafka, admin, topic, client, producerId, raw };
}

async function baseTeardown(ctx: Ctx): Promise<void> {
  await ctx.client.close();
  await ctx.raw.disconnect();
  await ctx.admin.deleteTopics({ topics: [ctx.topic] }).catch(() => undefined);
  await ctx.admin.disconnect();
}

const key = (i: number): string => `key-${i % 10_000}`;

function rawBatches(): { key: string; value: Buffer }[][] {
  const batches: { key: string; value: Buffer }[][] = [];
  for (let i = 0; i < TOTAL; i += 100) batches.push(Array.from({ length: 100 }, (_, j) => ({ key: key(i + j), value: VALUE })));
  return batches;
}

function kcatProduce(brokers: string[], topic: string, input: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', brokers.join(','), '-t', topic, '-K', ':', '-z', 'none', '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'partitioner=murmur2_random'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

const produce: BenchmarkDefinition<Ctx & { batches: { key: string; value: Buffer }[][]; kcatInput: Buffer }> = {
  name: 'kafka.produce-200k',
  description: '200,000 concurrent produceMessage (acks=all, idempotent, 100-byte values, 3 partitions) vs kafkajs sendBatch of 100 and kcat -P',
  needsKafka: true,
  opsPerCall: TOTAL,
  callsPerRound: 1,
  // One call per round spreads widely (group joins, fetch timing, GC): six rounds for a steadier median.
  rounds: 6,
  // One unmeasured call per side: each benchmark runs in a fresh process, where nothing is compiled yet.
  warmupCalls: 1,
  target: { minRatio: 1.0 },
  async setup(env) {
    const ctx = await baseSetup(env.kafkaBrokers);
    const lines = Array.from({ length: TOTAL }, (_, i) => `${key(i)}:${VALUE.toString()}`).join('\n');
    return { ...ctx, batches: rawBatches(), kcatInput: Buffer.from(`${lines}\n`) };
  },
  teardown: baseTeardown,
  project: {
    label: '@onex/kafka produceMessage x200k',
    run: async (ctx) => {
      const calls = new Array<Promise<unknown>>(TOTAL);
      for (let i = 0; i < TOTAL; i++) calls[i] = ctx.client.produceMessage(ctx.producerId, ctx.topic, key(i), VALUE);
      await Promise.all(calls);
    },
  },
  baselines: [
    {
      label: 'kafkajs sendBatch(100) x2000',
      run: async (ctx) => {
        await Promise.all(ctx.batches.map((messages) => ctx.raw.sendBatch({ topicMessages: [{ topic: ctx.topic, messages }], acks: -1, compression: CompressionTypes.None })));
      },
    },
    { label: 'kcat -P (librdkafka)', run: (ctx) => kcatProduce(ctx.brokers, ctx.topic, ctx.kcatInput) },
  ],
};

const drain: BenchmarkDefinition<Ctx> = {
  name: 'kafka.consume-200k',
  description: 'drain 200,000 messages (3 partitions) with consumeMessages vs kafkajs eachBatch, fresh group each run',
  needsKafka: true,
  opsPerCall: TOTAL,
  callsPerRound: 1,
  // One call per round spreads widely (group joins, fetch timing, GC): six rounds for a steadier median.
  rounds: 6,
  // One unmeasured call per side: each benchmark runs in a fresh process, where nothing is compiled yet.
  warmupCalls: 1,
  target: { minRatio: 0.9 },
  async setup(env) {
    const ctx = await baseSetup(env.kafkaBrokers);
    const batches = rawBatches();
    for (let i = 0; i < batches.length; i += 50) {
      await Promise.all(batches.slice(i, i + 50).map((messages) => ctx.raw.sendBatch({ topicMessages: [{ topic: ctx.topic, messages }] })));
    }
    return ctx;
  },
  teardown: baseTeardown,
  project: {
    label: '@onex/kafka consumeMessages',
    run: async (ctx) => {
      const consumerId = await ctx.client.createConsumer({
        bootstrapServers: ctx.brokers,
        groupId: `bench-${randomUUID()}`,
        autoOffsetReset: 'earliest',
        maxPollRecords: 5000,
        enableAutoCommit: false,
      });
      let n = 0;
      while (n < TOTAL) n += (await ctx.client.consumeMessages(consumerId, [ctx.topic], 1000)).length;
      await ctx.client.closeConsumer(consumerId);
    },
  },
  baselines: [
    {
      label: 'kafkajs eachBatch',
      run: async (ctx) => {
        const consumer: Consumer = ctx.kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 500 });
        await consumer.connect();
        await consumer.subscribe({ topics: [ctx.topic], fromBeginning: true });
        let n = 0;
        await new Promise<void>((resolve) => {
          void consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              n += batch.messages.length;
              if (n >= TOTAL) resolve();
            },
          });
        });
        await consumer.disconnect();
      },
    },
  ],
};

const latency: BenchmarkDefinition<Ctx> = {
  name: 'kafka.produce-latency',
  description: 'sequential awaited produceMessage vs kafkajs producer.send of one message (both acks=all, idempotent, no compression, same key and partition)',
  needsKafka: true,
  // Many short alternating rounds, so load drift on a shared machine hits both sides alike.
  rounds: 10,
  roundMs: 800,
  warmupCalls: 300,
  ratioOf: 'p50',
  target: { maxRatio: 1.1 },
  setup: (env) => baseSetup(env.kafkaBrokers),
  teardown: baseTeardown,
  project: {
    label: '@onex/kafka produceMessage',
    run: (ctx) => ctx.client.produceMessage(ctx.producerId, ctx.topic, 'k', VALUE),
  },
  baselines: [
    {
      label: 'kafkajs send',
      run: (ctx) => ctx.raw.send({ topic: ctx.topic, messages: [{ key: 'k', value: VALUE }], acks: -1, compression: CompressionTypes.None }),
    },
  ],
};

export const benchmarks: BenchmarkDefinition<any>[] = [produce, drain, latency];
