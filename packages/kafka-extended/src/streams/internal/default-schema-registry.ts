import type { ProtocolKafkaSaslConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import { KafkaSchemaRegistry, type SchemaRegistryApi } from '../../schema-registry/public-api.js';

/** A registry `KafkaExtended` created itself and must close. */
export interface OwnedSchemaRegistry extends SchemaRegistryApi {
  close(): Promise<void>;
}

/** Connection settings handed to the embedded registry. */
export interface RegistryConnection {
  readonly bootstrapServers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | ProtocolKafkaSslConfig;
  readonly sasl?: ProtocolKafkaSaslConfig;
}

/** The registry used when `KafkaExtended` gets none: the embedded one, persisted in a compacted topic of the same cluster. */
export function createDefaultSchemaRegistry(connection: RegistryConnection): OwnedSchemaRegistry {
  return new KafkaSchemaRegistry(connection);
}
