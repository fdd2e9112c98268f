// Schema serde speed: our serializers against the raw codec libraries (the baselines) and
// against the anchor client, @kafkajs/confluent-schema-registry, talking to our REST server.
//
// Two benchmarks per format:
// - `…-serde-sync`: serializeSync + deserializeSync (the cached-id hot path) vs the raw library.
// - `…-serde`: the Promise API, `await serialize` + `await deserialize`, vs the raw library behind
//   the same two awaits (reference), the raw library called synchronously, and the Confluent client.
//   An awaited call costs a microtask turn that a synchronous one does not, so the Promise API is
//   held to the raw library wrapped the same way; the synchronous row shows what the turn costs.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Ajv } from 'ajv';
import avro from 'avsc';
import protobuf from 'protobufjs';
import type { BenchmarkDefinition, BenchmarkSubject } from '../../../tools/bench/types.js';
import { AvroSerde, InMemorySchemaRegistry, JsonSchemaSerde, ProtobufSerde, SchemaRegistryServer } from '../src/index.js';

const OPS = 1000;
// Ten half-second rounds per side, alternating, so machine drift shows up in both sides of a pair.
// Three processes each, since JIT decisions can put one process a few percent off.
const ROUNDS = { rounds: 10, roundMs: 500, forks: 3 } as const;

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
  readonly server: SchemaRegistryServer;
  readonly url: string;
}

/** Our serde as both benchmarks use it. */
interface OurSerde {
  serialize(topic: string, value: unknown): Promise<Uint8Array>;
  deserialize(topic: string, bytes: Uint8Array): Promise<unknown>;
  serializeSync(topic: string, value: unknown): Uint8Array;
  deserializeSync(topic: string, bytes: Uint8Array): unknown;
}

interface Format {
  /** `avro`, `json`, `protobuf`: part of the benchmark names. */
  readonly key: string;
  readonly label: string;
  readonly rawLabel: string;
  /** How the raw baseline is set up (its `config`). */
  readonly rawConfig: string;
  readonly create: (registry: InMemorySchemaRegistry) => OurSerde;
  /** Raw serialize, validating as our serde does. */
  readonly encode: () => Uint8Array;
  /** Raw deserialize of what `encode` returned, validating as our serde does. */
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly confluent: { readonly type: SchemaType.AVRO | SchemaType.JSON | SchemaType.PROTOBUF; readonly schema: string };
}

const avroType = avro.Type.forSchema(USER as avro.Schema);
const ajvValidate = new Ajv({ strict: false }).compile(JSON_SCHEMA);
const protoType = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('bench.User');

const FORMATS: readonly Format[] = [
  {
    key: 'avro',
    label: 'AvroSerde',
    rawLabel: 'avsc toBuffer/fromBuffer',
    rawConfig: 'avsc Type.forSchema once; toBuffer validates as it encodes; no framing, no registry',
    create: (registry) => new AvroSerde({ registry, schema: USER }),
    encode: () => avroType.toBuffer(VALUE),
    decode: (bytes) => avroType.fromBuffer(bytes as Buffer),
    confluent: { type: SchemaType.AVRO, schema: JSON.stringify(USER) },
  },
  {
    key: 'json',
    label: 'JsonSchemaSerde',
    rawLabel: 'ajv + JSON',
    rawConfig: 'ajv (strict false) validator compiled once, validate + JSON.stringify / JSON.parse + validate; no framing, no registry',
    create: (registry) => new JsonSchemaSerde({ registry, schema: JSON_SCHEMA }),
    encode: () => {
      if (!ajvValidate(VALUE)) throw new Error('invalid');
      return Buffer.from(JSON.stringify(VALUE));
    },
    decode: (bytes) => {
      const back: unknown = JSON.parse((bytes as Buffer).toString('utf8'));
      if (!ajvValidate(back)) throw new Error('invalid');
      return back;
    },
    confluent: { type: SchemaType.JSON, schema: JSON.stringify(JSON_SCHEMA) },
  },
  {
    key: 'protobuf',
    label: 'ProtobufSerde',
    rawLabel: 'protobufjs verify+encode/decode',
    rawConfig: 'protobufjs type parsed once, verify + encode().finish() / decode; no framing, no registry',
    create: (registry) => new ProtobufSerde({ registry, schema: PROTO }),
    encode: () => {
      if (protoType.verify(VALUE) !== null) throw new Error('invalid');
      return protoType.encode(VALUE).finish();
    },
    decode: (bytes) => protoType.decode(bytes),
    confluent: { type: SchemaType.PROTOBUF, schema: PROTO },
  },
];

async function setup(): Promise<Ctx> {
  const registry = new InMemorySchemaRegistry();
  const server = new SchemaRegistryServer({ registry, port: 0 });
  return { registry, server, url: await server.listen() };
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.server.close();
  await ctx.registry.close();
}

function rawSync(format: Format): BenchmarkSubject<Ctx> {
  return {
    label: format.rawLabel,
    config: `${format.rawConfig}; synchronous`,
    run() {
      for (let i = 0; i < OPS; i++) format.decode(format.encode());
    },
  };
}

function definitions(format: Format): BenchmarkDefinition<Ctx>[] {
  let serde: OurSerde;
  const prepare = async (ctx: Ctx) => {
    serde = format.create(ctx.registry);
    await serde.deserialize('t', await serde.serialize('t', VALUE));
  };
  let confluent: SchemaRegistry;
  let confluentId: number;
  return [
    {
      name: `kafka-extended.schema-${format.key}-serde`,
      description: `${format.label} await serialize + await deserialize (cached id) vs ${format.rawLabel} behind the same two awaits, ${OPS} ops per call`,
      opsPerCall: OPS,
      target: { minRatio: 0.9 },
      ...ROUNDS,
      setup,
      teardown,
      project: {
        label: `@onex ${format.label}`,
        setup: prepare,
        async run() {
          for (let i = 0; i < OPS; i++) await serde.deserialize('t', await serde.serialize('t', VALUE));
        },
      },
      baselines: [
        {
          label: `${format.rawLabel}, awaited`,
          config: `${format.rawConfig}; each step behind an await, as the async serde API has`,
          async run() {
            for (let i = 0; i < OPS; i++) await Promise.resolve(format.decode(await Promise.resolve(format.encode())));
          },
        },
        rawSync(format),
        {
          label: '@kafkajs/confluent-schema-registry',
          config: 'SchemaRegistry against the same in-process registry server, schema registered once, id cached by the library',
          async setup(ctx) {
            confluent = new SchemaRegistry({ host: ctx.url });
            confluentId = (await confluent.register({ type: format.confluent.type, schema: format.confluent.schema }, { subject: `confluent-${format.key}-value` })).id;
            await confluent.decode(await confluent.encode(confluentId, VALUE));
          },
          async run() {
            for (let i = 0; i < OPS; i++) await confluent.decode(await confluent.encode(confluentId, VALUE));
          },
        },
      ],
    },
    {
      name: `kafka-extended.schema-${format.key}-serde-sync`,
      description: `${format.label} serializeSync + deserializeSync (cached id) vs ${format.rawLabel}, ${OPS} ops per call`,
      opsPerCall: OPS,
      target: { minRatio: 0.9 },
      ...ROUNDS,
      setup,
      teardown,
      project: {
        label: `@onex ${format.label} sync`,
        setup: prepare,
        run() {
          for (let i = 0; i < OPS; i++) serde.deserializeSync('t', serde.serializeSync('t', VALUE));
        },
      },
      baselines: [rawSync(format)],
    },
  ];
}

export const benchmarks: BenchmarkDefinition<Ctx>[] = FORMATS.flatMap(definitions);
