import type { SchemaRegistryErrorCode } from '@onex/spi-types';

/** Confluent `error_code` and HTTP status of each registry error code served over REST. */
export const CONFLUENT_ERRORS: Readonly<Partial<Record<SchemaRegistryErrorCode, { readonly status: number; readonly errorCode: number }>>> = {
  SCHEMA_SUBJECT_NOT_FOUND: { status: 404, errorCode: 40401 },
  SCHEMA_VERSION_NOT_FOUND: { status: 404, errorCode: 40402 },
  SCHEMA_ID_NOT_FOUND: { status: 404, errorCode: 40403 },
  SCHEMA_NOT_FOUND: { status: 404, errorCode: 40403 },
  SCHEMA_NOT_SOFT_DELETED: { status: 404, errorCode: 40405 },
  SCHEMA_INVALID: { status: 422, errorCode: 42201 },
  SCHEMA_REFERENCE_NOT_FOUND: { status: 422, errorCode: 42201 },
  SCHEMA_REGISTRY_INVALID_ARGUMENT: { status: 422, errorCode: 42202 },
  SCHEMA_INVALID_LEVEL: { status: 422, errorCode: 42203 },
  SCHEMA_REFERENCED: { status: 422, errorCode: 42206 },
  SCHEMA_INCOMPATIBLE: { status: 409, errorCode: 409 },
  SCHEMA_REGISTRY_STORE: { status: 500, errorCode: 50001 },
  SCHEMA_REGISTRY_CLOSED: { status: 503, errorCode: 50003 },
  SCHEMA_OPERATION_NOT_PERMITTED: { status: 422, errorCode: 42205 },
};
