import { describeValue } from '@onex/spi-types/support';
import { SCHEMA_TYPES, type LiteralSchemaType, type ProtocolSchemaDefinition, type ProtocolSchemaReference } from '@onex/spi-types';
import { SchemaInvalidError, SchemaRegistryInvalidArgumentError } from '../errors/schema-registry-errors.js';
import { isSerializedDescriptor, protoTextFromDescriptor } from '../formats/protobuf-descriptor.js';

/** Schema text of a definition: strings as given, objects as JSON. */
export function schemaText(schema: ProtocolSchemaDefinition): string {
  if (typeof schema === 'string') {
    if (schema.trim() === '') throw new SchemaInvalidError('`schema` must not be empty');
    return schema;
  }
  if (schema === null || typeof schema !== 'object') {
    throw new SchemaInvalidError(`\`schema\` must be a string or an object, got ${schema === null ? 'null' : typeof schema}`);
  }
  return JSON.stringify(schema);
}

/**
 * Schema text as stored: a Protobuf schema given as a base64 `FileDescriptorProto` (what Confluent's
 * serializers register) becomes `.proto` text, as Confluent's registry stores it.
 * @throws {SchemaInvalidError} when such a descriptor does not convert
 */
export function storedSchemaText(type: LiteralSchemaType, text: string): string {
  return type === 'PROTOBUF' && isSerializedDescriptor(text) ? protoTextFromDescriptor(text) : text;
}

/**
 * Validates a schema type.
 * @throws {SchemaInvalidError} for anything but AVRO, JSON, PROTOBUF
 */
export function checkSchemaType(type: unknown): LiteralSchemaType {
  if (typeof type === 'string' && (SCHEMA_TYPES as readonly string[]).includes(type)) return type as LiteralSchemaType;
  throw new SchemaInvalidError(`\`schemaType\` must be one of ${SCHEMA_TYPES.join(', ')}, got ${describeValue(type)}`);
}

/**
 * Validates a subject name.
 * @throws {SchemaRegistryInvalidArgumentError} for empty names or control characters
 */
export function checkSubject(subject: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof subject !== 'string' || subject === '' || /[\u0000-\u001f]/.test(subject)) {
    throw new SchemaRegistryInvalidArgumentError(`\`subject\` must be a non-empty string without control characters, got ${describeValue(subject)}`);
  }
  return subject;
}

/**
 * Validates a version number (`latest` and -1 mean the latest).
 * @throws {SchemaRegistryInvalidArgumentError} for anything but a positive integer, -1 or 'latest'
 */
export function checkVersion(version: unknown): number | 'latest' {
  if (version === undefined || version === 'latest' || version === -1) return 'latest';
  if (typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= 2 ** 31 - 1) return version;
  throw new SchemaRegistryInvalidArgumentError(`\`version\` must be a positive integer, -1 or 'latest', got ${describeValue(version)}`);
}

/**
 * Validates a global id.
 * @throws {SchemaRegistryInvalidArgumentError} for anything but a positive 32-bit integer
 */
export function checkId(id: unknown): number {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 2 ** 31 - 1) return id;
  throw new SchemaRegistryInvalidArgumentError(`\`id\` must be a positive 32-bit integer, got ${describeValue(id)}`);
}

/**
 * Validates references.
 * @throws {SchemaRegistryInvalidArgumentError} when one lacks name, subject or a positive version
 */
export function checkReferences(references: unknown): ProtocolSchemaReference[] {
  if (references === undefined || references === null) return [];
  if (!Array.isArray(references)) throw new SchemaRegistryInvalidArgumentError(`\`references\` must be an array, got ${describeValue(references)}`);
  return references.map((ref: unknown, i) => {
    const r = ref as Partial<ProtocolSchemaReference> | null;
    if (!r || typeof r.name !== 'string' || r.name === '' || typeof r.subject !== 'string' || r.subject === '' || !Number.isInteger(r.version) || (r.version as number) < 1) {
      throw new SchemaRegistryInvalidArgumentError(`\`references[${i}]\` must be { name, subject, version } with a positive version, got ${describeValue(ref)}`);
    }
    return { name: r.name, subject: r.subject, version: r.version as number };
  });
}
