import { describeValue } from '@onex/spi-types/support';
import protobuf from 'protobufjs';
import { SchemaRegistryInvalidOptionError, SerdeInvalidPayloadError } from '../errors/schema-registry-errors.js';
import { ProtobufFormat, type ParsedProtobufSchema, type ProtobufMessageEntry } from '../formats/protobuf-format.js';
import { compileProtobufEncoder, type FastProtobufEncoder } from './protobuf-encoder.js';
import { LoneSurrogateError, loneSurrogateMessage, protobufLoneSurrogatePath } from './lone-surrogates.js';
import { decimalMapKeys, mapKeyAwareWriter, mapKeysProblem } from './protobuf-map-keys.js';
import { SchemaSerde, type SchemaSerdeOptions } from './schema-serde.js';
import { decodeMessageIndexes, encodeMessageIndexes, HEADER_SIZE, writeHeader } from './wire-format.js';

/** Options of {@link ProtobufSerde}. */
export interface ProtobufSerdeOptions extends SchemaSerdeOptions {
  /** Full name of the message type to write (`acme.Order`). @default the file's first message */
  readonly messageType?: string;
  /** Check values with protobufjs `verify` before encoding. @default true */
  readonly validate?: boolean;
}

interface ProtobufWriter {
  readonly type: protobuf.Type;
  /** Our direct encoder, when the type has no map or group fields. */
  readonly fast: FastProtobufEncoder | undefined;
  readonly indexes: Uint8Array;
  /** Length of the header plus the message-index array. */
  readonly prefixLength: number;
}

/** protobufjs's writer queues operations; `_push` queues one (the public ops write tags or lengths too). */
interface OpQueue {
  _push(fn: (value: number, target: Uint8Array, pos: number) => void, length: number, value: number): unknown;
}

/** Placeholder operation for the header and message indexes, which `encode` fills in afterwards. */
function skipPrefix(): void {
  // Intentionally empty: the prefix bytes are written once the buffer exists.
}

const FORMAT = new ProtobufFormat();

/** A protobufjs reader positioned at `offset`: decodes in place, without a subarray view. */
function readerAt(bytes: Uint8Array, offset: number): protobuf.Reader {
  const reader = protobuf.Reader.create(bytes);
  reader.pos = offset;
  return reader;
}

/**
 * Protobuf messages in the Confluent wire format (magic byte, schema id, message-index array,
 * Protobuf binary) with protobufjs. Deserialized values are protobufjs message objects.
 *
 * Values are checked with protobufjs `verify` and encoded by our own generated encoder, which
 * writes protobufjs's bytes into one buffer without its queue of write operations; types with map
 * or group fields, and values it does not expect, go through protobufjs's encoder instead (with a
 * writer that reads `map<bool, …>` keys right). Keys of 64-bit-keyed maps decode as decimal strings.
 */
export class ProtobufSerde extends SchemaSerde<ParsedProtobufSchema, ProtobufWriter, ParsedProtobufSchema> {
  protected readonly format = FORMAT;
  private readonly messageType: string | undefined;
  private readonly validate: boolean;

  /** @throws {SchemaRegistryInvalidOptionError} for invalid options */
  constructor(options: ProtobufSerdeOptions) {
    super(options, 'PROTOBUF');
    if (options.messageType !== undefined && (typeof options.messageType !== 'string' || options.messageType === '')) {
      throw new SchemaRegistryInvalidOptionError(`\`messageType\` must be a non-empty string, got ${describeValue(options.messageType)}`);
    }
    if (options.validate !== undefined && typeof options.validate !== 'boolean') {
      throw new SchemaRegistryInvalidOptionError(`\`validate\` must be a boolean, got ${describeValue(options.validate)}`);
    }
    this.messageType = options.messageType?.replace(/^\./, '');
    this.validate = options.validate ?? true;
  }

  protected createWriter(parsed: ParsedProtobufSchema): ProtobufWriter {
    const entry: ProtobufMessageEntry | undefined =
      this.messageType === undefined ? parsed.messages[0] : parsed.messages.find((m) => m.fullName === this.messageType);
    if (!entry) {
      throw new SchemaRegistryInvalidOptionError(
        `\`messageType\` ${JSON.stringify(this.messageType)} is not a message of the schema (has ${parsed.messages.map((m) => m.fullName).join(', ')})`,
      );
    }
    const indexes = encodeMessageIndexes(entry.indexes);
    return { type: entry.type, fast: compileProtobufEncoder(entry.type), indexes, prefixLength: HEADER_SIZE + indexes.length };
  }

  protected createReader(parsed: ParsedProtobufSchema): ParsedProtobufSchema {
    return parsed;
  }

  protected encode(id: number, writer: ProtobufWriter, value: unknown): Uint8Array {
    if (this.validate) {
      const problem = writer.type.verify(value as Record<string, unknown>);
      if (problem !== null) throw notMatching(writer.type, problem);
    }
    // Types the fast encoder compiled have no maps; the others get their map keys checked first.
    if (writer.fast === undefined) {
      const problem = mapKeysProblem(writer.type, value);
      if (problem !== undefined) throw notMatching(writer.type, problem);
    }
    let out = writer.fast === undefined ? undefined : this.encodeFast(writer.fast, writer, value);
    out ??= this.encodeWithProtobufjs(writer, value);
    writeHeader(out, id);
    const indexes = writer.indexes;
    if (indexes.length === 1) out[HEADER_SIZE] = indexes[0]!;
    else out.set(indexes, HEADER_SIZE);
    return out;
  }

  /** The message after room for the prefix, or `undefined` when the value needs protobufjs. */
  private encodeFast(fast: FastProtobufEncoder, writer: ProtobufWriter, value: unknown): Uint8Array | undefined {
    try {
      return fast.encode(value as object, writer.prefixLength);
    } catch (error) {
      throw notEncodable(writer.type, error);
    }
  }

  private encodeWithProtobufjs(writer: ProtobufWriter, value: unknown): Uint8Array {
    // One buffer, no copy: the writer starts with one placeholder operation as long as header plus
    // message indexes; finish() sizes and fills the buffer once; the prefix is written over it.
    const w = mapKeyAwareWriter();
    (w as unknown as OpQueue)._push(skipPrefix, writer.prefixLength, 0);
    try {
      return writer.type.encode(value as Record<string, unknown>, w).finish();
    } catch (error) {
      if (error instanceof LoneSurrogateError) throw loneSurrogate(writer.type, value);
      throw notEncodable(writer.type, error);
    }
  }

  protected decode(parsed: ParsedProtobufSchema, bytes: Uint8Array): unknown {
    const first = parsed.messages[0];
    if (bytes[HEADER_SIZE] === 0 && first !== undefined) {
      // The common case, message index [0] as one 0 byte: no array to decode or search.
      let message: protobuf.Message;
      try {
        message = first.type.decode(readerAt(bytes, HEADER_SIZE + 1));
      } catch (error) {
        throw notDecodable(first, error);
      }
      decimalMapKeys(first.type, message);
      return message;
    }
    return this.decodeIndexed(parsed, bytes);
  }

  private decodeIndexed(parsed: ParsedProtobufSchema, bytes: Uint8Array): unknown {
    const { indexes, offset } = decodeMessageIndexes(bytes, HEADER_SIZE);
    const entry = parsed.messages.find((m) => m.indexes.length === indexes.length && m.indexes.every((v, i) => v === indexes[i]));
    if (!entry) throw new SerdeInvalidPayloadError(`message index [${indexes.join(', ')}] names no message of the writer's schema`);
    let message: protobuf.Message;
    try {
      message = entry.type.decode(readerAt(bytes, offset));
    } catch (error) {
      throw notDecodable(entry, error);
    }
    decimalMapKeys(entry.type, message);
    return message;
  }
}

// Error builders kept out of the hot methods, so those stay small enough for V8 to inline.
function notMatching(type: protobuf.Type, problem: string): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`value does not match message ${type.fullName.slice(1)}: ${problem}`);
}

function notEncodable(type: protobuf.Type, error: unknown): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`value does not encode as ${type.fullName.slice(1)}: ${(error as Error).message}`, { cause: error });
}

function loneSurrogate(type: protobuf.Type, value: unknown): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(loneSurrogateMessage(protobufLoneSurrogatePath(type, value), `message ${type.fullName.slice(1)}`));
}

function notDecodable(entry: ProtobufMessageEntry, error: unknown): SerdeInvalidPayloadError {
  return new SerdeInvalidPayloadError(`bytes do not decode as ${entry.fullName}: ${(error as Error).message}`, { cause: error });
}
