// Stream processor throughput: each call feeds 1000 records into the input topic and waits until the
// subject has produced their 1000 outputs and committed the input offsets. Feeding costs the same for
// every subject; the difference is the consume → process → produce → commit pipeline.
import diagnosticsChannel from 'node:diagnostics_channel';
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type Kafka, type Message, type Producer } from 'kafkajs';
import { KAFKA_EXTENDED_CHANNELS, KafkaExtended } from '../src/index.js';
import type { BenchmarkDefinition, BenchmarkSubject } from '../../../tools/bench/types.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;
const BATCH = 1000;
const CHUNK = 500;
const PAYLOAD = Buffer.alloc(100, 'x');

interface Ctx {
  readonly brokers: string[];
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly feeder: Producer;
}

/** Counts outputs and lets `run` wait for the next `BATCH` of them. */
class Progress {
  private done = 0;
  private target = 0;
  private wake: (() => void) | undefined;

  add(n: number): void {
    this.done += n;
    if (this.wake && this.done >= this.target) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  waitFor(n: number): Promise<void> {
    this.target += n;
    if (this.done >= this.target) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }
}

const name = (prefix: string): string => `bench-${prefix}-${randomUUID().slice(0, 8)}`;

async function feed(ctx: Ctx, topic: string): Promise<void> {
  const messages: Message[] = [];
  for (let i = 0; i < BATCH; i++) messages.push({ key: String(i), value: PAYLOAD });
  await ctx.feeder.send({ topic, messages, acks: 1 });
}

async function setup(env: { kafkaBrokers: string[] }): Promise<Ctx> {
  const kafka = new KafkaClient({ brokers: env.kafkaBrokers, clientId: 'bench-streams', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const feeder = kafka.producer();
  await feeder.connect();
  return { brokers: env.kafkaBrokers, kafka, admin, feeder };
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.feeder.disconnect();
  await ctx.admin.disconnect();
}

/**
 * The project: `instances` `KafkaExtended` stream processors of one application (an identity function) over an
 * input topic of as many partitions; with exactly_once, one transactional producer per partition.
 */
function processorSubject(label: string, guarantee: 'at_least_once' | 'exactly_once', instances = 1): BenchmarkSubject<Ctx> {
  let extended: KafkaExtended | undefined;
  let input = '';
  const processorIds = new Set<string>();
  const progress = new Progress();
  const onCommit = (message: unknown): void => {
    const event = message as { processorId: string; outputs: number };
    if (processorIds.has(event.processorId)) progress.add(event.outputs);
  };
  return {
    label,
    config: `${instances} processor${instances > 1 ? 's' : ''} over ${instances} partition${instances > 1 ? 's' : ''}, processingGuarantee ${guarantee}, commitBatchSize ${CHUNK}, other options default`,
    async setup(ctx) {
      input = name(`${guarantee}-in`);
      const output = name(`${guarantee}-out`);
      await ctx.admin.createTopics({ waitForLeaders: true, topics: [{ topic: input, numPartitions: instances }, { topic: output, numPartitions: instances }] });
      diagnosticsChannel.subscribe(KAFKA_EXTENDED_CHANNELS.commit, onCommit);
      extended = new KafkaExtended({ bootstrapServers: ctx.brokers, clientId: 'bench-streams' });
      const applicationId = name(guarantee);
      const started: Promise<boolean>[] = [];
      for (let i = 0; i < instances; i++) {
        const processorId = await extended.createStreamProcessor({ applicationId, bootstrapServers: ctx.brokers, processingGuarantee: guarantee, commitBatchSize: CHUNK });
        processorIds.add(processorId);
        started.push(extended.processKafkaStream(processorId, [input], output, (record) => ({ value: record.value as Uint8Array })));
      }
      await Promise.all(started);
    },
    async run(ctx) {
      const done = progress.waitFor(BATCH);
      await feed(ctx, input);
      await done;
    },
    async teardown() {
      await extended?.close();
      diagnosticsChannel.unsubscribe(KAFKA_EXTENDED_CHANNELS.commit, onCommit);
    },
  };
}

/** The baseline: a hand-written kafkajs eachBatch loop with the same batching (send, then commit, per 500). */
function handWrittenSubject(): BenchmarkSubject<Ctx> {
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let input = '';
  const progress = new Progress();
  return {
    label: 'kafkajs eachBatch→sendBatch→commit',
    config: `kafkajs 2 consumer and producer at their defaults (producer not idempotent), acks=all, sendBatch then commitOffsets per ${CHUNK} records, 1 partition`,
    async setup(ctx) {
      input = name('raw-in');
      const output = name('raw-out');
      await ctx.admin.createTopics({ waitForLeaders: true, topics: [{ topic: input }, { topic: output }] });
      consumer = ctx.kafka.consumer({ groupId: name('raw') });
      producer = ctx.kafka.producer();
      await Promise.all([consumer.connect(), producer.connect()]);
      await consumer.subscribe({ topics: [input], fromBeginning: true });
      const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
      const c = consumer;
      const p = producer;
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
          for (let i = 0; i < batch.messages.length && isRunning(); i += CHUNK) {
            const chunk = batch.messages.slice(i, i + CHUNK);
            await p.sendBatch({ acks: -1, topicMessages: [{ topic: output, messages: chunk.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })) }] });
            const last = chunk[chunk.length - 1]!.offset;
            await c.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
            resolveOffset(last);
            progress.add(chunk.length);
            await heartbeat();
          }
        },
      });
      await joined;
    },
    async run(ctx) {
      const done = progress.waitFor(BATCH);
      await feed(ctx, input);
      await done;
    },
    async teardown() {
      await consumer?.disconnect();
      await producer?.disconnect();
    },
  };
}

export const benchmarks: BenchmarkDefinition<Ctx>[] = [
  {
    name: 'kafka-extended.stream-at-least-once',
    description: 'identity at_least_once processor vs hand-written kafkajs consume→produce→commit loop (1000 records per call, 500 per commit)',
    needsKafka: true,
    setup,
    teardown,
    project: processorSubject('KafkaExtended at_least_once', 'at_least_once'),
    baselines: [handWrittenSubject()],
    opsPerCall: BATCH,
    rounds: 4,
    callsPerRound: 6,
    warmupCalls: 2,
    target: { minRatio: 0.8 },
  },
  {
    name: 'kafka-extended.stream-exactly-once',
    description: 'identity exactly_once processor (transactions + sendOffsets) vs the same processor at_least_once (1000 records per call, 500 per transaction)',
    needsKafka: true,
    setup,
    teardown,
    project: processorSubject('KafkaExtended exactly_once', 'exactly_once'),
    baselines: [processorSubject('KafkaExtended at_least_once', 'at_least_once')],
    opsPerCall: BATCH,
    rounds: 4,
    callsPerRound: 6,
    warmupCalls: 2,
  },
  {
    name: 'kafka-extended.stream-exactly-once-3',
    description: 'three exactly_once processors of one application over 3 partitions (3 transactional producers) vs the same three at_least_once (1000 records per call)',
    needsKafka: true,
    setup,
    teardown,
    project: processorSubject('KafkaExtended exactly_once ×3', 'exactly_once', 3),
    baselines: [processorSubject('KafkaExtended at_least_once ×3', 'at_least_once', 3)],
    opsPerCall: BATCH,
    rounds: 4,
    callsPerRound: 6,
    warmupCalls: 2,
  },
];
