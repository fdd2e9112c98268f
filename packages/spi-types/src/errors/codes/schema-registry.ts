/** Error codes of `@onex/kafka-extended`'s schema registry and serializers. */
export const SCHEMA_REGISTRY_ERROR_CODES = [
  'SCHEMA_INVALID',
  'SCHEMA_INCOMPATIBLE',
  'SCHEMA_SUBJECT_NOT_FOUND',
  'SCHEMA_VERSION_NOT_FOUND',
  'SCHEMA_ID_NOT_FOUND',
  'SCHEMA_INVALID_LEVEL',
  'SCHEMA_REFERENCE_NOT_FOUND',
  'SCHEMA_REGISTRY_HTTP',
  'SERDE_UNKNOWN_MAGIC_BYTE',
  'SERDE_INVALID_PAYLOAD',
] as const;
/** A code of {@link SCHEMA_REGISTRY_ERROR_CODES}. */
export type SchemaRegistryErrorCode = (typeof SCHEMA_REGISTRY_ERROR_CODES)[number];
