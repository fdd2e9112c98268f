import type { ProtocolLatencySummary } from './common.js';

/** Producer acknowledgements: `all`/-1 waits for the ISR, 1 for the leader, 0 for nobody. */
export type LiteralKafkaAcks = 'all' | -1 | 0 | 1;

/** Record batch compression codecs. */
export type LiteralKafkaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** TLS settings of a Kafka connection. */
export interface ProtocolKafkaSslConfig {
  /** Trusted CA certificates (PEM). */
  readonly ca?: string | readonly string[];
  /** Client certificate (PEM). */
  readonly cert?: string;
  /** Client private key (PEM). */
  readonly key?: string;
  /** Passphrase of the private key. */
  readonly passphrase?: string;
  /** Verify the broker's certificate. @default true */
  readonly rejectUnauthorized?: boolean;
  /** SNI server name. */
  readonly servername?: string;
}

/** SASL settings of a Kafka connection. */
export type ProtocolKafkaSaslConfig =
  | {
      /** Mechanism. */
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      /** User name. */
      readonly username: string;
      /** Password. */
      readonly password: string;
    }
  | {
      /** Mechanism. */
      readonly mechanism: 'oauthbearer';
      /** Returns a fresh bearer token. */
      readonly oauthBearerProvider: () => Promise<{ readonly value: string }>;
    };

/** Connection settings shared by producers, consumers and admin clients. */
export interface ProtocolKafkaConnectionConfig {
  /** `host:port` of one or more brokers. */
  readonly bootstrapServers: readonly string[];
  /** Client id sent to the brokers and used to group metrics. @default 'onex' */
  readonly clientId?: string;
  /** TLS: true for default settings, or explicit settings. */
  readonly ssl?: boolean | ProtocolKafkaSslConfig;
  /** SASL authentication. */
  readonly sasl?: ProtocolKafkaSaslConfig;
  /** TCP connect timeout in ms. @default 10000 */
  readonly connectionTimeoutMs?: number;
  /** Request timeout in ms. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** The seed's `ProtocolKafkaProducerConfig`. */
export interface ProtocolKafkaProducerConfig extends ProtocolKafkaConnectionConfig {
  /** Acknowledgements required. @default 'all' */
  readonly acks?: LiteralKafkaAcks;
  /** Retries of a failed send. @default 5 */
  readonly retries?: number;
  /** Idempotent producer (no duplicates from retries). @default true */
  readonly enableIdempotence?: boolean;
  /** Batch compression. @default 'gzip' */
  readonly compression?: LiteralKafkaCompression;
  /**
   * Extra time a message may wait for its batch to fill, in ms. With 0, a batch leaves at the next
   * event-loop turn when nothing is in flight, and batches form while one is in flight. @default 0
   */
  readonly lingerMs?: number;
  /** Most messages per batch. @default 1000 */
  readonly batchSize?: number;
  /** Most bytes per batch. @default 1048576 */
  readonly maxBatchBytes?: number;
  /** Largest single message (key + value + headers) accepted before sending, in bytes. @default 1048576 */
  readonly maxMessageBytes?: number;
}

/** The seed's `ProtocolKafkaConsumerConfig`. */
export interface ProtocolKafkaConsumerConfig extends ProtocolKafkaConnectionConfig {
  /** Consumer group id. */
  readonly groupId: string;
  /** Where to start without a committed offset. @default 'latest' */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /** Commit delivered messages automatically. @default true */
  readonly enableAutoCommit?: boolean;
  /** Auto commit interval in ms. @default 5000 */
  readonly autoCommitIntervalMs?: number;
  /** Group session timeout in ms. @default 30000 */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval in ms. @default 3000 */
  readonly heartbeatIntervalMs?: number;
  /** Most messages returned by one poll. @default 500 */
  readonly maxPollRecords?: number;
  /** Read committed data only, or everything. @default 'read_uncommitted' */
  readonly isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Messages buffered ahead of `consumeMessages` before partitions are paused. @default 50000 */
  readonly maxBufferedRecords?: number;
  /** Longest time the broker holds a fetch open waiting for data, in ms. @default 500 */
  readonly fetchMaxWaitMs?: number;
}

/** Message headers: names to bytes (strings are UTF-8 encoded on send). */
export type ProtocolKafkaHeaders = Readonly<Record<string, Uint8Array | string>>;

/** Options of {@link ProtocolKafkaClient.produceMessage}. */
export interface ProtocolKafkaProduceOptions {
  /** Message headers. */
  readonly headers?: ProtocolKafkaHeaders;
  /** Explicit partition (otherwise murmur2 of the key, or sticky for null keys). */
  readonly partition?: number;
  /** Message timestamp, epoch ms. @default now */
  readonly timestamp?: number;
}

/** Where one produced message landed. */
export interface ProtocolKafkaProduceResult {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;
  /** Offset of this message. */
  readonly offset: number;
  /** Timestamp of this message, epoch ms. */
  readonly timestamp: number;
}

/** A consumed message. */
export interface ProtocolKafkaMessage {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;
  /** Offset. */
  readonly offset: number;
  /** Key bytes, or null. */
  readonly key: Uint8Array | null;
  /** Value bytes, or null for a tombstone. */
  readonly value: Uint8Array | null;
  /** Headers (name to bytes). */
  readonly headers: Readonly<Record<string, Uint8Array>>;
  /** Timestamp, epoch ms. */
  readonly timestamp: number;
}

/** One offset to commit: the next offset to read (last processed + 1). */
export interface ProtocolKafkaTopicPartitionOffset {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;
  /** Offset. */
  readonly offset: number;
}

/**
 * Offsets to commit: `{ topic: offset }` (only when one partition of the topic was delivered),
 * `{ "topic:partition": offset }`, or a list.
 */
export type ProtocolKafkaCommitOffsets =
  | Readonly<Record<string, number>>
  | readonly ProtocolKafkaTopicPartitionOffset[];

/** A member of a consumer group. */
export interface ProtocolConsumerGroupMember {
  /** Member id. */
  readonly memberId: string;
  /** Client id. */
  readonly clientId: string;
  /** Client host. */
  readonly clientHost: string;
  /** Assigned partitions by topic. */
  readonly assignments: Readonly<Record<string, readonly number[]>>;
}

/** Committed offset and lag of one partition for a group. */
export interface ProtocolConsumerGroupOffset {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;
  /** Committed offset (-1 when none). */
  readonly committedOffset: number;
  /** Log end offset. */
  readonly logEndOffset: number;
  /** Log end offset minus committed offset. */
  readonly lag: number;
}

/** The seed's `ProtocolConsumerGroupInfo`. */
export interface ProtocolConsumerGroupInfo {
  /** Group id. */
  readonly groupId: string;
  /** Group state (`Stable`, `Empty`, `PreparingRebalance`, `Dead`, …). */
  readonly state: string;
  /** Protocol type (`consumer`). */
  readonly protocolType: string;
  /** Assignment protocol (`RoundRobinAssigner`, `range`, …). */
  readonly protocol: string;
  /** Members and their assignments. */
  readonly members: readonly ProtocolConsumerGroupMember[];
  /** Committed offsets and lag per partition. */
  readonly offsets: readonly ProtocolConsumerGroupOffset[];
  /** Sum of the lag over every partition. */
  readonly totalLag: number;
}

/** One partition of a topic. */
export interface ProtocolPartitionMetadata {
  /** Partition id. */
  readonly partition: number;
  /** Leader broker id (-1 when none). */
  readonly leader: number;
  /** Replica broker ids. */
  readonly replicas: readonly number[];
  /** In-sync replica broker ids. */
  readonly isr: readonly number[];
  /** Offline replica broker ids. */
  readonly offlineReplicas: readonly number[];
  /** Earliest available offset. */
  readonly earliestOffset: number;
  /** Log end offset. */
  readonly latestOffset: number;
}

/** The seed's `ProtocolTopicMetadata`. */
export interface ProtocolTopicMetadata {
  /** Topic name. */
  readonly topic: string;
  /** Partitions in id order. */
  readonly partitions: readonly ProtocolPartitionMetadata[];
  /** Number of partitions. */
  readonly partitionCount: number;
  /** Replicas per partition. */
  readonly replicationFactor: number;
}

/** The seed's `ProtocolKafkaMetrics`, for all producers and consumers of one client id. */
export interface ProtocolKafkaMetrics {
  /** Client id the metrics are for. */
  readonly clientId: string;
  /** Messages acknowledged by the broker. */
  readonly messagesProduced: number;
  /** Value + key bytes acknowledged. */
  readonly bytesProduced: number;
  /** Messages delivered to callers. */
  readonly messagesConsumed: number;
  /** Value + key bytes delivered. */
  readonly bytesConsumed: number;
  /** Produce batches sent. */
  readonly batchesSent: number;
  /** Messages per batch on average. */
  readonly averageBatchSize: number;
  /** Errors by code. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Latency of `produceMessage` calls. */
  readonly produceLatency: ProtocolLatencySummary;
  /** Consumer lag by `topic:partition`, as of the last fetch. */
  readonly consumerLag: Readonly<Record<string, number>>;
  /** Rebalances seen by consumers. */
  readonly rebalances: number;
  /** Connection state. */
  readonly connectionState: 'connected' | 'connecting' | 'disconnected';
}

/** The seed's `ProtocolKafkaClient`: producers, pull consumers, admin and metrics. */
export interface ProtocolKafkaClient {
  /** Creates and connects a producer; resolves with its id. */
  createProducer(config: ProtocolKafkaProducerConfig): Promise<string>;
  /** Creates a consumer; resolves with its id (it subscribes on first poll). */
  createConsumer(config: ProtocolKafkaConsumerConfig): Promise<string>;
  /** Produces one message and resolves with where it landed. */
  produceMessage(
    producerId: string,
    topic: string,
    key: Uint8Array | string | null,
    value: Uint8Array | string | null,
    options?: ProtocolKafkaProduceOptions,
  ): Promise<ProtocolKafkaProduceResult>;
  /** Returns the next messages, or an empty list at the deadline. @default timeoutMs 1000 */
  consumeMessages(consumerId: string, topics: readonly string[], timeoutMs?: number): Promise<ProtocolKafkaMessage[]>;
  /** Commits offsets (next offset to read); resolves true when committed. */
  commitOffsets(consumerId: string, offsets: ProtocolKafkaCommitOffsets): Promise<boolean>;
  /** Describes a consumer group with offsets and lag. */
  getConsumerGroupInfo(groupId: string): Promise<ProtocolConsumerGroupInfo>;
  /** Creates a topic; resolves true when created or already present with the same shape. */
  createTopic(topic: string, partitions: number, replicationFactor: number): Promise<boolean>;
  /** Deletes a topic; resolves true when deleted. */
  deleteTopic(topic: string): Promise<boolean>;
  /** Describes a topic's partitions and offsets. */
  getTopicMetadata(topic: string): Promise<ProtocolTopicMetadata>;
  /** Returns metrics for a client id. */
  getKafkaMetrics(clientId: string): Promise<ProtocolKafkaMetrics>;
}
