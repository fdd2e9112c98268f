import { describeValue } from '@onex/spi-types/support';
import type { ProtocolKafkaSaslConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import { toCompatibilityLevel, type CompatibilityLevel } from './compatibility-level.js';
import { SchemaRegistryInvalidOptionError } from './errors/schema-registry-errors.js';
import { EmbeddedSchemaRegistry } from './store/embedded-schema-registry.js';
import { KafkaRegistryLog } from './store/kafka-registry-log.js';
import { registryOptionCheck } from './errors/registry-option-check.js';

/** Options of {@link KafkaSchemaRegistry}. */
export interface KafkaSchemaRegistryOptions {
  /** `host:port` of one or more brokers. */
  readonly bootstrapServers: readonly string[];
  /** Compacted single-partition topic holding the registry. @default '_onex_schemas' */
  readonly topic?: string;
  /** Client id sent to the brokers. @default 'onex-schema-registry' */
  readonly clientId?: string;
  /** TLS settings. */
  readonly ssl?: boolean | ProtocolKafkaSslConfig;
  /** SASL settings. */
  readonly sasl?: ProtocolKafkaSaslConfig;
  /** Level of subjects without their own, until a global level is stored. @default 'BACKWARD' */
  readonly defaultCompatibility?: CompatibilityLevel;
  /** Replication factor when the topic is created. @default the broker's default.replication.factor */
  readonly replicationFactor?: number;
  /** Longest wait for the topic to be read up to a write or to its end, in ms. @default 30000 */
  readonly timeoutMs?: number;
}

function positiveInteger(value: unknown, name: string): number | undefined {
  return value === undefined ? undefined : registryOptionCheck.integer(name, value, { min: 1, max: Number.POSITIVE_INFINITY });
}

/**
 * The embedded schema registry persisted in a compacted Kafka topic: every process pointing at the
 * same cluster and topic sees the same subjects and ids, and a restarted process rebuilds its state
 * by replaying the topic. Connects lazily on first use (or on {@link start}).
 */
export class KafkaSchemaRegistry extends EmbeddedSchemaRegistry {
  /** The topic in use. */
  readonly topic: string;

  /** @throws {SchemaRegistryInvalidOptionError} / {SchemaInvalidLevelError} for invalid options */
  constructor(options: KafkaSchemaRegistryOptions) {
    if (options === null || typeof options !== 'object') {
      throw new SchemaRegistryInvalidOptionError(`options must be an object, got ${describeValue(options)}`);
    }
    const servers = options.bootstrapServers as unknown;
    if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || !/^[^\s:]+:\d+$/.test(s))) {
      throw new SchemaRegistryInvalidOptionError(`\`bootstrapServers\` must be a non-empty array of "host:port" strings, got ${describeValue(servers)}`);
    }
    const topic = options.topic ?? '_onex_schemas';
    if (typeof topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new SchemaRegistryInvalidOptionError(`\`topic\` must be a legal Kafka topic name, got ${describeValue(topic)}`);
    }
    const clientId = options.clientId ?? 'onex-schema-registry';
    if (typeof clientId !== 'string' || clientId === '') {
      throw new SchemaRegistryInvalidOptionError(`\`clientId\` must be a non-empty string, got ${describeValue(clientId)}`);
    }
    const level = toCompatibilityLevel(options.defaultCompatibility ?? 'BACKWARD', 'defaultCompatibility');
    const replicationFactor = positiveInteger(options.replicationFactor, 'replicationFactor');
    const timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs') ?? 30_000;
    super(
      new KafkaRegistryLog({
        bootstrapServers: servers as string[],
        topic,
        clientId,
        ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
        ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
        ...(replicationFactor === undefined ? {} : { replicationFactor }),
        timeoutMs,
      }),
      level,
    );
    this.topic = topic;
  }
}
