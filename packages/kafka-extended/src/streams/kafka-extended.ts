import type {
  LiteralSchemaType,
  ProtocolCompatibilityResult,
  ProtocolKafkaConnectionConfig,
  ProtocolKafkaDiagnostics,
  ProtocolKafkaExtended,
  ProtocolKafkaSecurityConfig,
  ProtocolKafkaStreamProcessor,
  ProtocolSchemaDefinition,
  ProtocolSchemaInfo,
  ProtocolSchemaOptions,
} from '@onex/spi-types';
import type { Admin } from 'kafkajs';
import type { SchemaById, SchemaRegistryApi } from '../schema-registry/public-api.js';
import {
  InvalidTopicConfigError,
  KafkaExtendedArgumentError,
  KafkaExtendedClosedError,
  KafkaExtendedConfigError,
  TopicNotFoundError,
  UnknownStreamProcessorError,
} from './errors/kafka-extended-error.js';
import { channels } from './internal/channels.js';
import { collectDiagnostics } from './internal/collect-diagnostics.js';
import { createDefaultSchemaRegistry, type OwnedSchemaRegistry } from './internal/default-schema-registry.js';
import { createKafka, type ConnectionSettings } from './internal/kafka-factory.js';
import { toAdminError } from './internal/kafkajs-errors.js';
import { validateSecurity, type SecuritySettings } from './internal/security-settings.js';
import { StreamProcessor, type StreamProcessorSettings } from './internal/stream-processor.js';
import { bootstrapServers, integerIn, isRecord, nonEmptyString, oneOf, topicName } from './internal/validate.js';
import { recommendProducerSettings, type ProducerRecommendation, type ProducerTuningGoal } from './producer-recommendations.js';
import type { KafkaStreamProcessorConfig, StreamProcessorMetrics, StreamProcessorStatus } from './stream-processor-types.js';
import { normalizeTopicConfigs } from './topic-config-rules.js';

/** Options of {@link KafkaExtended}: the cluster to talk to, plus an optional schema registry. */
export interface KafkaExtendedOptions extends ProtocolKafkaConnectionConfig {
  /**
   * Registry behind `registerSchema`, `getSchema` and `checkSchemaCompatibility`.
   * @default a `KafkaSchemaRegistry` on the same cluster, created on first use and closed by `close()`
   */
  readonly schemaRegistry?: SchemaRegistryApi;
  /** Total group lag above which diagnostics report `CONSUMER_LAG`. @default 1000 */
  readonly lagWarningThreshold?: number;
}

/** Options of {@link KafkaExtended.getKafkaDiagnostics}. */
export interface KafkaDiagnosticsOptions {
  /** Only this topic (and the groups that committed offsets on it). @default every non-internal topic */
  readonly topic?: string;
  /** Overrides the instance's `lagWarningThreshold` for this run. */
  readonly lagWarningThreshold?: number;
}

/** Options of {@link KafkaExtended.optimizeKafkaPerformance}. */
export interface OptimizeTopicOptions {
  /** Ask the broker to validate without applying. @default false */
  readonly validateOnly?: boolean;
}

/** Options of {@link KafkaExtended.configureKafkaSecurity}. */
export interface ConfigureSecurityOptions {
  /** Connect with the new settings before accepting them; a rejection keeps the previous settings. @default false */
  readonly verify?: boolean;
}

const TOPIC_RESOURCE = 2;
const TOPIC_CONFIG_SOURCE = 1;
const GUARANTEES = ['at_least_once', 'exactly_once'] as const;
const STREAM_CONFIG_KEYS = new Set([
  'applicationId', 'bootstrapServers', 'clientId', 'ssl', 'sasl', 'connectionTimeoutMs', 'requestTimeoutMs',
  'processingGuarantee', 'concurrency', 'dlqTopic', 'maxRetries', 'autoOffsetReset', 'retryBackoffMs', 'processingTimeoutMs',
  'commitBatchSize', 'sessionTimeoutMs', 'heartbeatIntervalMs', 'instanceId', 'maxTransactionalProducers', 'transactionTimeoutMs', 'transactionRetries',
  'keySerde', 'valueSerde', 'createTopics', 'startTimeoutMs',
]);

/**
 * `ProtocolKafkaExtended` on kafkajs: stream processors (at-least-once and exactly-once), schema registry
 * delegation, topic tuning, cluster diagnostics and security settings.
 */
export class KafkaExtended implements ProtocolKafkaExtended {
  private readonly brokers: readonly string[];
  private readonly clientId: string;
  private readonly connectionTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly lagWarningThreshold: number;
  private security: SecuritySettings;
  private readonly processors = new Map<string, StreamProcessor>();
  private readonly injectedRegistry: SchemaRegistryApi | undefined;
  private ownedRegistry: OwnedSchemaRegistry | undefined;
  private admin: Promise<Admin> | undefined;
  private nextProcessor = 1;
  private closed = false;

  /**
   * @throws KafkaExtendedConfigError when an option is invalid (the message names it and the bad value)
   */
  constructor(options: KafkaExtendedOptions) {
    if (!isRecord(options)) throw new KafkaExtendedConfigError('options', 'must be an object', options);
    this.brokers = bootstrapServers('bootstrapServers', options.bootstrapServers);
    this.clientId = options.clientId === undefined ? 'onex' : nonEmptyString('clientId', options.clientId);
    this.connectionTimeoutMs = integerIn('connectionTimeoutMs', options.connectionTimeoutMs, 10_000, 1);
    this.requestTimeoutMs = integerIn('requestTimeoutMs', options.requestTimeoutMs, 30_000, 1);
    this.lagWarningThreshold = integerIn('lagWarningThreshold', options.lagWarningThreshold, 1_000, 0);
    this.security = validateSecurity({ ...(options.ssl !== undefined ? { ssl: options.ssl } : {}), ...(options.sasl !== undefined ? { sasl: options.sasl } : {}) }, '');
    const registry = options.schemaRegistry;
    if (registry !== undefined) {
      for (const method of ['registerSchema', 'getSchema', 'checkSchemaCompatibility', 'getSchemaById'] as const) {
        if (typeof (registry as unknown as Record<string, unknown>)?.[method] !== 'function') {
          throw new KafkaExtendedConfigError('schemaRegistry', `must implement SchemaRegistryApi (missing ${method}())`, registry);
        }
      }
    }
    this.injectedRegistry = registry;
  }

  // ---------------------------------------------------------------- stream processors

  /**
   * Validates a processor's settings and registers it; nothing connects until `processKafkaStream`.
   * @throws KafkaExtendedConfigError when a setting is invalid
   */
  async createStreamProcessor(config: KafkaStreamProcessorConfig): Promise<string> {
    this.assertOpen('create a stream processor');
    if (!isRecord(config)) throw new KafkaExtendedConfigError('config', 'must be an object', config);
    for (const key of Object.keys(config)) {
      if (!STREAM_CONFIG_KEYS.has(key)) throw new KafkaExtendedConfigError(`config.${key}`, 'is not a stream processor option', (config as unknown as Record<string, unknown>)[key]);
    }
    const applicationId = nonEmptyString('config.applicationId', config.applicationId);
    if (!/^[a-zA-Z0-9._-]{1,200}$/.test(applicationId)) {
      throw new KafkaExtendedConfigError('config.applicationId', 'must be 1-200 of [a-zA-Z0-9._-] (it prefixes the group and transactional ids)', applicationId);
    }
    const brokers = bootstrapServers('config.bootstrapServers', config.bootstrapServers);
    const clientId = config.clientId === undefined ? this.clientId : nonEmptyString('config.clientId', config.clientId);
    const ownSecurity =
      config.ssl !== undefined || config.sasl !== undefined
        ? validateSecurity({ ...(config.ssl !== undefined ? { ssl: config.ssl } : {}), ...(config.sasl !== undefined ? { sasl: config.sasl } : {}) }, 'config')
        : undefined;
    const guarantee = oneOf('config.processingGuarantee', config.processingGuarantee, 'at_least_once', GUARANTEES);
    if (config.instanceId !== undefined) nonEmptyString('config.instanceId', config.instanceId);
    const sessionTimeoutMs = integerIn('config.sessionTimeoutMs', config.sessionTimeoutMs, 30_000, 1_000);
    const heartbeatIntervalMs = integerIn('config.heartbeatIntervalMs', config.heartbeatIntervalMs, Math.min(3_000, Math.floor(sessionTimeoutMs / 3)), 100);
    if (heartbeatIntervalMs >= sessionTimeoutMs) {
      throw new KafkaExtendedConfigError('config.heartbeatIntervalMs', `must be below config.sessionTimeoutMs (${sessionTimeoutMs})`, heartbeatIntervalMs);
    }
    for (const serde of ['keySerde', 'valueSerde'] as const) {
      const value = config[serde];
      if (value !== undefined && (!isRecord(value) || typeof value['serialize'] !== 'function' || typeof value['deserialize'] !== 'function')) {
        throw new KafkaExtendedConfigError(`config.${serde}`, 'must have serialize(topic, value) and deserialize(topic, bytes)', value);
      }
    }
    if (config.createTopics !== undefined && typeof config.createTopics !== 'boolean') {
      throw new KafkaExtendedConfigError('config.createTopics', 'must be a boolean', config.createTopics);
    }
    const processorId = `${applicationId}#${this.nextProcessor++}`;
    const connectionTimeoutMs = integerIn('config.connectionTimeoutMs', config.connectionTimeoutMs, this.connectionTimeoutMs, 1);
    const requestTimeoutMs = integerIn('config.requestTimeoutMs', config.requestTimeoutMs, this.requestTimeoutMs, 1);
    const settings: StreamProcessorSettings = {
      processorId,
      applicationId,
      guarantee,
      concurrency: integerIn('config.concurrency', config.concurrency, 1, 1, 1_000),
      dlqTopic: config.dlqTopic === undefined ? `${applicationId}.dlq` : topicName('config.dlqTopic', config.dlqTopic),
      maxRetries: integerIn('config.maxRetries', config.maxRetries, 2, 0, 100),
      retryBackoffMs: integerIn('config.retryBackoffMs', config.retryBackoffMs, 100, 0, 60_000),
      processingTimeoutMs: integerIn('config.processingTimeoutMs', config.processingTimeoutMs, 30_000, 1),
      commitBatchSize: integerIn('config.commitBatchSize', config.commitBatchSize, 500, 1, 100_000),
      sessionTimeoutMs,
      heartbeatIntervalMs,
      transactionalIdPrefix: applicationId,
      maxTransactionalProducers: integerIn('config.maxTransactionalProducers', config.maxTransactionalProducers, 1_000, 1, 100_000),
      transactionTimeoutMs: integerIn('config.transactionTimeoutMs', config.transactionTimeoutMs, 60_000, 1_000),
      transactionRetries: integerIn('config.transactionRetries', config.transactionRetries, 5, 1, 100),
      fromBeginning: oneOf('config.autoOffsetReset', config.autoOffsetReset, 'earliest', ['earliest', 'latest'] as const) === 'earliest',
      keySerde: config.keySerde,
      valueSerde: config.valueSerde,
      createTopics: config.createTopics ?? true,
      startTimeoutMs: integerIn('config.startTimeoutMs', config.startTimeoutMs, 60_000, 1),
      connection: () => ({ brokers, clientId, connectionTimeoutMs, requestTimeoutMs, security: ownSecurity ?? this.security }),
    };
    this.processors.set(processorId, new StreamProcessor(settings));
    return processorId;
  }

  /**
   * Starts consuming `inputTopics` through `processorFunc` into `outputTopic`; resolves true once the
   * processor's consumer has joined its group.
   * @throws UnknownStreamProcessorError, StreamProcessorStateError (already running),
   * KafkaExtendedArgumentError (bad topics or function), KafkaExtendedAuthenticationError, KafkaExtendedConnectionError, KafkaExtendedTimeoutError
   */
  async processKafkaStream(
    processorId: string,
    inputTopics: readonly string[],
    outputTopic: string,
    processorFunc: ProtocolKafkaStreamProcessor,
  ): Promise<boolean> {
    this.assertOpen('start a stream processor');
    const processor = this.processor(processorId);
    if (!Array.isArray(inputTopics) || inputTopics.length === 0) {
      throw new KafkaExtendedArgumentError('inputTopics', 'must be a non-empty array of topic names', inputTopics);
    }
    const inputs = inputTopics.map((t, i) => argTopic(`inputTopics[${i}]`, t));
    if (new Set(inputs).size !== inputs.length) throw new KafkaExtendedArgumentError('inputTopics', 'must not repeat a topic', inputTopics);
    const output = argTopic('outputTopic', outputTopic);
    if (inputs.includes(output)) throw new KafkaExtendedArgumentError('outputTopic', 'must not be one of the input topics (the processor would consume its own output)', outputTopic);
    if (inputs.includes(processor.settings.dlqTopic)) {
      throw new KafkaExtendedArgumentError('inputTopics', `must not contain the processor's DLQ topic '${processor.settings.dlqTopic}'`, inputTopics);
    }
    const valid =
      typeof processorFunc === 'function' ||
      (typeof processorFunc === 'object' && processorFunc !== null && typeof (processorFunc as { process?: unknown }).process === 'function');
    if (!valid) throw new KafkaExtendedArgumentError('processorFunc', 'must be a function or an object with process(record)', processorFunc);
    await processor.start(inputs, output, processorFunc);
    return true;
  }

  /** Stops a processor after its in-flight message: outputs are produced and offsets committed, then clients disconnect. */
  async stopStreamProcessor(processorId: string): Promise<void> {
    await this.processor(processorId).stop();
  }

  /** Stops a processor and forgets it. */
  async deleteStreamProcessor(processorId: string): Promise<void> {
    await this.processor(processorId).stop();
    this.processors.delete(processorId);
  }

  /**
   * State, topics and metrics of a processor.
   * @throws UnknownStreamProcessorError
   */
  async getStreamProcessorStatus(processorId: string): Promise<StreamProcessorStatus> {
    return this.processor(processorId).status();
  }

  /**
   * Metrics snapshot of a processor: records in/out/DLQ, retries, lag per partition, latency, last error.
   * @throws UnknownStreamProcessorError
   */
  async getStreamProcessorMetrics(processorId: string): Promise<StreamProcessorMetrics> {
    return this.processor(processorId).metrics();
  }

  /** Ids of every registered processor. */
  listStreamProcessors(): string[] {
    return [...this.processors.keys()];
  }

  // ---------------------------------------------------------------- schema registry

  /** Registers a schema through the schema registry; resolves with its global id. */
  async registerSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    schemaType: LiteralSchemaType,
    options?: Pick<ProtocolSchemaOptions, 'references'>,
  ): Promise<number> {
    return this.registry().registerSchema(subject, schema, schemaType, options);
  }

  /** Fetches a version of a subject (the latest when omitted) from the schema registry. */
  async getSchema(subject: string, options?: { readonly version?: number }): Promise<ProtocolSchemaInfo> {
    return this.registry().getSchema(subject, options);
  }

  /** Checks a schema against a subject under its compatibility level. */
  async checkSchemaCompatibility(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options?: ProtocolSchemaOptions,
  ): Promise<ProtocolCompatibilityResult> {
    return this.registry().checkSchemaCompatibility(subject, schema, options);
  }

  /** Fetches a schema by global id (so a `KafkaExtended` can back the schema-registry serdes). */
  async getSchemaById(id: number): Promise<SchemaById> {
    return this.registry().getSchemaById(id);
  }

  // ---------------------------------------------------------------- tuning

  /**
   * Validates topic configs and applies them with describe + alter (read-modify-write: the topic's other
   * dynamic configs are kept, since kafkajs has no incremental alter); resolves true when applied.
   * @throws InvalidTopicConfigError (unknown key, bad value, min.insync.replicas above the replication
   * factor, or refused by the broker), TopicNotFoundError, KafkaExtendedAdminError
   */
  async optimizeKafkaPerformance(topic: string, settings: Readonly<Record<string, unknown>>, options: OptimizeTopicOptions = {}): Promise<boolean> {
    this.assertOpen('optimize a topic');
    const name = argTopic('topic', topic);
    const changes = normalizeTopicConfigs(settings);
    if (options.validateOnly !== undefined && typeof options.validateOnly !== 'boolean') {
      throw new KafkaExtendedArgumentError('options.validateOnly', 'must be a boolean', options.validateOnly);
    }
    const admin = await this.getAdmin();
    const brokers = this.brokers;
    const metadata = await admin.fetchTopicMetadata({ topics: [name] }).catch((error: unknown) => {
      throw toAdminError(error, `describe topic '${name}'`, brokers, name);
    });
    const partitions = metadata.topics.find((t) => t.name === name)?.partitions ?? [];
    if (partitions.length === 0) throw new TopicNotFoundError(name);
    const minIsr = changes['min.insync.replicas'];
    if (minIsr !== undefined) {
      const replicationFactor = Math.max(...partitions.map((p) => p.replicas.length));
      if (Number(minIsr) > replicationFactor) {
        throw new InvalidTopicConfigError('min.insync.replicas', `must not exceed the replication factor ${replicationFactor} of '${name}' (acks=all writes would all fail), got ${minIsr}`);
      }
    }
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name }] }).catch((error: unknown) => {
      throw toAdminError(error, `describe configs of '${name}'`, brokers, name);
    });
    const current: Record<string, string> = {};
    for (const entry of described.resources[0]?.configEntries ?? []) {
      if (entry.configSource === TOPIC_CONFIG_SOURCE && !entry.isSensitive && entry.configValue !== null) current[entry.configName] = entry.configValue;
    }
    const merged = { ...current, ...changes };
    const validateOnly = options.validateOnly ?? false;
    await admin
      .alterConfigs({
        validateOnly,
        resources: [{ type: TOPIC_RESOURCE, name, configEntries: Object.entries(merged).map(([configName, configValue]) => ({ name: configName, value: configValue })) }],
      })
      .catch((error: unknown) => {
        const type = (error as { type?: string }).type;
        if (type === 'INVALID_CONFIG' || type === 'POLICY_VIOLATION' || type === 'INVALID_REQUEST') {
          throw new InvalidTopicConfigError(Object.keys(changes).join(','), `was refused by the broker: ${(error as Error).message}`, { cause: error });
        }
        throw toAdminError(error, `alter configs of '${name}'`, brokers, name);
      });
    if (channels.topicConfig.hasSubscribers) channels.topicConfig.publish({ topic: name, configs: changes, validateOnly });
    return true;
  }

  /**
   * Recommended producer settings (and matching topic configs) for a goal.
   * @throws KafkaExtendedArgumentError for an unknown goal
   */
  recommendProducerSettings(goal: ProducerTuningGoal): ProducerRecommendation {
    return recommendProducerSettings(goal);
  }

  // ---------------------------------------------------------------- diagnostics

  /**
   * Brokers and controller, partition health, group lag and configuration findings with a severity and
   * a suggested action.
   * @throws TopicNotFoundError when `topic` does not exist, KafkaExtendedAuthenticationError, KafkaExtendedConnectionError, KafkaExtendedTimeoutError, KafkaExtendedAdminError
   */
  async getKafkaDiagnostics(options: KafkaDiagnosticsOptions = {}): Promise<ProtocolKafkaDiagnostics> {
    this.assertOpen('collect diagnostics');
    if (!isRecord(options)) throw new KafkaExtendedArgumentError('options', 'must be an object', options);
    const topic = options.topic === undefined ? undefined : argTopic('options.topic', options.topic);
    let threshold = this.lagWarningThreshold;
    const requested: unknown = options.lagWarningThreshold;
    if (requested !== undefined) {
      if (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested < 0) {
        throw new KafkaExtendedArgumentError('options.lagWarningThreshold', 'must be a non-negative integer', requested);
      }
      threshold = requested;
    }
    const admin = await this.getAdmin();
    try {
      return await collectDiagnostics(admin, { topic, lagWarningThreshold: threshold });
    } catch (error) {
      throw toAdminError(error, 'collect diagnostics', this.brokers, topic);
    }
  }

  // ---------------------------------------------------------------- security

  /**
   * Validates SSL/SASL settings eagerly and applies them to clients created afterwards (admin, processors
   * started later, the default schema registry); resolves true.
   * @throws KafkaExtendedConfigError for invalid settings, KafkaExtendedAuthenticationError, KafkaExtendedConnectionError or KafkaExtendedTimeoutError
   * with `verify` when the brokers reject them (the previous settings stay in force)
   */
  async configureKafkaSecurity(securityConfig: ProtocolKafkaSecurityConfig, options: ConfigureSecurityOptions = {}): Promise<boolean> {
    this.assertOpen('configure security');
    const next = validateSecurity(securityConfig, 'securityConfig');
    if (options.verify !== undefined && typeof options.verify !== 'boolean') {
      throw new KafkaExtendedArgumentError('options.verify', 'must be a boolean', options.verify);
    }
    if (options.verify) {
      const admin = createKafka(this.connection(next), 0).admin();
      try {
        await admin.connect();
        await admin.describeCluster();
      } catch (error) {
        throw toAdminError(error, 'verify security settings', this.brokers);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    this.security = next;
    const previous = this.admin;
    this.admin = undefined;
    if (previous) await previous.then((a) => a.disconnect()).catch(() => undefined);
    if (channels.security.hasSubscribers) {
      channels.security.publish({ ssl: next.ssl !== undefined && next.ssl !== false, saslMechanism: next.sasl?.mechanism ?? null });
    }
    return true;
  }

  /** Stops every processor (drain + commit), disconnects the admin client and closes the registry it created. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.processors.values()].map((p) => p.stop()));
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((a) => a.disconnect()).catch(() => undefined);
    const registry = this.ownedRegistry;
    this.ownedRegistry = undefined;
    if (registry) await registry.close().catch(() => undefined);
  }

  // ---------------------------------------------------------------- internals

  private processor(processorId: string): StreamProcessor {
    const processor = typeof processorId === 'string' ? this.processors.get(processorId) : undefined;
    if (!processor) throw new UnknownStreamProcessorError(String(processorId));
    return processor;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new KafkaExtendedClosedError(operation);
  }

  private connection(security: SecuritySettings = this.security): ConnectionSettings {
    return { brokers: this.brokers, clientId: this.clientId, connectionTimeoutMs: this.connectionTimeoutMs, requestTimeoutMs: this.requestTimeoutMs, security };
  }

  private registry(): SchemaRegistryApi {
    this.assertOpen('use the schema registry');
    if (this.injectedRegistry) return this.injectedRegistry;
    this.ownedRegistry ??= createDefaultSchemaRegistry({
      bootstrapServers: this.brokers,
      clientId: this.clientId,
      ...this.security.source,
    });
    return this.ownedRegistry;
  }

  private getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = createKafka(this.connection(), 2).admin();
      const connecting = admin.connect().then(
        () => admin,
        (error: unknown) => {
          if (this.admin === connecting) this.admin = undefined;
          throw toAdminError(error, 'connect admin client', this.brokers);
        },
      );
      this.admin = connecting;
    }
    return this.admin;
  }
}

function argTopic(argument: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new KafkaExtendedArgumentError(argument, 'must be a Kafka topic name (1-249 of [a-zA-Z0-9._-])', value);
  }
  return value;
}
