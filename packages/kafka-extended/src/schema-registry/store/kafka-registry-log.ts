import { withTimeout } from '@onex/spi-types/support';
import { randomUUID } from 'node:crypto';
import type { ProtocolKafkaSaslConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import { Kafka, logLevel, type Admin, type Consumer, type Producer, type SASLOptions } from 'kafkajs';
import { SchemaRegistryStoreError } from '../errors/schema-registry-errors.js';
import { encodeRecordKey, type RegistryRecord, type RegistryRecordKey } from './registry-record.js';
import type { RegistryLog, RegistryLogListener } from './registry-log.js';

/** Connection settings of the registry topic. */
export interface KafkaRegistryLogOptions {
  readonly bootstrapServers: readonly string[];
  readonly topic: string;
  readonly clientId: string;
  readonly ssl?: boolean | ProtocolKafkaSslConfig;
  readonly sasl?: ProtocolKafkaSaslConfig;
  readonly replicationFactor?: number;
  readonly timeoutMs: number;
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
}

function toSasl(sasl: ProtocolKafkaSaslConfig): SASLOptions {
  if (sasl.mechanism === 'oauthbearer') return { mechanism: 'oauthbearer', oauthBearerProvider: sasl.oauthBearerProvider };
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

function decode(key: Buffer | null, value: Buffer | null): RegistryRecord | undefined {
  if (key === null) return undefined;
  try {
    const parsedKey = JSON.parse(key.toString('utf8')) as RegistryRecordKey;
    return { key: parsedKey, value: value === null ? null : (JSON.parse(value.toString('utf8')) as RegistryRecord['value']) };
  } catch {
    return undefined; // a foreign record in the topic: skip it, the same way in every process
  }
}

/**
 * The registry log in a single-partition compacted Kafka topic. The topic's total order is the
 * arbiter of concurrent registrations; a consumer in a private group replays it from the start.
 */
export class KafkaRegistryLog implements RegistryLog {
  private readonly kafka: Kafka;
  private readonly groupId: string;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private position = 0;
  private waiters: Waiter[] = [];
  private failure: Error | undefined;

  constructor(private readonly options: KafkaRegistryLogOptions) {
    this.kafka = new Kafka({
      brokers: [...options.bootstrapServers],
      clientId: options.clientId,
      ...(options.ssl === undefined ? {} : { ssl: options.ssl as never }),
      ...(options.sasl === undefined ? {} : { sasl: toSasl(options.sasl) }),
      logLevel: logLevel.NOTHING,
      connectionTimeout: Math.min(options.timeoutMs, 10_000),
      // Bound kafkajs's own retries by the registry timeout so an unreachable cluster fails in time.
      retry: { initialRetryTime: 100, retries: 5, maxRetryTime: options.timeoutMs },
    });
    this.groupId = `${options.clientId}-schema-registry-${randomUUID()}`;
  }

  async start(listener: RegistryLogListener): Promise<void> {
    const { topic } = this.options;
    try {
      this.admin = this.kafka.admin();
      await this.admin.connect();
      await this.admin
        .createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: 1,
              replicationFactor: this.options.replicationFactor ?? -1,
              configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
            },
          ],
        })
        .catch((error: { type?: string }) => {
          if (error.type !== 'TOPIC_ALREADY_EXISTS') throw error;
        });
      const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length ?? 0;
      if (partitions !== 1) {
        throw new SchemaRegistryStoreError(`registry topic "${topic}" must have exactly 1 partition, it has ${partitions}`);
      }
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.producer.connect();
      this.consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
      await this.consumer.connect();
      await this.consumer.subscribe({ topic, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const record = decode(message.key, message.value);
            if (record) listener(record);
            this.advance(Number(message.offset) + 1);
          }
          if (batch.messages.length === 0 || batch.isEmpty()) this.advance(Number(batch.highWatermark));
        },
      });
      this.consumer.on(this.consumer.events.CRASH, (event) => {
        this.failure = event.payload.error;
        for (const waiter of this.waiters) waiter.resolve();
      });
    } catch (error) {
      await this.close();
      if (error instanceof SchemaRegistryStoreError) throw error;
      throw new SchemaRegistryStoreError(`cannot open registry topic "${topic}": ${(error as Error).message}`, { cause: error });
    }
    await this.sync();
  }

  private advance(position: number): void {
    if (position <= this.position) return;
    this.position = position;
    const ready = this.waiters.filter((w) => w.target <= position);
    this.waiters = this.waiters.filter((w) => w.target > position);
    for (const waiter of ready) waiter.resolve();
  }

  private async waitFor(target: number): Promise<void> {
    if (this.position >= target) return;
    await withTimeout(
      (signal) =>
        new Promise<void>((resolve) => {
          const waiter: Waiter = { target, resolve };
          this.waiters.push(waiter);
          signal.addEventListener('abort', () => (this.waiters = this.waiters.filter((w) => w !== waiter)), { once: true });
        }),
      this.options.timeoutMs,
      () => new SchemaRegistryStoreError(`registry topic "${this.options.topic}" not read up to offset ${target} within ${this.options.timeoutMs} ms (at ${this.position})`),
    );
    if (this.failure) throw new SchemaRegistryStoreError(`registry consumer crashed: ${this.failure.message}`, { cause: this.failure });
  }

  async append(record: RegistryRecord): Promise<void> {
    if (!this.producer) throw new SchemaRegistryStoreError('registry log is not started');
    let offset: number;
    try {
      const [meta] = await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: [{ key: encodeRecordKey(record.key), value: record.value === null ? null : JSON.stringify(record.value) }],
      });
      offset = Number(meta?.baseOffset ?? meta?.offset ?? -1);
    } catch (error) {
      throw new SchemaRegistryStoreError(`cannot write to registry topic "${this.options.topic}": ${(error as Error).message}`, { cause: error });
    }
    await this.waitFor(offset + 1);
  }

  async sync(): Promise<void> {
    if (!this.admin) throw new SchemaRegistryStoreError('registry log is not started');
    let high: number;
    try {
      const offsets = await this.admin.fetchTopicOffsets(this.options.topic);
      high = Number(offsets[0]?.high ?? 0);
    } catch (error) {
      throw new SchemaRegistryStoreError(`cannot read offsets of registry topic "${this.options.topic}": ${(error as Error).message}`, { cause: error });
    }
    await this.waitFor(high);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    const producer = this.producer;
    const admin = this.admin;
    this.consumer = undefined;
    this.producer = undefined;
    this.admin = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await admin.deleteGroups([this.groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }
}
