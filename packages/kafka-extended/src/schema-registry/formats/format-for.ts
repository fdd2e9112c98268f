import type { LiteralSchemaType } from '@onex/spi-types';
import { AvroFormat } from './avro-format.js';
import { JsonSchemaFormat } from './json-schema-format.js';
import { ProtobufFormat } from './protobuf-format.js';
import type { SchemaFormat } from './schema-format.js';

const FORMATS: Readonly<Record<LiteralSchemaType, SchemaFormat<unknown>>> = {
  AVRO: new AvroFormat() as SchemaFormat<unknown>,
  JSON: new JsonSchemaFormat() as SchemaFormat<unknown>,
  PROTOBUF: new ProtobufFormat() as SchemaFormat<unknown>,
};

/** The format handling a schema type. */
export function formatFor(type: LiteralSchemaType): SchemaFormat<unknown> {
  return FORMATS[type];
}
