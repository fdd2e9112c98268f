import type avro from 'avsc';
import { SerdeInvalidPayloadError } from '../errors/schema-registry-errors.js';
import { AvroFormat, type ParsedAvroSchema } from '../formats/avro-format.js';
import type { ProtocolSchemaDefinition } from '@onex/spi-types';
import { SchemaSerde, type SchemaSerdeOptions } from './schema-serde.js';
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
const SCRATCH_SIZE = 64 * 1024;

/** Avro values in the Confluent wire format (magic byte, schema id, Avro binary), with avsc. */
export class AvroSerde extends SchemaSerde<ParsedAvroSchema, avro.Type, AvroReader> {
  protected readonly format = FORMAT;
  private readonly readerType: avro.Type | undefined;
  private scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

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
    try {
      return { type: this.readerType, resolver: this.readerType.createResolver(parsed.type, { ignoreNamespaces: true }) };
    } catch (error) {
      throw new SerdeInvalidPayloadError(`the reader schema cannot read schema id ${id}: ${(error as Error).message}`, { cause: error });
    }
  }

  protected encode(id: number, type: avro.Type, value: unknown): Uint8Array {
    let end: number;
    try {
      end = type.encode(value, this.scratch, HEADER_SIZE);
    } catch (error) {
      throw new SerdeInvalidPayloadError(`value does not match Avro schema ${type.name ?? type.typeName}: ${(error as Error).message}`, { cause: error });
    }
    if (end < 0) {
      // Too big for the scratch buffer: grow it for next time and encode into an exact-size buffer.
      const body = type.toBuffer(value);
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, body.length + HEADER_SIZE));
      const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
      writeHeader(out, id);
      body.copy(out, HEADER_SIZE);
      return out;
    }
    const out = Buffer.allocUnsafe(end);
    this.scratch.copy(out, 0, 0, end);
    writeHeader(out, id);
    return out;
  }

  protected decode(reader: AvroReader, bytes: Uint8Array): unknown {
    let result: { value: unknown; offset: number };
    try {
      result = reader.type.decode(asBuffer(bytes), HEADER_SIZE, reader.resolver);
    } catch (error) {
      throw new SerdeInvalidPayloadError(`bytes do not decode as Avro: ${(error as Error).message}`, { cause: error });
    }
    if (result.offset !== bytes.length) {
      throw new SerdeInvalidPayloadError(
        result.offset < 0 ? `truncated Avro payload (${bytes.length} bytes)` : `${bytes.length - result.offset} trailing bytes after the Avro payload`,
      );
    }
    return result.value;
  }
}
