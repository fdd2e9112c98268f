import avro from 'avsc';
import { SchemaInvalidError } from '../errors/schema-registry-errors.js';
import { avroReaderAccepts } from './avro-compatibility.js';
import { acceptBigintInUnions, exactTypeHook } from './avro-exact-types.js';
import type { ResolvedReference, SchemaFormat } from './schema-format.js';

/** A parsed Avro schema. */
export interface ParsedAvroSchema {
  /** The avsc type. */
  readonly type: avro.Type;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // A bare primitive name (`string`) is accepted the way Avro parsers accept it.
    if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(text.trim())) return text.trim();
    throw new SchemaInvalidError(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Avro: parsed and validated by avsc (with exact 64-bit longs); compatibility by the Avro resolution rules, as Apache Avro Java decides it. */
export class AvroFormat implements SchemaFormat<ParsedAvroSchema> {
  readonly type = 'AVRO' as const;

  parse(text: string, references: readonly ResolvedReference[]): ParsedAvroSchema {
    const registry: Record<string, avro.Type> = {};
    for (const reference of references) {
      try {
        acceptBigintInUnions(avro.Type.forSchema(parseJson(reference.schema, `reference ${reference.name}`) as avro.Schema, { registry, typeHook: exactTypeHook }));
      } catch (error) {
        if (error instanceof SchemaInvalidError) throw error;
        throw new SchemaInvalidError(`invalid Avro reference ${reference.name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    try {
      const type = avro.Type.forSchema(parseJson(text, 'Avro schema') as avro.Schema, { registry, typeHook: exactTypeHook });
      acceptBigintInUnions(type);
      return { type };
    } catch (error) {
      if (error instanceof SchemaInvalidError) throw error;
      throw new SchemaInvalidError(`invalid Avro schema: ${(error as Error).message}`, { cause: error });
    }
  }

  canonical(parsed: ParsedAvroSchema): string {
    return JSON.stringify(parsed.type.schema({ exportAttrs: true }));
  }

  readerAccepts(reader: ParsedAvroSchema, writer: ParsedAvroSchema): string[] {
    return avroReaderAccepts(reader.type, writer.type);
  }

  recordName(parsed: ParsedAvroSchema): string | undefined {
    return parsed.type.name;
  }
}
