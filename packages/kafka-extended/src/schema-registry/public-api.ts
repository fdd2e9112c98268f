// Public exports of the schema registry and serializers (issue 6). Every export is named here.
export { COMPATIBILITY_LEVELS, isCompatibilityLevel } from './compatibility-level.js';
export type { CompatibilityLevel } from './compatibility-level.js';
export type {
  RegisteredSchemaInfo,
  RegistryConfig,
  SchemaById,
  SchemaCompatibilityOptions,
  SchemaRegistrationOptions,
  SchemaRegistryAdminApi,
  SchemaRegistryApi,
} from './schema-registry-api.js';
export { REGISTRY_MODES } from './store/registry-record.js';
export type { RegistryMode, SchemaMetadata, SchemaRuleSet } from './store/registry-record.js';
export { EmbeddedSchemaRegistry } from './store/embedded-schema-registry.js';
export type { SchemaRegistryMetrics } from './store/embedded-schema-registry.js';
export { KafkaSchemaRegistry } from './kafka-schema-registry.js';
export type { KafkaSchemaRegistryOptions } from './kafka-schema-registry.js';
export { InMemorySchemaRegistry } from './in-memory-schema-registry.js';
export type { InMemorySchemaRegistryOptions } from './in-memory-schema-registry.js';
export { RestSchemaRegistryClient } from './rest/rest-schema-registry-client.js';
export type { RestSchemaRegistryClientOptions } from './rest/rest-schema-registry-client.js';
export { SchemaRegistryServer } from './rest/schema-registry-server.js';
export type { SchemaRegistryServerOptions } from './rest/schema-registry-server.js';
export { AvroSerde } from './serde/avro-serde.js';
export type { AvroSerdeOptions } from './serde/avro-serde.js';
export { JsonSchemaSerde } from './serde/json-schema-serde.js';
export type { JsonSchemaSerdeOptions } from './serde/json-schema-serde.js';
export { ProtobufSerde } from './serde/protobuf-serde.js';
export type { ProtobufSerdeOptions } from './serde/protobuf-serde.js';
export { SchemaSerde } from './serde/schema-serde.js';
export type { SchemaSerdeOptions, Serde } from './serde/schema-serde.js';
export { SUBJECT_NAME_STRATEGIES, subjectName } from './serde/subject-name-strategy.js';
export type { SubjectNameStrategy } from './serde/subject-name-strategy.js';
export { MAGIC_BYTE, decodeMessageIndexes, encodeMessageIndexes, readSchemaId } from './serde/wire-format.js';
export {
  SchemaIdNotFoundError,
  SchemaIncompatibleError,
  SchemaInvalidError,
  SchemaInvalidLevelError,
  SchemaNotFoundError,
  SchemaNotSoftDeletedError,
  SchemaOperationNotPermittedError,
  SchemaReferencedError,
  SchemaReferenceNotFoundError,
  SchemaRegistryClosedError,
  SchemaRegistryError,
  SchemaRegistryHttpError,
  SchemaRegistryInvalidArgumentError,
  SchemaRegistryInvalidOptionError,
  SchemaRegistryStoreError,
  SchemaSubjectNotFoundError,
  SchemaVersionNotFoundError,
  SerdeInvalidPayloadError,
  SerdeUnknownMagicByteError,
} from './errors/schema-registry-errors.js';
