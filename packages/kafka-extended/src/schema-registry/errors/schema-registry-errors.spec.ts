import { OnexError, SCHEMA_REGISTRY_ERROR_CODES, hasErrorCode } from '@onex/spi-types';
import {
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
} from './schema-registry-errors.js';

const cause = new Error('root cause');
const TABLE: [SchemaRegistryError, string, string][] = [
  [new SchemaInvalidError('invalid Avro schema: x', { cause }), 'SchemaInvalidError', 'SCHEMA_INVALID'],
  [new SchemaIncompatibleError('incompatible', ['a', 'b'], { cause }), 'SchemaIncompatibleError', 'SCHEMA_INCOMPATIBLE'],
  [new SchemaSubjectNotFoundError('subject "s" not found', { cause }), 'SchemaSubjectNotFoundError', 'SCHEMA_SUBJECT_NOT_FOUND'],
  [new SchemaVersionNotFoundError('version 3 of subject "s" not found', { cause }), 'SchemaVersionNotFoundError', 'SCHEMA_VERSION_NOT_FOUND'],
  [new SchemaIdNotFoundError('no schema has id 9', { cause }), 'SchemaIdNotFoundError', 'SCHEMA_ID_NOT_FOUND'],
  [new SchemaInvalidLevelError('`compatibility` must be one of …, got "X"', { cause }), 'SchemaInvalidLevelError', 'SCHEMA_INVALID_LEVEL'],
  [new SchemaReferenceNotFoundError('reference "r" points at s version 2, which does not exist', { cause }), 'SchemaReferenceNotFoundError', 'SCHEMA_REFERENCE_NOT_FOUND'],
  [new SchemaRegistryHttpError('GET /subjects: HTTP 503', 503, 50003, { cause }), 'SchemaRegistryHttpError', 'SCHEMA_REGISTRY_HTTP'],
  [new SerdeUnknownMagicByteError('unknown magic byte 1, expected 0', { cause }), 'SerdeUnknownMagicByteError', 'SERDE_UNKNOWN_MAGIC_BYTE'],
  [new SerdeInvalidPayloadError('truncated Avro payload (3 bytes)', { cause }), 'SerdeInvalidPayloadError', 'SERDE_INVALID_PAYLOAD'],
  [new SchemaNotFoundError('schema not found under subject "s"', { cause }), 'SchemaNotFoundError', 'SCHEMA_NOT_FOUND'],
  [new SchemaNotSoftDeletedError('subject "s" must be soft-deleted before it is permanently deleted', { cause }), 'SchemaNotSoftDeletedError', 'SCHEMA_NOT_SOFT_DELETED'],
  [new SchemaReferencedError('version 1 of "a" is referenced by b v1', { cause }), 'SchemaReferencedError', 'SCHEMA_REFERENCED'],
  [new SchemaRegistryInvalidOptionError('`timeoutMs` must be a positive integer, got -5', { cause }), 'SchemaRegistryInvalidOptionError', 'SCHEMA_REGISTRY_INVALID_OPTION'],
  [new SchemaRegistryInvalidArgumentError('`version` must be a positive integer, -1 or \'latest\', got 0', { cause }), 'SchemaRegistryInvalidArgumentError', 'SCHEMA_REGISTRY_INVALID_ARGUMENT'],
  [new SchemaRegistryStoreError('cannot open registry topic "t": x', { cause }), 'SchemaRegistryStoreError', 'SCHEMA_REGISTRY_STORE'],
  [new SchemaRegistryClosedError('the schema registry is closed', { cause }), 'SchemaRegistryClosedError', 'SCHEMA_REGISTRY_CLOSED'],
  [new SchemaOperationNotPermittedError('subject "s" is in READONLY mode', { cause }), 'SchemaOperationNotPermittedError', 'SCHEMA_OPERATION_NOT_PERMITTED'],
];

describe(SchemaRegistryError, () => {
  it('has one error class for every schema registry code', () => {
    expect(TABLE.map(([, , code]) => code).sort()).toEqual([...SCHEMA_REGISTRY_ERROR_CODES].sort());
  });

  it.each(TABLE)('%p has its name, code, message and cause', (error, name, code) => {
    expect(error).toBeInstanceOf(OnexError);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.cause).toBe(cause);
    expect(hasErrorCode(error, code)).toBe(true);
  });

  it('carries the incompatibility reasons and the HTTP status as data', () => {
    expect(new SchemaIncompatibleError('x', ['a']).messages).toEqual(['a']);
    expect(new SchemaIncompatibleError('x', ['a']).details).toEqual({ messages: ['a'] });
    expect(new SchemaRegistryHttpError('x', 503, 50003)).toMatchObject({ status: 503, errorCode: 50003, details: { status: 503, errorCode: 50003 } });
  });
});
