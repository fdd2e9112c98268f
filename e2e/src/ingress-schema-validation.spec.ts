// Schema validation at ingest (issue 22): the bridge's IngressServer bound to registry subjects, its
// validate hook composed here from @onex/kafka-extended's serdes (the bridge itself depends on no
// registry), producing to the real broker. Each record is validated against the subject's latest or
// pinned schema; valid ones land in Confluent wire format, invalid ones are refused per record.
import { CommunicationBridge, HttpAdapter, IngressServer, KafkaAdapter, type IngressSchemaValidator } from '@onex/bridge';
import { KafkaClient } from '@onex/kafka';
import {
  AvroSerde,
  InMemorySchemaRegistry,
  JsonSchemaSerde,
  ProtobufSerde,
  readSchemaId,
  type Serde,
} from '@onex/kafka-extended';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';

const USER_V1 = {
  type: 'record',
  name: 'User',
  namespace: 'e2e',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};
const USER_V2 = { ...USER_V1, fields: [...USER_V1.fields, { name: 'email', type: 'string', default: '' }] };
const POINT = {
  type: 'object',
  properties: { x: { type: 'integer' }, y: { type: 'integer' } },
  required: ['x', 'y'],
  additionalProperties: false,
};
const ORDER_PROTO = 'syntax = "proto3";\npackage e2e;\nmessage Order { int32 qty = 1; string sku = 2; }\n';

describe('IngressServer schema validation with the registry serdes', () => {
  const brokers = kafkaBrokers();
  const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
  const registry = new InMemorySchemaRegistry();
  const serdes = new Map<number, Serde>();
  let ingress: IngressServer;
  let bridge: CommunicationBridge;
  const topics = { avro: uniqueName('users'), pinned: uniqueName('users-pinned'), json: uniqueName('points'), proto: uniqueName('orders') };
  const ids: Record<string, number> = {};

  /** The hook: the subject's schema (latest or pinned) with a serde of its type; SERDE_INVALID_PAYLOAD is a validation failure. */
  const validate: IngressSchemaValidator = async ({ topic, subject, version, value }) => {
    const info = await registry.getSchema(subject, { version });
    let serde = serdes.get(info.id);
    if (!serde) {
      const options = { registry, schema: info.schema, autoRegister: false };
      serde =
        info.schemaType === 'PROTOBUF'
          ? new ProtobufSerde(options)
          : info.schemaType === 'JSON'
            ? new JsonSchemaSerde(options)
            : new AvroSerde(options);
      serdes.set(info.id, serde);
    }
    try {
      return { bytes: await serde.serialize(topic, value) };
    } catch (error) {
      if ((error as { code?: string }).code === 'SERDE_INVALID_PAYLOAD') return { errors: [(error as Error).message] };
      throw error;
    }
  };

  beforeAll(async () => {
    ids['avro'] = await registry.registerSchema(`${topics.avro}-value`, USER_V1, 'AVRO');
    ids['pinnedV1'] = await registry.registerSchema(`${topics.pinned}-value`, USER_V1, 'AVRO');
    ids['pinnedV2'] = await registry.registerSchema(`${topics.pinned}-value`, USER_V2, 'AVRO');
    ids['json'] = await registry.registerSchema(`${topics.json}-value`, POINT, 'JSON');
    ids['proto'] = await registry.registerSchema(`${topics.proto}-value`, ORDER_PROTO, 'PROTOBUF');
    for (const topic of Object.values(topics)) await kafka.createTopic(topic, 1, 1);
    ingress = new IngressServer({
      schemas: {
        bindings: {
          [topics.avro]: { subject: `${topics.avro}-value` },
          [topics.pinned]: { subject: `${topics.pinned}-value`, version: 1 },
          [topics.json]: { subject: `${topics.json}-value`, version: 'latest' },
          [topics.proto]: { subject: `${topics.proto}-value` },
        },
        validate,
      },
    });
    bridge = new CommunicationBridge({
      adapters: [new HttpAdapter({ ingress }), new KafkaAdapter({ client: kafka, connection: { bootstrapServers: brokers } })],
    });
    for (const [name, topic] of Object.entries(topics)) {
      await bridge.createBridge(name, 'http', 'kafka', { sourceEndpoint: `/${name}`, targetTopic: topic, messageFormat: 'bytes' });
    }
  }, 60_000);

  afterAll(async () => {
    await bridge?.close();
    await ingress?.close();
    await kafka.close();
  });

  async function produce(topic: string, records: unknown[]) {
    const response = await fetch(`${ingress.address().url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.kafka.json.v2+json' },
      body: JSON.stringify({ records: records.map((value) => ({ value })) }),
    });
    return { status: response.status, offsets: ((await response.json()) as { offsets: Record<string, unknown>[] }).offsets };
  }

  async function stored(topic: string, count: number): Promise<Uint8Array[]> {
    const consumer = await kafka.createConsumer({ bootstrapServers: brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest', enableAutoCommit: false });
    const out: Uint8Array[] = [];
    const deadline = Date.now() + 20_000;
    while (out.length < count && Date.now() < deadline) {
      for (const m of await kafka.consumeMessages(consumer, [topic], 1000)) out.push(m.value!);
    }
    // One more short poll: nothing beyond the valid records may have been produced.
    for (const m of await kafka.consumeMessages(consumer, [topic], 500)) out.push(m.value!);
    await kafka.closeConsumer(consumer);
    return out;
  }

  it.each([
    ['AVRO', 'avro', { name: 'ada', age: 36 }, { name: 'bob', age: 'old' }],
    ['JSON', 'json', { x: 1, y: 2 }, { x: 1 }],
    ['PROTOBUF', 'proto', { qty: 3, sku: 'A-1' }, { qty: 'many' }],
  ] as const)(
    '%s: produces the valid record in Confluent wire format and refuses the invalid one with the serde’s message',
    async (_, key, good, bad) => {
      const topic = topics[key];
      const { status, offsets } = await produce(topic, [good, bad]);
      expect(status).toBe(207);
      expect(offsets[0]).toMatchObject({ success: true, offset: 0 });
      expect(offsets[1]).toMatchObject({
        success: false,
        error_code: 422,
        code: 'BRIDGE_INVALID_MESSAGE',
        message: expect.stringContaining(`does not match subject '${topic}-value'`),
        errors: [expect.any(String)],
      });
      const values = await stored(topic, 1);
      expect(values).toHaveLength(1);
      expect(values[0]![0]).toBe(0);
      expect(readSchemaId(values[0]!)).toBe(ids[key]);
      const reader = serdes.get(ids[key]!)!;
      expect(await reader.deserialize(topic, values[0]!)).toMatchObject(good);
    },
    60_000,
  );

  it('validates against a pinned version even when the subject has a later one', async () => {
    const { status, offsets } = await produce(topics.pinned, [{ name: 'cy', age: 7 }]);
    expect(status).toBe(200);
    expect(offsets[0]).toMatchObject({ success: true });
    const values = await stored(topics.pinned, 1);
    expect(values).toHaveLength(1);
    expect(readSchemaId(values[0]!)).toBe(ids['pinnedV1']);
    expect(ids['pinnedV1']).not.toBe(ids['pinnedV2']);
  }, 60_000);
});
