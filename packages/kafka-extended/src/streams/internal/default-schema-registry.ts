import type { ProtocolKafkaSaslConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import type { SchemaRegistryApi } from '../../schema-registry/schema-registry-api.js';

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

// TEMPORARY until KafkaSchemaRegistry lands in ../../schema-registry (issue 6).
export function createDefaultSchemaRegistry(_connection: RegistryConnection): OwnedSchemaRegistry {
  throw new Error('KafkaSchemaRegistry is not available yet');
}
