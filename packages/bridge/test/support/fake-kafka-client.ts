// An in-memory ProtocolKafkaClient that follows the contract: partitions chosen by key hash (or
// explicit), increasing offsets per partition, consumer groups with committed offsets (next offset
// to read), pull polling that waits for data until the deadline, and lag.
import type {
  ProtocolConsumerGroupInfo,
  ProtocolKafkaClient,
  ProtocolKafkaCommitOffsets,
  ProtocolKafkaConsumerConfig,
  ProtocolKafkaMessage,
  ProtocolKafkaMetrics,
  ProtocolKafkaProduceOptions,
  ProtocolKafkaProduceResult,
  ProtocolKafkaProducerConfig,
  ProtocolTopicMetadata,
} from '@onex/spi-types';
import { OnexError } from '@onex/spi-types';

const enc = new TextEncoder();
const bytes = (v: Uint8Array | string | null): Uint8Array | null => (v === null ? null : typeof v === 'string' ? enc.encode(v) : v);

interface Consumer {
  readonly groupId: string;
  readonly maxPollRecords: number;
  readonly reset: 'earliest' | 'latest';
  readonly position: Map<string, number>;
}

export class FakeKafkaClient implements ProtocolKafkaClient {
  readonly topics = new Map<string, ProtocolKafkaMessage[][]>();
  readonly committed = new Map<string, Map<string, number>>();
  readonly producerConfigs: ProtocolKafkaProducerConfig[] = [];
  readonly consumerConfigs: ProtocolKafkaConsumerConfig[] = [];
  readonly commits: { consumerId: string; offsets: ProtocolKafkaCommitOffsets }[] = [];
  /** Errors thrown by the next produce calls, in order. */
  readonly produceFailures: Error[] = [];
  readonly #producers = new Set<string>();
  readonly #consumers = new Map<string, Consumer>();
  #waiters: (() => void)[] = [];
  #seq = 0;
  produced = 0;

  constructor(readonly defaultPartitions = 3) {}

  async createProducer(config: ProtocolKafkaProducerConfig): Promise<string> {
    this.producerConfigs.push(config);
    const id = `producer-${++this.#seq}`;
    this.#producers.add(id);
    return id;
  }

  async createConsumer(config: ProtocolKafkaConsumerConfig): Promise<string> {
    this.consumerConfigs.push(config);
    const id = `consumer-${++this.#seq}`;
    this.#consumers.set(id, {
      groupId: config.groupId,
      maxPollRecords: config.maxPollRecords ?? 500,
      reset: config.autoOffsetReset ?? 'latest',
      position: new Map(),
    });
    return id;
  }

  async produceMessage(
    producerId: string,
    topic: string,
    key: Uint8Array | string | null,
    value: Uint8Array | string | null,
    options: ProtocolKafkaProduceOptions = {},
  ): Promise<ProtocolKafkaProduceResult> {
    if (!this.#producers.has(producerId)) throw new OnexError('KAFKA_UNKNOWN_PRODUCER' as never, `unknown producer ${producerId}`);
    const failure = this.produceFailures.shift();
    if (failure) throw failure;
    const log = this.#topic(topic);
    const keyBytes = bytes(key);
    const partition = options.partition ?? (keyBytes ? hash(keyBytes) % log.length : this.produced % log.length);
    const messages = log[partition]!;
    const message: ProtocolKafkaMessage = {
      topic,
      partition,
      offset: messages.length,
      key: keyBytes,
      value: bytes(value),
      headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, bytes(v)!])),
      timestamp: options.timestamp ?? Date.now(),
    };
    messages.push(message);
    this.produced += 1;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
    return { topic, partition, offset: message.offset, timestamp: message.timestamp };
  }

  async consumeMessages(consumerId: string, topics: readonly string[], timeoutMs = 1000): Promise<ProtocolKafkaMessage[]> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new OnexError('KAFKA_UNKNOWN_CONSUMER' as never, `unknown consumer ${consumerId}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out: ProtocolKafkaMessage[] = [];
      for (const topic of topics) {
        this.#topic(topic).forEach((messages, partition) => {
          const id = `${topic}:${partition}`;
          let position = consumer.position.get(id);
          if (position === undefined) {
            position = this.committed.get(consumer.groupId)?.get(id) ?? (consumer.reset === 'earliest' ? 0 : messages.length);
          }
          while (position < messages.length && out.length < consumer.maxPollRecords) out.push(messages[position++]!);
          consumer.position.set(id, position);
        });
      }
      if (out.length > 0) return out;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async commitOffsets(consumerId: string, offsets: ProtocolKafkaCommitOffsets): Promise<boolean> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new OnexError('KAFKA_UNKNOWN_CONSUMER' as never, `unknown consumer ${consumerId}`);
    if (!Array.isArray(offsets)) throw new OnexError('INVALID_ARGUMENT', 'fake supports the list form only');
    this.commits.push({ consumerId, offsets });
    let group = this.committed.get(consumer.groupId);
    if (!group) this.committed.set(consumer.groupId, (group = new Map()));
    for (const o of offsets as { topic: string; partition: number; offset: number }[]) group.set(`${o.topic}:${o.partition}`, o.offset);
    return true;
  }

  async getConsumerGroupInfo(groupId: string): Promise<ProtocolConsumerGroupInfo> {
    const group = this.committed.get(groupId) ?? new Map<string, number>();
    const offsets = [...group].map(([id, committedOffset]) => {
      const [topic, p] = id.split(':') as [string, string];
      const logEndOffset = this.#topic(topic)[Number(p)]!.length;
      return { topic, partition: Number(p), committedOffset, logEndOffset, lag: logEndOffset - committedOffset };
    });
    return { groupId, state: 'Stable', protocolType: 'consumer', protocol: 'range', members: [], offsets, totalLag: offsets.reduce((s, o) => s + o.lag, 0) };
  }

  async createTopic(topic: string, partitions: number): Promise<boolean> {
    if (!this.topics.has(topic)) this.topics.set(topic, Array.from({ length: partitions }, () => []));
    return true;
  }

  async deleteTopic(topic: string): Promise<boolean> {
    return this.topics.delete(topic);
  }

  async getTopicMetadata(topic: string): Promise<ProtocolTopicMetadata> {
    const log = this.topics.get(topic);
    if (!log) throw new OnexError('KAFKA_UNKNOWN_TOPIC' as never, `unknown topic ${topic}`);
    return {
      topic,
      partitionCount: log.length,
      replicationFactor: 1,
      partitions: log.map((m, partition) => ({ partition, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], earliestOffset: 0, latestOffset: m.length })),
    };
  }

  async getKafkaMetrics(clientId: string): Promise<ProtocolKafkaMetrics> {
    const empty = { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    return { clientId, messagesProduced: this.produced, bytesProduced: 0, messagesConsumed: 0, bytesConsumed: 0, batchesSent: 0, averageBatchSize: 0, errorsByCode: {}, produceLatency: empty, consumerLag: {}, rebalances: 0, connectionState: 'connected' };
  }

  /** Every message of a topic, partition by partition. */
  messages(topic: string): ProtocolKafkaMessage[] {
    return (this.topics.get(topic) ?? []).flat();
  }

  #topic(topic: string): ProtocolKafkaMessage[][] {
    let log = this.topics.get(topic);
    if (!log) this.topics.set(topic, (log = Array.from({ length: this.defaultPartitions }, () => [])));
    return log;
  }
}

function hash(data: Uint8Array): number {
  let h = 2166136261;
  for (const b of data) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
