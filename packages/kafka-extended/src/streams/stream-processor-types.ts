import type { LiteralProcessingGuarantee, ProtocolKafkaStreamConfig, ProtocolLatencySummary } from '@onex/spi-types';

/**
 * Turns values into bytes and back for a stream processor; the schema-registry serdes (`AvroSerde`,
 * `JsonSchemaSerde`, `ProtobufSerde`) have this shape.
 */
export interface StreamSerde {
  /** Encodes a value for `topic`. */
  serialize(topic: string, value: unknown): Uint8Array | Promise<Uint8Array>;
  /** Decodes bytes read from `topic`. */
  deserialize(topic: string, bytes: Uint8Array): unknown;
}

/** Stream processor settings: the SPI's `ProtocolKafkaStreamConfig` plus tuning knobs of this implementation. */
export interface KafkaStreamProcessorConfig extends ProtocolKafkaStreamConfig {
  /** First wait between retries of a failing message; doubles per retry, capped at 5 s. @default 100 */
  readonly retryBackoffMs?: number;
  /** A processor call that has not settled after this long counts as a failed attempt. @default 30000 */
  readonly processingTimeoutMs?: number;
  /** Messages processed before their outputs are produced and their offsets committed (one transaction with `exactly_once`). @default 500 */
  readonly commitBatchSize?: number;
  /** Consumer group session timeout; a crashed instance's partitions move after this long. @default 30000 */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval. @default 3000 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Name of this instance, for logs. Exactly-once fencing does not depend on it: the transactional id is per
   * input partition (`${applicationId}-${topic}-${partition}`), so whichever instance owns a partition next
   * fences the previous owner. @default 'default'
   */
  readonly instanceId?: string;
  /**
   * exactly_once: most transactional producers (one per owned input partition) kept open at once; the least
   * recently used is closed beyond it and re-initialised on its partition's next batch. @default 1000
   */
  readonly maxTransactionalProducers?: number;
  /** Broker-side timeout of an open transaction. @default 60000 */
  readonly transactionTimeoutMs?: number;
  /** Attempts to commit one exactly-once batch (CONCURRENT_TRANSACTIONS, abortable errors) before seeking back. @default 5 */
  readonly transactionRetries?: number;
  /** Serde of keys; keys stay bytes when absent. */
  readonly keySerde?: StreamSerde;
  /** Serde of values; values stay bytes when absent. */
  readonly valueSerde?: StreamSerde;
  /** Create the output and DLQ topics (broker defaults) when they do not exist. @default true */
  readonly createTopics?: boolean;
  /** How long `processKafkaStream` waits for the consumer to join its group. @default 60000 */
  readonly startTimeoutMs?: number;
}

/** Lifecycle of a stream processor. */
export type StreamProcessorState =
  | { readonly kind: 'created'; readonly since: number }
  | { readonly kind: 'starting'; readonly since: number }
  | { readonly kind: 'running'; readonly since: number }
  | { readonly kind: 'stopping'; readonly since: number }
  | { readonly kind: 'stopped'; readonly since: number }
  | { readonly kind: 'failed'; readonly since: number; readonly error: Error };

/** The last error a processor met (a failed attempt, a DLQ decision, a failed commit). */
export interface StreamProcessorError {
  /** Error class name. */
  readonly name: string;
  /** Error message. */
  readonly message: string;
  /** Stable code, when the error has one. */
  readonly code?: string;
  /** Where it happened (`topic:partition@offset`), when it concerns one message. */
  readonly location?: string;
  /** When, epoch ms. */
  readonly at: number;
}

/** Counters and gauges of one processor (a plain snapshot). */
export interface StreamProcessorMetrics {
  /** Input records processed (re-deliveries after a crash count again). */
  readonly recordsIn: number;
  /** Output records acknowledged by the brokers (committed, with `exactly_once`). */
  readonly recordsOut: number;
  /** Input records sent to the dead-letter topic. */
  readonly recordsDlq: number;
  /** Processor attempts retried. */
  readonly retries: number;
  /** Batches whose offsets were committed. */
  readonly commits: number;
  /** Transactions aborted and retried (`exactly_once`). */
  readonly transactionsAborted: number;
  /** Transactions refused because another instance had taken over the input partition (zombie fencing). */
  readonly transactionsFenced: number;
  /** Lag by `topic:partition` (high watermark minus next offset) as of the last batch of each partition. */
  readonly lagByPartition: Readonly<Record<string, number>>;
  /** Sum of `lagByPartition`. */
  readonly totalLag: number;
  /** Time spent in the processor function per input record. */
  readonly processingLatency: ProtocolLatencySummary;
  /** The last error, or null. */
  readonly lastError: StreamProcessorError | null;
}

/** Everything about one processor: identity, state and metrics. */
export interface StreamProcessorStatus {
  /** Processor id. */
  readonly processorId: string;
  /** Application id (consumer group). */
  readonly applicationId: string;
  /** Processing guarantee. */
  readonly processingGuarantee: LiteralProcessingGuarantee;
  /** Current state. */
  readonly state: StreamProcessorState;
  /** Input topics, once started. */
  readonly inputTopics: readonly string[];
  /** Output topic, once started. */
  readonly outputTopic: string | null;
  /** Dead-letter topic. */
  readonly dlqTopic: string;
  /** Metrics snapshot. */
  readonly metrics: StreamProcessorMetrics;
}
