import { checkKafkaSasl, checkKafkaSsl, describeValue, type KafkaSecurityErrorFactory } from '@onex/spi-types/support';
import kafkajs from 'kafkajs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ProtocolKafkaConnectionConfig } from '@onex/spi-types';
import type { KafkaConsumerConfig, KafkaProducerConfig } from '../kafka-config.js';
import { KafkaCodecUnavailableError, KafkaConfigError } from '../errors/kafka-errors.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, registerCompressionCodecs } from './compression.js';
import { boolOption, enumOption, intOption, stringOption } from './validate.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** Connection settings after validation, in kafkajs terms. */
export type ResolvedConnection = Pick<KafkaConfig, 'brokers' | 'clientId' | 'ssl' | 'sasl' | 'connectionTimeout' | 'requestTimeout'> & {
  readonly brokers: string[];
  readonly clientId: string;
  readonly requestTimeout: number;
};

/** Producer settings after validation. */
export interface ResolvedProducerConfig {
  readonly connection: ResolvedConnection;
  readonly acks: -1 | 0 | 1;
  readonly retries: number;
  readonly idempotent: boolean;
  readonly compression: number;
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly maxMessageBytes: number;
  readonly bufferMemoryBytes: number;
  readonly maxBlockMs: number;
  readonly deliveryTimeoutMs: number;
  /** Produce requests in flight at once per broker, each for other partitions over its own connection. */
  readonly maxInFlightRequests: number;
  /** True when `retries` was not set: a request whose outcome is unknown is resent until `deliveryTimeoutMs`. */
  readonly resendUntilDeliveryTimeout: boolean;
}

/** Consumer settings after validation. */
export interface ResolvedConsumerConfig {
  readonly connection: ResolvedConnection;
  readonly groupId: string;
  readonly fromBeginning: boolean;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxPollRecords: number;
  readonly readUncommitted: boolean;
  readonly maxBufferedRecords: number;
  readonly fetchMaxWaitMs: number;
  readonly maxPollIntervalMs: number;
  readonly maxDecompressedBatchBytes: number;
}

const securityError: KafkaSecurityErrorFactory = (option, requirement, value, { secret, cause }) =>
  new KafkaConfigError(`\`${option}\` ${requirement}, got ${secret ? '<redacted>' : describeValue(value)}`, { details: { option }, ...(cause === undefined ? {} : { cause }) });

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/** Validates connection settings (`bootstrapServers`, `clientId`, TLS, SASL, timeouts). */
export function resolveConnection(config: Partial<ProtocolKafkaConnectionConfig>, defaultClientId = 'onex'): ResolvedConnection {
  // Every kafkajs client this package makes starts here, so each can compress and read every codec.
  registerCompressionCodecs();
  const servers = config.bootstrapServers;
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new KafkaConfigError(`\`bootstrapServers\` must be a non-empty list of "host:port", got ${describeValue(servers)}`, {
      details: { option: 'bootstrapServers', value: servers },
    });
  }
  for (const server of servers as unknown[]) {
    const match = typeof server === 'string' ? HOST_PORT.exec(server) : null;
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new KafkaConfigError(`\`bootstrapServers\` entries must be "host:port", got ${describeValue(server)}`, {
        details: { option: 'bootstrapServers', value: server },
      });
    }
  }
  const clientId = stringOption('clientId', config.clientId, defaultClientId);
  const connectionTimeout = intOption('connectionTimeoutMs', config.connectionTimeoutMs, 10_000, 1);
  const requestTimeout = intOption('requestTimeoutMs', config.requestTimeoutMs, 30_000, 1);
  const ssl = checkKafkaSsl(config.ssl, 'ssl', securityError);
  // What this package accepted before the checks were shared stays accepted: PLAIN by default, an empty password.
  const sasl = checkKafkaSasl(config.sasl, 'sasl', securityError, { defaultMechanism: 'plain', allowEmptyPassword: true }) as SASLOptions | undefined;
  return {
    brokers: [...(servers as string[])],
    clientId,
    connectionTimeout,
    requestTimeout,
    ...(ssl !== undefined ? { ssl: typeof ssl === 'boolean' ? ssl : { ...ssl, rejectUnauthorized: ssl.rejectUnauthorized ?? true } } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  };
}

const COMPRESSION: Record<string, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** True when kafkajs has a codec for this compression (gzip is kafkajs's; snappy, lz4 and zstd this package registers). */
export function isCodecAvailable(compression: string): boolean {
  registerCompressionCodecs();
  const type = COMPRESSION[compression];
  if (type === undefined) return false;
  if (type === CompressionTypes.None) return true;
  try {
    const factory = (CompressionCodecs as Record<number, (() => unknown) | undefined>)[type];
    return factory !== undefined && factory() !== undefined;
  } catch {
    return false;
  }
}

/** Validates a producer config. */
export function resolveProducerConfig(config: KafkaProducerConfig): ResolvedProducerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new KafkaConfigError(`producer config must be an object, got ${describeValue(config)}`);
  }
  const connection = resolveConnection(config);
  const acksOption = enumOption('acks', config.acks, 'all', ['all', -1, 0, 1] as const);
  const acks = acksOption === 'all' ? -1 : acksOption;
  const idempotent = boolOption('enableIdempotence', config.enableIdempotence, true);
  if (idempotent && acks !== -1) {
    throw new KafkaConfigError(`\`acks\` must be 'all' when \`enableIdempotence\` is true, got ${describeValue(config.acks)}`, {
      details: { option: 'acks', value: config.acks },
    });
  }
  const compressionName = enumOption('compression', config.compression, 'gzip', ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const);
  if (!isCodecAvailable(compressionName)) {
    throw new KafkaCodecUnavailableError(
      `\`compression\` ${JSON.stringify(compressionName)} needs a codec in kafkajs CompressionCodecs, and the registered one failed to load`,
      { details: { option: 'compression', value: compressionName } },
    );
  }
  const maxBatchBytes = intOption('maxBatchBytes', config.maxBatchBytes, 1_048_576, 1);
  const maxMessageBytes = intOption('maxMessageBytes', config.maxMessageBytes, 1_048_576, 1);
  // As the Java client: 32 MiB of buffer, and a send waits at most a minute for room in it.
  const bufferMemoryBytes = intOption('bufferMemoryBytes', config.bufferMemoryBytes, 33_554_432, 1);
  const maxBlockMs = intOption('maxBlockMs', config.maxBlockMs, 60_000, 0);
  const lingerMs = intOption('lingerMs', config.lingerMs, 0, 0, 60_000);
  // As the Java client: two minutes from the call to the acknowledgement, and never less than one
  // linger plus one request, or a message could time out before its first request could answer.
  const deliveryTimeoutMs = intOption('deliveryTimeoutMs', config.deliveryTimeoutMs, 120_000, 1);
  if (deliveryTimeoutMs < lingerMs + connection.requestTimeout) {
    throw new KafkaConfigError(
      `\`deliveryTimeoutMs\` must be at least \`lingerMs\` + \`requestTimeoutMs\` (${lingerMs} + ${connection.requestTimeout} = ${lingerMs + connection.requestTimeout}), got ${deliveryTimeoutMs}`,
      { details: { option: 'deliveryTimeoutMs', value: deliveryTimeoutMs } },
    );
  }
  const retries = intOption('retries', config.retries, 5, 0);
  if (idempotent && retries === 0) {
    // kafkajs refuses it too, but only inside connect, as a produce failure.
    throw new KafkaConfigError(
      `\`retries\` must be at least 1 when \`enableIdempotence\` is true (the default), got 0: set \`enableIdempotence: false\` to send without retries`,
      { details: { option: 'retries', value: 0 } },
    );
  }
  return {
    connection,
    acks,
    retries,
    idempotent,
    compression: COMPRESSION[compressionName]!,
    lingerMs,
    // kafkajs's idempotent producer sends one request per broker at a time, so records per request set
    // the pace; maxBatchBytes still caps a request. It was 500 while kafkajs grouped a request's records
    // copying the partition's array once per record (quadratic); since the producer groups them in one
    // step (kafkajs-produce-request.ts), 2000 measured 1.09x and 1.18x @platformatic/kafka where 500
    // measured 0.85x (kafka.produce-200k, packages/kafka/bench/kafka.bench.ts).
    batchSize: intOption('batchSize', config.batchSize, 2000, 1),
    maxBatchBytes,
    maxMessageBytes,
    bufferMemoryBytes,
    maxBlockMs,
    deliveryTimeoutMs,
    // As the Java client's max.in.flight.requests.per.connection: 5 requests per broker at once.
    maxInFlightRequests: intOption('maxInFlightRequests', config.maxInFlightRequests, 5, 1, 64),
    resendUntilDeliveryTimeout: config.retries === undefined,
  };
}

/** Validates a consumer config. */
export function resolveConsumerConfig(config: KafkaConsumerConfig): ResolvedConsumerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new KafkaConfigError(`consumer config must be an object, got ${describeValue(config)}`);
  }
  const connection = resolveConnection(config);
  const sessionTimeoutMs = intOption('sessionTimeoutMs', config.sessionTimeoutMs, 30_000, 1);
  const heartbeatIntervalMs = intOption('heartbeatIntervalMs', config.heartbeatIntervalMs, 3_000, 1);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new KafkaConfigError(
      `\`heartbeatIntervalMs\` must be lower than \`sessionTimeoutMs\` (${sessionTimeoutMs}), got ${heartbeatIntervalMs}`,
      { details: { option: 'heartbeatIntervalMs', value: heartbeatIntervalMs } },
    );
  }
  const maxPollRecords = intOption('maxPollRecords', config.maxPollRecords, 500, 1);
  return {
    connection,
    groupId: stringOption('groupId', config.groupId),
    fromBeginning: enumOption('autoOffsetReset', config.autoOffsetReset, 'latest', ['earliest', 'latest'] as const) === 'earliest',
    autoCommit: boolOption('enableAutoCommit', config.enableAutoCommit, true),
    autoCommitIntervalMs: intOption('autoCommitIntervalMs', config.autoCommitIntervalMs, 5_000, 0),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollRecords,
    readUncommitted:
      enumOption('isolationLevel', config.isolationLevel, 'read_uncommitted', ['read_uncommitted', 'read_committed'] as const) ===
      'read_uncommitted',
    maxBufferedRecords: intOption('maxBufferedRecords', config.maxBufferedRecords, Math.max(50_000, maxPollRecords), 1),
    fetchMaxWaitMs: intOption('fetchMaxWaitMs', config.fetchMaxWaitMs, 500, 0),
    maxPollIntervalMs: intOption('maxPollIntervalMs', config.maxPollIntervalMs, 300_000, 1),
    maxDecompressedBatchBytes: intOption('maxDecompressedBatchBytes', config.maxDecompressedBatchBytes, DEFAULT_MAX_DECOMPRESSED_BYTES, 1, 2 ** 31 - 1),
  };
}
