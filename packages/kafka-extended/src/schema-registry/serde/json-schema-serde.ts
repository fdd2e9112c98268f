import { describeValue } from '@onex/spi-types/support';
import type { ValidateFunction } from 'ajv';
import { SerdeInvalidPayloadError, SchemaRegistryInvalidOptionError } from '../errors/schema-registry-errors.js';
import { JsonSchemaFormat, type ParsedJsonSchema } from '../formats/json-schema-format.js';
import { SchemaSerde, type SchemaSerdeOptions } from './schema-serde.js';
import { BufferSlab, MAX_POOLED } from './buffer-slab.js';
import { asBuffer, HEADER_SIZE, writeHeader } from './wire-format.js';

/** Options of {@link JsonSchemaSerde}. */
export interface JsonSchemaSerdeOptions extends SchemaSerdeOptions {
  /** Validate values against the schema when serializing and deserializing. @default true */
  readonly validate?: boolean;
}

const FORMAT = new JsonSchemaFormat();

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

/** JSON values in the Confluent wire format (magic byte, schema id, UTF-8 JSON), validated by ajv. */
export class JsonSchemaSerde extends SchemaSerde<ParsedJsonSchema, ValidateFunction, ValidateFunction> {
  protected readonly format = FORMAT;
  private readonly validate: boolean;
  private readonly slab = new BufferSlab();

  /** @throws {SchemaRegistryInvalidOptionError} for invalid options */
  constructor(options: JsonSchemaSerdeOptions) {
    super(options, 'JSON');
    if (options.validate !== undefined && typeof options.validate !== 'boolean') {
      throw new SchemaRegistryInvalidOptionError(`\`validate\` must be a boolean, got ${describeValue(options.validate)}`);
    }
    this.validate = options.validate ?? true;
  }

  protected createWriter(parsed: ParsedJsonSchema): ValidateFunction {
    return parsed.validate;
  }

  protected createReader(parsed: ParsedJsonSchema): ValidateFunction {
    return parsed.validate;
  }

  protected encode(id: number, validate: ValidateFunction, value: unknown): Uint8Array {
    if (this.validate && !validate(value)) {
      throw new SerdeInvalidPayloadError(`value does not match the JSON Schema: ${describe(validate)}`, { details: { errors: validate.errors ?? [] } });
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new SerdeInvalidPayloadError(`value is not JSON-serializable, got ${typeof value}`);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: reserve that much in the slab and write the text
    // once, instead of measuring it first (Buffer.byteLength) and then writing it.
    const reserve = HEADER_SIZE + 3 * text.length;
    if (reserve > MAX_POOLED) {
      const out = Buffer.allocUnsafe(HEADER_SIZE + Buffer.byteLength(text));
      writeHeader(out, id);
      out.write(text, HEADER_SIZE);
      return out;
    }
    const slab = this.slab;
    slab.ensure(reserve);
    const start = slab.offset;
    writeHeader(slab.buf, id, start);
    return slab.take(start, start + HEADER_SIZE + slab.buf.write(text, start + HEADER_SIZE));
  }

  protected decode(validate: ValidateFunction, bytes: Uint8Array): unknown {
    let value: unknown;
    try {
      value = JSON.parse(asBuffer(bytes).toString('utf8', HEADER_SIZE));
    } catch (error) {
      throw new SerdeInvalidPayloadError(`payload is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (this.validate && !validate(value)) {
      throw new SerdeInvalidPayloadError(`payload does not match the writer's JSON Schema: ${describe(validate)}`, { details: { errors: validate.errors ?? [] } });
    }
    return value;
  }
}
