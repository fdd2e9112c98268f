import type { LiteralSchemaType } from './common.js';

/** A schema as given by the caller: an object (Avro, JSON Schema, protobufjs JSON) or text (`.proto`, JSON). */
export type ProtocolSchemaDefinition = Readonly<Record<string, unknown>> | string;

/** A reference from one schema to another registered one. */
export interface ProtocolSchemaReference {
  /** Name used by the referencing schema (Avro full name, JSON `$ref` URL, `.proto` import path). */
  readonly name: string;
  /** Subject of the referenced schema. */
  readonly subject: string;
  /** Version of the referenced schema. */
  readonly version: number;
}

/** Options of schema registration and compatibility checks. */
export interface ProtocolSchemaOptions {
  /** Schema type. @default 'AVRO' for checks (the subject's type when it exists) */
  readonly schemaType?: LiteralSchemaType;
  /** References to other registered schemas. */
  readonly references?: readonly ProtocolSchemaReference[];
}

/** The seed's `ProtocolSchemaInfo`. */
export interface ProtocolSchemaInfo {
  /** Global schema id. */
  readonly id: number;
  /** Subject. */
  readonly subject: string;
  /** Version within the subject (1..n). */
  readonly version: number;
  /** Schema type. */
  readonly schemaType: LiteralSchemaType;
  /** Schema text as registered. */
  readonly schema: string;
  /** References. */
  readonly references: readonly ProtocolSchemaReference[];
}

/** The seed's `ProtocolCompatibilityResult`. */
export interface ProtocolCompatibilityResult {
  /** True when the schema may be registered under the subject's level. */
  readonly isCompatible: boolean;
  /** Reasons it is not (empty when compatible). */
  readonly messages: readonly string[];
}
