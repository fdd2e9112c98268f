import type avro from 'avsc';
import { SerdeInvalidPayloadError } from '../errors/schema-registry-errors.js';
import { avroReaderAccepts } from '../formats/avro-compatibility.js';
import { AvroFormat, type ParsedAvroSchema } from '../formats/avro-format.js';
import type { OnexErrorOptions, ProtocolSchemaDefinition } from '@onex/spi-types';
import { SchemaSerde, type SchemaSerdeOptions } from './schema-serde.js';
import { AvroCursor } from './avro-cursor.js';
import { BufferSlab, MAX_POOLED } from './buffer-slab.js';
import { avroLoneSurrogatePath, loneSurrogateMessage, LoneSurrogateError } from './lone-surrogates.js';
import { asBuffer, HEADER_SIZE, writeHeader } from './wire-format.js';

/** Options of {@link AvroSerde}. */
export interface AvroSerdeOptions extends SchemaSerdeOptions {
  /** Reader schema: decoded values are resolved from the writer's schema into this one. @default the writer's schema */
  readonly readerSchema?: ProtocolSchemaDefinition;
}

interface AvroReader {
  readonly type: avro.Type;
  readonly resolver: avro.Resolver | undefined;
}

const FORMAT = new AvroFormat();

function changedSize(type: avro.Type): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`value changed size while being encoded as Avro schema ${type.name ?? type.typeName}`);
}

/** Avro values in the Confluent wire format (magic byte, schema id, Avro binary), with avsc. */
export class AvroSerde extends SchemaSerde<ParsedAvroSchema, avro.Type, AvroReader> {
  protected readonly format = FORMAT;
  private readonly readerType: avro.Type | undefined;
  private readonly slab = new BufferSlab();
  private readonly cursor = new AvroCursor();

  /** @throws {SchemaRegistryInvalidOptionError} / {SchemaInvalidError} for invalid options */
  constructor(options: AvroSerdeOptions) {
    super(options, 'AVRO');
    this.readerType =
      options.readerSchema === undefined
        ? undefined
        : FORMAT.parse(typeof options.readerSchema === 'string' ? options.readerSchema : JSON.stringify(options.readerSchema), []).type;
  }

  protected createWriter(parsed: ParsedAvroSchema): avro.Type {
    return parsed.type;
  }

  protected createReader(parsed: ParsedAvroSchema, id: number): AvroReader {
    if (this.readerType === undefined) return { type: parsed.type, resolver: undefined };
    // The rules the registry's compatibility check applies, as Java's SchemaCompatibility does: a
    // reader alias without a namespace is in the reader's namespace (avsc's ignoreNamespaces would
    // let the alias `Old` of `ns.New` read `other.Old`). Union branches are then picked as Java
    // picks them (avro-exact-types.ts); avsc resolves the rest.
    const reasons = avroReaderAccepts(this.readerType, parsed.type);
    if (reasons.length > 0) throw unreadable(id, reasons.join('; '), { details: { messages: reasons } });
    try {
      return { type: this.readerType, resolver: this.readerType.createResolver(parsed.type, { ignoreNamespaces: true }) };
    } catch (error) {
      throw unreadable(id, (error as Error).message, { cause: error });
    }
  }

  protected encode(id: number, type: avro.Type, value: unknown): Uint8Array {
    // Encode once, in place behind room for the header, into a slab slice: no intermediate buffer, no copy.
    const slab = this.slab;
    let start = slab.offset;
    let end = this.encodeInto(type, value, slab.buf, start);
    if (end < 0) {
      // avsc returns minus the missing byte count, so the exact size is known for the second try.
      const size = slab.buf.length - end - start;
      if (size > MAX_POOLED) {
        const out = Buffer.allocUnsafe(size);
        if (this.encodeInto(type, value, out, 0) !== size) throw changedSize(type);
        writeHeader(out, id);
        return out;
      }
      slab.renew();
      start = 0;
      end = this.encodeInto(type, value, slab.buf, 0);
      if (end !== size) throw changedSize(type);
    }
    writeHeader(slab.buf, id, start);
    return slab.take(start, end);
  }

  private encodeInto(type: avro.Type, value: unknown, target: Buffer, start: number): number {
    try {
      return this.cursor.write(type, value, target, start + HEADER_SIZE);
    } catch (error) {
      if (error instanceof LoneSurrogateError) throw loneSurrogate(type, value);
      throw new SerdeInvalidPayloadError(`value does not match Avro schema ${type.name ?? type.typeName}: ${(error as Error).message}`, { cause: error });
    }
  }

  protected decode(reader: AvroReader, bytes: Uint8Array): unknown {
    const cursor = this.cursor;
    let value: unknown;
    try {
      value = cursor.read(reader.type, reader.resolver, asBuffer(bytes), HEADER_SIZE);
    } catch (error) {
      throw notDecodable(error);
    }
    if (cursor.end !== bytes.length) throw badLength(cursor.end, bytes.length);
    return value;
  }
}

// Error builders kept out of the hot methods, so those stay small enough for V8 to inline.
function unreadable(id: number, why: string, options: OnexErrorOptions): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`the reader schema cannot read schema id ${id}: ${why}`, options);
}

function loneSurrogate(type: avro.Type, value: unknown): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(loneSurrogateMessage(avroLoneSurrogatePath(type, value), `Avro schema ${type.name ?? type.typeName}`));
}

function notDecodable(error: unknown): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`bytes do not decode as Avro: ${(error as Error).message}`, { cause: error });
}

function badLength(end: number, length: number): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(end > length ? `truncated Avro payload (${length} bytes)` : `${length - end} trailing bytes after the Avro payload`);
}
