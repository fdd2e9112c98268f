import { Ajv } from 'ajv';
import avro from 'avsc';
import protobuf from 'protobufjs';
import type { BenchmarkDefinition } from '../../../tools/bench/types.js';
import { AvroSerde, InMemorySchemaRegistry, JsonSchemaSerde, ProtobufSerde } from '../src/index.js';

const OPS = 1000;
// Ten half-second rounds per side, alternating, so machine drift shows up in both sides of a pair.
const ROUNDS = { rounds: 10, roundMs: 500 } as const;
const USER = {
  type: 'record',
  name: 'User',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'score', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};
const VALUE = { id: 123456, name: 'Ada Lovelace', email: 'ada@example.com', score: 99.5, tags: ['a', 'b', 'c'] };
const JSON_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: ['string', 'null'] },
    score: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'name', 'score', 'tags'],
};
const PROTO = 'syntax = "proto3";\npackage bench;\nmessage User { int64 id = 1; string name = 2; string email = 3; double score = 4; repeated string tags = 5; }\n';

interface Ctx {
  readonly registry: InMemorySchemaRegistry;
}

const setup = (): Ctx => ({ registry: new InMemorySchemaRegistry() });
const teardown = (ctx: Ctx) => ctx.registry.close();

let avroSerde: AvroSerde;
const avroType = avro.Type.forSchema(USER as avro.Schema);
let jsonSerde: JsonSchemaSerde;
const ajvValidate = new Ajv({ strict: false }).compile(JSON_SCHEMA);
let protoSerde: ProtobufSerde;
const protoType = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('bench.User');

export const benchmarks: BenchmarkDefinition<Ctx>[] = [
  {
    name: 'kafka-extended.schema-avro-serde',
    description: `AvroSerde serialize+deserialize (cached id) vs raw avsc toBuffer/fromBuffer, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex AvroSerde',
      async setup(ctx) {
        avroSerde = new AvroSerde({ registry: ctx.registry, schema: USER });
        await avroSerde.deserialize('t', await avroSerde.serialize('t', VALUE));
      },
      async run() {
        for (let i = 0; i < OPS; i++) await avroSerde.deserialize('t', await avroSerde.serialize('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'avsc toBuffer/fromBuffer',
        run() {
          for (let i = 0; i < OPS; i++) avroType.fromBuffer(avroType.toBuffer(VALUE));
        },
      },
    ],
  },
  {
    name: 'kafka-extended.schema-json-serde',
    description: `JsonSchemaSerde serialize+deserialize, validating both ways, vs ajv validate + JSON.stringify/parse both ways, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex JsonSchemaSerde',
      async setup(ctx) {
        jsonSerde = new JsonSchemaSerde({ registry: ctx.registry, schema: JSON_SCHEMA });
        await jsonSerde.deserialize('t', await jsonSerde.serialize('t', VALUE));
      },
      async run() {
        for (let i = 0; i < OPS; i++) await jsonSerde.deserialize('t', await jsonSerde.serialize('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'ajv + JSON',
        run() {
          for (let i = 0; i < OPS; i++) {
            if (!ajvValidate(VALUE)) throw new Error('invalid');
            const bytes = Buffer.from(JSON.stringify(VALUE));
            const back: unknown = JSON.parse(bytes.toString('utf8'));
            if (!ajvValidate(back)) throw new Error('invalid');
          }
        },
      },
    ],
  },
  {
    name: 'kafka-extended.schema-protobuf-serde',
    description: `ProtobufSerde serialize+deserialize (verify on) vs protobufjs verify+encode/decode, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex ProtobufSerde',
      async setup(ctx) {
        protoSerde = new ProtobufSerde({ registry: ctx.registry, schema: PROTO });
        await protoSerde.deserialize('t', await protoSerde.serialize('t', VALUE));
      },
      async run() {
        for (let i = 0; i < OPS; i++) await protoSerde.deserialize('t', await protoSerde.serialize('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'protobufjs verify+encode/decode',
        run() {
          for (let i = 0; i < OPS; i++) {
            if (protoType.verify(VALUE) !== null) throw new Error('invalid');
            protoType.decode(protoType.encode(VALUE).finish());
          }
        },
      },
    ],
  },
  {
    name: 'kafka-extended.schema-avro-serde-sync',
    description: `AvroSerde serializeSync+deserializeSync (cached id) vs raw avsc toBuffer/fromBuffer, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex AvroSerde sync',
      async setup(ctx) {
        avroSerde = new AvroSerde({ registry: ctx.registry, schema: USER });
        await avroSerde.deserialize('t', await avroSerde.serialize('t', VALUE));
      },
      run() {
        for (let i = 0; i < OPS; i++) avroSerde.deserializeSync('t', avroSerde.serializeSync('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'avsc toBuffer/fromBuffer',
        run() {
          for (let i = 0; i < OPS; i++) avroType.fromBuffer(avroType.toBuffer(VALUE));
        },
      },
    ],
  },
  {
    name: 'kafka-extended.schema-json-serde-sync',
    description: `JsonSchemaSerde serializeSync+deserializeSync vs ajv validate + JSON both ways, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex JsonSchemaSerde sync',
      async setup(ctx) {
        jsonSerde = new JsonSchemaSerde({ registry: ctx.registry, schema: JSON_SCHEMA });
        await jsonSerde.deserialize('t', await jsonSerde.serialize('t', VALUE));
      },
      run() {
        for (let i = 0; i < OPS; i++) jsonSerde.deserializeSync('t', jsonSerde.serializeSync('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'ajv + JSON',
        run() {
          for (let i = 0; i < OPS; i++) {
            if (!ajvValidate(VALUE)) throw new Error('invalid');
            const bytes = Buffer.from(JSON.stringify(VALUE));
            const back: unknown = JSON.parse(bytes.toString('utf8'));
            if (!ajvValidate(back)) throw new Error('invalid');
          }
        },
      },
    ],
  },
  {
    name: 'kafka-extended.schema-protobuf-serde-sync',
    description: `ProtobufSerde serializeSync+deserializeSync vs protobufjs verify+encode/decode, ${OPS} ops per call`,
    opsPerCall: OPS,
    target: { minRatio: 0.9 },
    ...ROUNDS,
    setup,
    teardown,
    project: {
      label: '@onex ProtobufSerde sync',
      async setup(ctx) {
        protoSerde = new ProtobufSerde({ registry: ctx.registry, schema: PROTO });
        await protoSerde.deserialize('t', await protoSerde.serialize('t', VALUE));
      },
      run() {
        for (let i = 0; i < OPS; i++) protoSerde.deserializeSync('t', protoSerde.serializeSync('t', VALUE));
      },
    },
    baselines: [
      {
        label: 'protobufjs verify+encode/decode',
        run() {
          for (let i = 0; i < OPS; i++) {
            if (protoType.verify(VALUE) !== null) throw new Error('invalid');
            protoType.decode(protoType.encode(VALUE).finish());
          }
        },
      },
    ],
  },
];
