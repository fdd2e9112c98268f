import type { LiteralSchemaType } from '@onex/spi-types';

/** A registered schema a reference resolves to, with its own references resolved, dependencies first. */
export interface ResolvedReference {
  /** Name the referencing schema uses (Avro full name, JSON `$ref` URL, `.proto` import path). */
  readonly name: string;
  /** Subject of the referenced schema. */
  readonly subject: string;
  /** Version of the referenced schema. */
  readonly version: number;
  /** Schema text. */
  readonly schema: string;
}

/** Parsing, identity and compatibility of one schema type. */
export interface SchemaFormat<P> {
  /** The type handled. */
  readonly type: LiteralSchemaType;
  /**
   * Parses and validates schema text; `references` holds every transitive reference, dependencies first.
   * @throws {SchemaInvalidError} when the text is not a valid schema
   */
  parse(text: string, references: readonly ResolvedReference[]): P;
  /** A normalized form: two schemas with equal forms are the same schema (one global id). */
  canonical(parsed: P): string;
  /** Reasons data written with `writer` could not be read with `reader` (empty when it can). */
  readerAccepts(reader: P, writer: P): string[];
  /** The record name used by the record-name subject strategies, when the schema has one. */
  recordName(parsed: P): string | undefined;
}
