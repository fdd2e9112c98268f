import { randomUUID } from 'node:crypto';
import { describeValue } from '@onex/spi-types/support';
import type {
  ProtocolConsumerGroupInfo,
  ProtocolKafkaClient,
  ProtocolKafkaCommitOffsets,
  ProtocolKafkaMessage,
  ProtocolKafkaProduceOptions,
  ProtocolKafkaProduceResult,
  ProtocolTopicMetadata,
} from '@onex/spi-types';
import { KafkaClosedError, KafkaConfigError, UnknownConsumerError, UnknownProducerError } from './errors/kafka-errors.js';
import type { KafkaClientOptions, KafkaLogLevel } from './kafka-client-options.js';
import type { KafkaConsumerConfig, KafkaProducerConfig } from './kafka-config.js';
import type { KafkaMetrics } from './kafka-metrics.js';
import { AdminOperations } from './internal/admin-operations.js';
import { BatchingProducer } from './internal/batching-producer.js';
import { ClientMetrics } from './internal/client-metrics.js';
import { createKafka } from './internal/create-kafka.js';
import { fetchContextSocketFactory, type FetchContextSlot } from './internal/kafkajs-fetch-response.js';
import { firstServer, otelEnabledByEnv, telemetryActive, tracedPoll, tracedProduce, type ClientTelemetry } from './internal/otel.js';
import { PullConsumer } from './internal/pull-consumer.js';
import { resolveConnection, resolveConsumerConfig, resolveProducerConfig, type ResolvedConnection } from './internal/resolve-config.js';
import { enumOption, intOption, stringOption } from './internal/validate.js';

type ClientState = { readonly kind: 'open' } | { readonly kind: 'closed' };

/** Metrics of client ids whose producers and consumers are all closed are kept for this many ids. */
const RETAINED_IDLE_CLIENT_IDS = 64;

/**
 * `ProtocolKafkaClient` on kafkajs 2.2.4: auto-batching producers that resolve each message's own
 * offset, pull consumers with a bounded buffer, topic and group administration, and metrics.
 */
export class KafkaClient implements ProtocolKafkaClient {
  readonly #logLevel: KafkaLogLevel;
  readonly #metadataMaxAgeMs: number;
  #adminConnection: ResolvedConnection | undefined;
  #admin: AdminOperations | undefined;
  readonly #producers = new Map<string, BatchingProducer>();
  readonly #consumers = new Map<string, PullConsumer>();
  readonly #metrics = new Map<string, ClientMetrics>();
  /** OpenTelemetry spans and metrics, unless `ONEX_OTEL_DISABLED=true` when the client was created. */
  readonly #otel = otelEnabledByEnv();
  readonly #telemetry = new WeakMap<BatchingProducer | PullConsumer, ClientTelemetry>();
  #state: ClientState = { kind: 'open' };

  /**
   * @throws {KafkaConfigError} when an option is invalid
   */
  constructor(options: KafkaClientOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new KafkaConfigError(`options must be an object, got ${describeValue(options)}`);
    this.#logLevel = enumOption('logLevel', options.logLevel, 'warn', ['nothing', 'error', 'warn', 'info', 'debug'] as const);
    this.#metadataMaxAgeMs = intOption('metadataMaxAgeMs', options.metadataMaxAgeMs, 300_000, 0);
    if (options.bootstrapServers !== undefined) this.#adminConnection = resolveConnection(options);
    else if (options.clientId !== undefined) stringOption('clientId', options.clientId);
  }

  /**
   * Validates the config, connects a producer and resolves with its id.
   * @throws {KafkaConfigError} when an option is invalid
   * @throws {KafkaCodecUnavailableError} when `compression` needs a codec kafkajs does not have
   * @throws {KafkaConnectionError} when no broker can be reached
   */
  async createProducer(config: KafkaProducerConfig): Promise<string> {
    this.#assertOpen();
    const resolved = resolveProducerConfig(config);
    const id = `producer-${randomUUID()}`;
    const kafka = createKafka(resolved.connection, this.#logLevel, resolved.retries);
    const metrics = this.#metricsFor(resolved.connection.clientId);
    const producer = new BatchingProducer(id, resolved, kafka, metrics, this.#metadataMaxAgeMs);
    try {
      await producer.connect();
    } catch (error) {
      metrics.removeMember(id);
      throw error;
    }
    this.#adminConnection ??= resolved.connection;
    this.#telemetry.set(producer, { tracingEnabled: this.#otel, clientId: resolved.connection.clientId, ...firstServer(resolved.connection.brokers) });
    this.#producers.set(id, producer);
    return id;
  }

  /**
   * Validates the config and resolves with a consumer id; it joins its group on the first poll.
   * @throws {KafkaConfigError} when an option is invalid
   */
  async createConsumer(config: KafkaConsumerConfig): Promise<string> {
    this.#assertOpen();
    const resolved = resolveConsumerConfig(config);
    const id = `consumer-${randomUUID()}`;
    // Its own kafkajs instance, whose connections decode its fetches in its codec context (kafkajs-fetch-response.ts).
    const fetchContext: FetchContextSlot = { current: undefined };
    const kafka = createKafka(resolved.connection, this.#logLevel, 5, fetchContextSocketFactory(fetchContext));
    const consumer = new PullConsumer(id, resolved, kafka, this.#metricsFor(resolved.connection.clientId), fetchContext);
    const { clientId } = resolved.connection;
    this.#telemetry.set(consumer, { tracingEnabled: this.#otel, clientId, groupId: resolved.groupId, ...firstServer(resolved.connection.brokers) });
    this.#consumers.set(id, consumer);
    this.#adminConnection ??= resolved.connection;
    return id;
  }

  /**
   * Produces one message; concurrent calls share batches, and each resolves with its own offset.
   * @throws {UnknownProducerError} when no open producer has this id
   * @throws {KafkaArgumentError} on a bad topic, key, value, header, partition or timestamp
   * @throws {KafkaMessageTooLargeError} when the message exceeds `maxMessageBytes` or the broker limit
   * @throws {KafkaDeliveryTimeoutError} when it was not acknowledged within `deliveryTimeoutMs` (outcome unknown)
   * @throws {KafkaProduceError} when the broker refused it, or did not acknowledge it within an explicit `retries`
   */
  produceMessage(
    producerId: string,
    topic: string,
    key: Uint8Array | string | null,
    value: Uint8Array | string | null,
    options?: ProtocolKafkaProduceOptions,
  ): Promise<ProtocolKafkaProduceResult> {
    // Not `async`: returning the producer's promise as is saves the extra promise and ticks per message.
    try {
      const producer = this.#producer(producerId);
      const telemetry = this.#otel && telemetryActive() ? this.#telemetry.get(producer) : undefined;
      if (telemetry !== undefined) {
        const traced = tracedProduce(telemetry, topic, key, value, options, (o) => producer.produce(topic, key, value, o));
        if (traced !== undefined) return traced;
      }
      return producer.produce(topic, key, value, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Returns up to `maxPollRecords` messages as soon as some are buffered, or `[]` at the deadline.
   * @throws {UnknownConsumerError} when no open consumer has this id
   * @throws {KafkaArgumentError} on an empty topic list or a bad timeout
   */
  async consumeMessages(consumerId: string, topics: readonly string[], timeoutMs = 1000): Promise<ProtocolKafkaMessage[]> {
    const consumer = this.#consumer(consumerId);
    const telemetry = this.#otel && telemetryActive() ? this.#telemetry.get(consumer) : undefined;
    if (telemetry !== undefined) {
      const traced = tracedPoll(telemetry, topics, () => consumer.poll(topics, timeoutMs));
      if (traced !== undefined) return traced;
    }
    return consumer.poll(topics, timeoutMs);
  }

  /**
   * Commits the next offset to read per partition (last processed + 1).
   * @throws {UnknownConsumerError} when no open consumer has this id
   * @throws {KafkaAmbiguousOffsetsError} for `{ topic: offset }` when several partitions of the topic were delivered
   * @throws {KafkaUnknownPartitionError} for a partition not assigned to the consumer
   * @throws {KafkaCommitError} when the group coordinator rejects the commit
   */
  async commitOffsets(consumerId: string, offsets: ProtocolKafkaCommitOffsets): Promise<boolean> {
    return this.#consumer(consumerId).commit(offsets);
  }

  /** Describes a consumer group with members, assignments, committed offsets and lag. */
  async getConsumerGroupInfo(groupId: string): Promise<ProtocolConsumerGroupInfo> {
    return this.#adminOps().getConsumerGroupInfo(groupId);
  }

  /**
   * Creates a topic; true when created, or when it already exists with the same shape.
   * @throws {KafkaTopicExistsDifferentError} when it exists with another shape
   * @throws {KafkaInvalidReplicationError} when the replication factor exceeds the brokers
   */
  async createTopic(topic: string, partitions: number, replicationFactor = 1): Promise<boolean> {
    return this.#adminOps().createTopic(topic, partitions, replicationFactor);
  }

  /** Deletes a topic; resolves false when it did not exist. */
  async deleteTopic(topic: string): Promise<boolean> {
    return this.#adminOps().deleteTopic(topic);
  }

  /**
   * Describes a topic's partitions (leader, replicas, ISR, offline replicas, earliest and latest offsets).
   * @throws {KafkaTopicNotFoundError} when the topic does not exist
   */
  async getTopicMetadata(topic: string): Promise<ProtocolTopicMetadata> {
    return this.#adminOps().getTopicMetadata(topic);
  }

  /** A snapshot of the metrics of every producer and consumer with this client id (zeros when unknown). */
  async getKafkaMetrics(clientId: string): Promise<KafkaMetrics> {
    return (this.#metrics.get(clientId) ?? new ClientMetrics(clientId)).snapshot();
  }

  /** Partitions assigned to a consumer, as `topic:partition`. */
  getAssignment(consumerId: string): string[] {
    return this.#consumer(consumerId).assignment();
  }

  /** Sends a producer's queued messages, then disconnects it; its id becomes unknown. */
  async closeProducer(producerId: string): Promise<void> {
    const producer = this.#producer(producerId);
    await producer.close();
    this.#producers.delete(producerId);
    this.#pruneMetrics();
  }

  /** Commits delivered offsets when auto commit is on, leaves the group; its id becomes unknown. */
  async closeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumer(consumerId);
    await consumer.close();
    this.#consumers.delete(consumerId);
    this.#pruneMetrics();
  }

  /** Flushes and closes every producer and consumer and the admin client; later calls reject with `KAFKA_CLOSED`. */
  async close(): Promise<void> {
    if (this.#state.kind === 'closed') return;
    this.#state = { kind: 'closed' };
    await Promise.allSettled([...this.#producers.values()].map((p) => p.close()));
    await Promise.allSettled([...this.#consumers.values()].map((c) => c.close()));
    await this.#admin?.close();
  }

  #assertOpen(): void {
    if (this.#state.kind === 'closed') throw new KafkaClosedError('the Kafka client is closed');
  }

  #producer(id: string): BatchingProducer {
    const producer = this.#producers.get(id);
    if (producer !== undefined) return producer;
    this.#assertOpen();
    throw new UnknownProducerError(id);
  }

  #consumer(id: string): PullConsumer {
    const consumer = this.#consumers.get(id);
    if (consumer !== undefined) return consumer;
    this.#assertOpen();
    throw new UnknownConsumerError(id);
  }

  #adminOps(): AdminOperations {
    this.#assertOpen();
    if (this.#admin === undefined) {
      if (this.#adminConnection === undefined) {
        throw new KafkaConfigError('`bootstrapServers` is needed for admin calls: pass it to new KafkaClient() or create a producer or consumer first');
      }
      this.#admin = new AdminOperations(createKafka(this.#adminConnection, this.#logLevel, 5));
    }
    return this.#admin;
  }

  #metricsFor(clientId: string): ClientMetrics {
    let metrics = this.#metrics.get(clientId);
    if (metrics === undefined) {
      metrics = new ClientMetrics(clientId);
      this.#metrics.set(clientId, metrics);
      this.#pruneMetrics();
    }
    return metrics;
  }

  #pruneMetrics(): void {
    const idle = [...this.#metrics.values()].filter((m) => m.idle);
    for (const m of idle.slice(0, Math.max(0, idle.length - RETAINED_IDLE_CLIENT_IDS))) this.#metrics.delete(m.clientId);
  }
}
