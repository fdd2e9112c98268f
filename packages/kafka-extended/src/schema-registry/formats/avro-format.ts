import { randomUUID } from 'node:crypto';
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

/** Marks integers that a JSON number would round, while the schema text is parsed; random, so no schema string can look like one. */
const BIG = `\u0000${randomUUID()}:`;

/** {@link BIG} as JSON.stringify writes it inside a string, and a marked bigint string in JSON text. */
const BIG_IN_JSON = JSON.stringify(BIG).slice(1, -1);
const BIG_PATTERN = new RegExp(`"${BIG_IN_JSON.replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');

/**
 * The text with each integer literal beyond ±(2^53−1) (outside strings) turned into a marked
 * string, so JSON.parse keeps its digits; `undefined` when it has none (the common case, checked
 * with one regular expression: such an integer has at least 16 digits).
 */
function markBigIntegers(text: string): string | undefined {
  if (!/\d{16}/.test(text)) return undefined;
  let out = '';
  let last = 0;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string: up to the next quote that is not escaped.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    const token = /^-?\d+(\.\d*)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))?.[0] ?? text[i]!;
    if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out += `${text.slice(last, i)}"${BIG_IN_JSON}${token}"`;
      last = i + token.length;
      found = true;
    }
    i += token.length - 1;
  }
  return found ? out + text.slice(last) : undefined;
}

/** Turns the marked strings of {@link markBigIntegers} into bigints. */
function unmarkBigIntegers(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith(BIG) ? BigInt(value.slice(BIG.length)) : value;
  if (Array.isArray(value)) return value.map(unmarkBigIntegers);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = unmarkBigIntegers(item);
  return out;
}

/**
 * Parses schema JSON keeping integers beyond ±(2^53−1) exact, as bigints, as Java's parser keeps
 * them: a `long` default of 2^53+1 stays 2^53+1 (JSON.parse would round it, then refuse it as no
 * safe integer); a `float`/`double` default is rounded once from the exact value.
 */
function parseJson(text: string, what: string): unknown {
  try {
    const marked = markBigIntegers(text);
    return marked === undefined ? JSON.parse(text) : unmarkBigIntegers(JSON.parse(marked));
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
    const schema = parsed.type.schema({ exportAttrs: true });
    const text = JSON.stringify(schema, (_key, value: unknown) => (typeof value === 'bigint' ? `${BIG}${value}` : value));
    // A bigint (a long default beyond 2^53) is written as its exact digits.
    return text.includes(BIG_IN_JSON) ? text.replace(BIG_PATTERN, '$1') : text;
  }

  readerAccepts(reader: ParsedAvroSchema, writer: ParsedAvroSchema): string[] {
    return avroReaderAccepts(reader.type, writer.type);
  }

  recordName(parsed: ParsedAvroSchema): string | undefined {
    return parsed.type.name;
  }
}
