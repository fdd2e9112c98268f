import { OnexError, type OnexErrorOptions, type SchemaRegistryErrorCode } from '@onex/spi-types';

/** Base of every schema registry and serializer error; `code` is one of `SCHEMA_REGISTRY_ERROR_CODES`. */
export class SchemaRegistryError<C extends SchemaRegistryErrorCode = SchemaRegistryErrorCode> extends OnexError<C> {}

/** The schema text does not parse or is not a valid schema of its type (Confluent 42201). */
export class SchemaInvalidError extends SchemaRegistryError<'SCHEMA_INVALID'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_INVALID', message, options);
  }
}

/** The schema breaks the subject's compatibility level (Confluent 409); `messages` lists why. */
export class SchemaIncompatibleError extends SchemaRegistryError<'SCHEMA_INCOMPATIBLE'> {
  /** Every reason the schema is incompatible. */
  readonly messages: readonly string[];
  constructor(message: string, messages: readonly string[], options?: OnexErrorOptions) {
    super('SCHEMA_INCOMPATIBLE', message, { ...options, details: { ...options?.details, messages } });
    this.messages = messages;
  }
}

/** The subject does not exist, or all its versions are deleted (Confluent 40401). */
export class SchemaSubjectNotFoundError extends SchemaRegistryError<'SCHEMA_SUBJECT_NOT_FOUND'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_SUBJECT_NOT_FOUND', message, options);
  }
}

/** The subject has no such version (Confluent 40402). */
export class SchemaVersionNotFoundError extends SchemaRegistryError<'SCHEMA_VERSION_NOT_FOUND'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_VERSION_NOT_FOUND', message, options);
  }
}

/** No schema has this global id (Confluent 40403). */
export class SchemaIdNotFoundError extends SchemaRegistryError<'SCHEMA_ID_NOT_FOUND'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_ID_NOT_FOUND', message, options);
  }
}

/** The schema is not registered under the subject (lookup, Confluent 40403). */
export class SchemaNotFoundError extends SchemaRegistryError<'SCHEMA_NOT_FOUND'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_NOT_FOUND', message, options);
  }
}

/** The compatibility level is not one of NONE, BACKWARD, … (Confluent 42203). */
export class SchemaInvalidLevelError extends SchemaRegistryError<'SCHEMA_INVALID_LEVEL'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_INVALID_LEVEL', message, options);
  }
}

/** A schema reference names a subject/version that does not exist. */
export class SchemaReferenceNotFoundError extends SchemaRegistryError<'SCHEMA_REFERENCE_NOT_FOUND'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REFERENCE_NOT_FOUND', message, options);
  }
}

/** A permanent delete was asked for a version that was not soft-deleted first (Confluent 40405/40407). */
export class SchemaNotSoftDeletedError extends SchemaRegistryError<'SCHEMA_NOT_SOFT_DELETED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_NOT_SOFT_DELETED', message, options);
  }
}

/** The version is referenced by another schema and cannot be deleted (Confluent 42206). */
export class SchemaReferencedError extends SchemaRegistryError<'SCHEMA_REFERENCED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REFERENCED', message, options);
  }
}

/** A REST registry answered with an error status that maps to no more specific error. */
export class SchemaRegistryHttpError extends SchemaRegistryError<'SCHEMA_REGISTRY_HTTP'> {
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** Confluent `error_code` of the body, when present. */
  readonly errorCode: number | undefined;
  constructor(message: string, status: number, errorCode: number | undefined, options?: OnexErrorOptions) {
    super('SCHEMA_REGISTRY_HTTP', message, { ...options, details: { ...options?.details, status, errorCode } });
    this.status = status;
    this.errorCode = errorCode;
  }
}

/** An option of a registry, client, server or serde is invalid. */
export class SchemaRegistryInvalidOptionError extends SchemaRegistryError<'SCHEMA_REGISTRY_INVALID_OPTION'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REGISTRY_INVALID_OPTION', message, options);
  }
}

/** A method argument (subject, version, id) is invalid. */
export class SchemaRegistryInvalidArgumentError extends SchemaRegistryError<'SCHEMA_REGISTRY_INVALID_ARGUMENT'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REGISTRY_INVALID_ARGUMENT', message, options);
  }
}

/** The Kafka topic backing the embedded registry could not be read or written. */
export class SchemaRegistryStoreError extends SchemaRegistryError<'SCHEMA_REGISTRY_STORE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REGISTRY_STORE', message, options);
  }
}

/** The registry's mode forbids the operation: a write in READONLY, an id outside IMPORT (Confluent 42205). */
export class SchemaOperationNotPermittedError extends SchemaRegistryError<'SCHEMA_OPERATION_NOT_PERMITTED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_OPERATION_NOT_PERMITTED', message, options);
  }
}

/** The registry was closed. */
export class SchemaRegistryClosedError extends SchemaRegistryError<'SCHEMA_REGISTRY_CLOSED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SCHEMA_REGISTRY_CLOSED', message, options);
  }
}

/** Bytes to deserialize do not start with the Confluent magic byte 0. */
export class SerdeUnknownMagicByteError extends SchemaRegistryError<'SERDE_UNKNOWN_MAGIC_BYTE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SERDE_UNKNOWN_MAGIC_BYTE', message, options);
  }
}

/** A value does not match its schema, or bytes do not decode with the writer's schema. */
export class SerdeInvalidPayloadError extends SchemaRegistryError<'SERDE_INVALID_PAYLOAD'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('SERDE_INVALID_PAYLOAD', message, options);
  }
}
