import type { LiteralSchemaType } from './common.js';
import type {
  ProtocolCompatibilityResult,
  ProtocolSchemaDefinition,
  ProtocolSchemaInfo,
  ProtocolSchemaOptions,
} from './schema-registry.js';
import type {
  ProtocolKafkaConnectionConfig,
  ProtocolKafkaHeaders,
  ProtocolKafkaSaslConfig,
  ProtocolKafkaSslConfig,
} from './kafka.js';

/** Processing guarantee of a stream processor. */
export type LiteralProcessingGuarantee = 'at_least_once' | 'exactly_once';

/** The seed's `ProtocolKafkaStreamConfig`. */
export interface ProtocolKafkaStreamConfig extends ProtocolKafkaConnectionConfig {
  /** Application id: consumer group id and transactional id prefix. */
  readonly applicationId: string;
  /** Processing guarantee. @default 'at_least_once' */
  readonly processingGuarantee?: LiteralProcessingGuarantee;
  /** Partitions processed concurrently. @default 1 */
  readonly concurrency?: number;
  /** Dead-letter topic for messages whose processing keeps failing. @default `${applicationId}.dlq` */
  readonly dlqTopic?: string;
  /** Retries of a failing message before it goes to the DLQ. @default 2 */
  readonly maxRetries?: number;
  /** Where to start without a committed offset. @default 'earliest' */
  readonly autoOffsetReset?: 'earliest' | 'latest';
}

/** A message handed to a stream processor function. */
export interface ProtocolKafkaStreamRecord {
  /** Key bytes, or null. */
  readonly key: Uint8Array | null;
  /** Value bytes (or the deserialized value when a serde is configured), or null. */
  readonly value: unknown;
  /** Headers. */
  readonly headers: Readonly<Record<string, Uint8Array>>;
  /** Source topic. */
  readonly topic: string;
  /** Source partition. */
  readonly partition: number;
  /** Source offset. */
  readonly offset: number;
  /** Timestamp, epoch ms. */
  readonly timestamp: number;
}

/** A message emitted by a stream processor function. */
export interface ProtocolKafkaStreamOutput {
  /** Key (defaults to the input key when omitted). */
  readonly key?: Uint8Array | string | null;
  /** Value bytes or string (or a value for the configured serializer). */
  readonly value: unknown;
  /** Headers. */
  readonly headers?: ProtocolKafkaHeaders;
  /** Output topic override. */
  readonly topic?: string;
}

/** What a processor returns for one input: nothing, one output or many, sync or async. */
export type ProtocolKafkaStreamProcessorResult =
  | ProtocolKafkaStreamOutput
  | readonly ProtocolKafkaStreamOutput[]
  | null
  | undefined
  | void;

/** The seed's `ProtocolKafkaStreamProcessor`: a function or an object with `process`. */
export type ProtocolKafkaStreamProcessor =
  | ((
      record: ProtocolKafkaStreamRecord,
    ) => ProtocolKafkaStreamProcessorResult | Promise<ProtocolKafkaStreamProcessorResult>)
  | {
      /** Processes one input record. */
      process(
        record: ProtocolKafkaStreamRecord,
      ): ProtocolKafkaStreamProcessorResult | Promise<ProtocolKafkaStreamProcessorResult>;
    };

/** A finding of the diagnostics. */
export interface ProtocolKafkaFinding {
  /** Severity. */
  readonly severity: 'info' | 'warning' | 'critical';
  /** Stable finding code (`UNDER_REPLICATED`, `MIN_ISR_ABOVE_RF`, …). */
  readonly code: string;
  /** What was found. */
  readonly message: string;
  /** Resource concerned (`topic:orders`, `group:billing`, `broker:1`). */
  readonly resource: string;
  /** What to do about it. */
  readonly suggestedAction: string;
}

/** Health of one topic. */
export interface ProtocolTopicDiagnostics {
  /** Topic. */
  readonly topic: string;
  /** Partitions. */
  readonly partitionCount: number;
  /** Replicas per partition. */
  readonly replicationFactor: number;
  /** Partitions whose ISR is smaller than their replica set. */
  readonly underReplicatedPartitions: readonly number[];
  /** Partitions with no leader. */
  readonly offlinePartitions: readonly number[];
  /** Selected topic configs (`min.insync.replicas`, `cleanup.policy`, …). */
  readonly configs: Readonly<Record<string, string>>;
}

/** Lag of one consumer group. */
export interface ProtocolGroupLag {
  /** Group id. */
  readonly groupId: string;
  /** Group state. */
  readonly state: string;
  /** Total lag. */
  readonly totalLag: number;
  /** Lag by `topic:partition`. */
  readonly lagByPartition: Readonly<Record<string, number>>;
}

/** The seed's `ProtocolKafkaDiagnostics`. */
export interface ProtocolKafkaDiagnostics {
  /** Cluster id. */
  readonly clusterId: string;
  /** Active controller id. */
  readonly controllerId: number;
  /** Brokers. */
  readonly brokers: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
  /** Topic health (one topic, or all non-internal topics). */
  readonly topics: readonly ProtocolTopicDiagnostics[];
  /** Consumer group lag. */
  readonly consumerGroups: readonly ProtocolGroupLag[];
  /** Findings with severity and suggested action. */
  readonly findings: readonly ProtocolKafkaFinding[];
  /** When the diagnostics were collected, epoch ms. */
  readonly collectedAt: number;
}

/** The seed's `ProtocolKafkaSecurityConfig`. */
export interface ProtocolKafkaSecurityConfig {
  /** TLS: true for default settings, or explicit settings. */
  readonly ssl?: boolean | ProtocolKafkaSslConfig;
  /** SASL authentication. */
  readonly sasl?: ProtocolKafkaSaslConfig;
}

/** The seed's `ProtocolKafkaExtended`: stream processing, schema registry, tuning, diagnostics, security. */
export interface ProtocolKafkaExtended {
  /** Creates a stream processor; resolves with its id. */
  createStreamProcessor(config: ProtocolKafkaStreamConfig): Promise<string>;
  /** Starts processing; resolves true once running. */
  processKafkaStream(
    processorId: string,
    inputTopics: readonly string[],
    outputTopic: string,
    processorFunc: ProtocolKafkaStreamProcessor,
  ): Promise<boolean>;
  /** Registers a schema under a subject; resolves with its global id. */
  registerSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    schemaType: LiteralSchemaType,
    options?: Pick<ProtocolSchemaOptions, 'references'>,
  ): Promise<number>;
  /** Fetches a version of a subject (the latest when omitted). */
  getSchema(subject: string, options?: { readonly version?: number }): Promise<ProtocolSchemaInfo>;
  /** Checks a schema against a subject under its compatibility level. */
  checkSchemaCompatibility(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options?: ProtocolSchemaOptions,
  ): Promise<ProtocolCompatibilityResult>;
  /** Validates and applies topic configs; resolves true when applied. */
  optimizeKafkaPerformance(topic: string, settings: Readonly<Record<string, unknown>>): Promise<boolean>;
  /** Collects cluster, topic and group diagnostics. */
  getKafkaDiagnostics(options?: { readonly topic?: string }): Promise<ProtocolKafkaDiagnostics>;
  /** Sets the security of clients created afterwards; resolves true when valid. */
  configureKafkaSecurity(securityConfig: ProtocolKafkaSecurityConfig): Promise<boolean>;
}
