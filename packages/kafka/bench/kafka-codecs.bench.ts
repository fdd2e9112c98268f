import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import type { BenchmarkDefinition, BenchmarkSubject } from '../../../tools/bench/types.js';
import { KafkaClient } from '../src/index.js';

// One row per compression codec: produce throughput with the codec against the same producer without
// compression, and the bytes the codec put on the wire per uncompressed byte (the records section of
// every produce batch, counted at kafkajs's codec interface over all of the subject's calls, warm-up included).

const { Kafka: KafkaCtor, logLevel, CompressionCodecs, CompressionTypes } = kafkajs;
const TOTAL = 50_000;
type Codec = 'gzip' | 'snappy' | 'lz4' | 'zstd';
const TYPES: Record<Codec, number> = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

/** A realistic JSON event of about 300 bytes: repeated field names, ids, enums, timestamps, some free text. */
function event(i: number): Buffer {
  const words = ['checkout', 'basket', 'payment', 'retry', 'mobile', 'desktop', 'promo', 'shipping', 'express', 'return'];
  return Buffer.from(
    JSON.stringify({
      eventId: randomUUID(),
      type: ['page_view', 'add_to_cart', 'purchase', 'search'][i % 4],
      userId: `user-${(i * 7919) % 100_000}`,
      sessionId: `s-${Math.floor(i / 20)}`,
      timestamp: new Date(1_765_000_000_000 + i * 113).toISOString(),
      device: { os: ['ios', 'android', 'linux', 'windows'][i % 4], version: `${10 + (i % 7)}.${i % 10}` },
      amount: Math.round(((i * 37) % 100_000) * 0.01 * 100) / 100,
      currency: 'EUR',
      note: Array.from({ length: 4 }, (_, j) => words[(i * 31 + j * 17) % words.length]).join(' '),
    }),
  );
}

interface Ctx {
  admin: Admin;
  topic: string;
  client: KafkaClient;
  producers: Record<Codec | 'none', string>;
  values: Buffer[];
  wire: { in: number; out: number };
}

/** Counts the bytes going into and out of the codec's compress while produce runs. */
function countWireBytes(codec: Codec, wire: Ctx['wire']): () => void {
  const registry = CompressionCodecs as Record<number, () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> }>;
  const type = TYPES[codec];
  const original = registry[type]!;
  registry[type] = () => {
    const inner = original();
    return {
      decompress: (buffer) => inner.decompress(buffer),
      compress: async (encoder) => {
        const out = await inner.compress(encoder);
        wire.in += encoder.buffer.length;
        wire.out += out.length;
        return out;
      },
    };
  };
  return () => {
    registry[type] = original;
  };
}

async function produceAll(ctx: Ctx, producerId: string): Promise<void> {
  const calls = new Array<Promise<unknown>>(TOTAL);
  for (let i = 0; i < TOTAL; i++) calls[i] = ctx.client.produceMessage(producerId, ctx.topic, `user-${i % 1000}`, ctx.values[i]!);
  await Promise.all(calls);
}

function codecBenchmark(codec: Codec): BenchmarkDefinition<Ctx> {
  let restore: (() => void) | undefined;
  const project: BenchmarkSubject<Ctx> & { wire?: Ctx['wire'] } = {
    label: `@onex/kafka produceMessage x${TOTAL / 1000}k compression ${codec}`,
    get config(): string {
      const wire = project.wire;
      const ratio = wire && wire.in > 0 ? (wire.out / wire.in).toFixed(3) : 'n/a';
      return `createProducer defaults (idempotent, acks all, lingerMs 0, batchSize 500) with compression ${codec}; ~300-byte JSON events, 3 partitions, 1,000 keys; bytes on the wire / uncompressed (records of every batch) ${ratio} over ${wire ? (wire.in / 1e6).toFixed(1) : 0} MB`;
    },
    setup: (ctx) => {
      project.wire = ctx.wire;
      restore = countWireBytes(codec, ctx.wire);
    },
    teardown: () => restore?.(),
    run: (ctx) => produceAll(ctx, ctx.producers[codec]),
  };
  return {
    name: `kafka.produce-${codec}`,
    description: `${TOTAL} concurrent produceMessage of ~300-byte JSON events compressed with ${codec}, against the same producer without compression; the ${codec} row's config names its wire-bytes ratio`,
    needsKafka: true,
    opsPerCall: TOTAL,
    callsPerRound: 1,
    rounds: 4,
    warmupCalls: 1,
    async setup(env) {
      const kafka = new KafkaCtor({ brokers: env.kafkaBrokers, clientId: 'bench-codecs', logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      const topic = `bench-codec-${codec}-${randomUUID().slice(0, 8)}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
      const client = new KafkaClient({ bootstrapServers: env.kafkaBrokers, logLevel: 'nothing' });
      const producers = {
        none: await client.createProducer({ bootstrapServers: env.kafkaBrokers, clientId: 'bench-none', compression: 'none' }),
        [codec]: await client.createProducer({ bootstrapServers: env.kafkaBrokers, clientId: `bench-${codec}`, compression: codec }),
      } as Record<Codec | 'none', string>;
      return { admin, topic, client, producers, values: Array.from({ length: TOTAL }, (_, i) => event(i)), wire: { in: 0, out: 0 } };
    },
    async teardown(ctx) {
      await ctx.client.close();
      await ctx.admin.deleteTopics({ topics: [ctx.topic] }).catch(() => undefined);
      await ctx.admin.disconnect();
    },
    project,
    baselines: [
      {
        label: `@onex/kafka produceMessage x${TOTAL / 1000}k compression none`,
        config: 'the same producer settings, events, topic and keys without compression (wire bytes ratio 1 by definition)',
        run: (ctx) => produceAll(ctx, ctx.producers.none),
      },
    ],
  };
}

export const benchmarks: BenchmarkDefinition<any>[] = (['snappy', 'lz4', 'zstd', 'gzip'] as const).map(codecBenchmark);
