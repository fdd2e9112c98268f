// Confluent's official Node client, @confluentinc/schemaregistry, against our SchemaRegistryServer:
// its registry calls and its own serdes for AVRO, JSON and PROTOBUF, both directions with ours.
import { create, createFileRegistry, createMutableRegistry, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, FieldDescriptorProto_Label, FieldDescriptorProto_Type, file_google_protobuf_timestamp } from '@bufbuild/protobuf/wkt';
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  ProtobufDeserializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { AvroSerde, InMemorySchemaRegistry, JsonSchemaSerde, ProtobufSerde, RestSchemaRegistryClient, SchemaRegistryServer } from '@onex/kafka-extended';

const USER = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }] };
const POINT = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };

const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;
const { INT32: TYPE_INT32, INT64: TYPE_INT64, STRING: TYPE_STRING, MESSAGE: TYPE_MESSAGE, ENUM: TYPE_ENUM } = FieldDescriptorProto_Type;

/** acme/common.proto and acme/order.proto (which imports it and google/protobuf/timestamp.proto), as protoc would describe them. */
function orderFiles() {
  const common = create(FileDescriptorProtoSchema, {
    name: 'acme/common.proto',
    package: 'acme',
    syntax: 'proto3',
    messageType: [
      {
        name: 'Money',
        field: [
          { name: 'units', number: 1, label: OPTIONAL, type: TYPE_INT64, jsonName: 'units' },
          { name: 'currency', number: 2, label: OPTIONAL, type: TYPE_STRING, jsonName: 'currency' },
        ],
      },
    ],
  });
  const order = create(FileDescriptorProtoSchema, {
    name: 'acme/order.proto',
    package: 'acme',
    syntax: 'proto3',
    dependency: ['acme/common.proto', 'google/protobuf/timestamp.proto'],
    messageType: [
      {
        name: 'Order',
        field: [
          { name: 'qty', number: 1, label: OPTIONAL, type: TYPE_INT32, jsonName: 'qty' },
          { name: 'sku', number: 2, label: OPTIONAL, type: TYPE_STRING, jsonName: 'sku' },
          { name: 'price', number: 3, label: OPTIONAL, type: TYPE_MESSAGE, typeName: '.acme.Money', jsonName: 'price' },
          { name: 'lines', number: 4, label: REPEATED, type: TYPE_MESSAGE, typeName: '.acme.Order.Line', jsonName: 'lines' },
          { name: 'status', number: 5, label: OPTIONAL, type: TYPE_ENUM, typeName: '.acme.Status', jsonName: 'status' },
          { name: 'at', number: 6, label: OPTIONAL, type: TYPE_MESSAGE, typeName: '.google.protobuf.Timestamp', jsonName: 'at' },
        ],
        nestedType: [{ name: 'Line', field: [{ name: 'name', number: 1, label: OPTIONAL, type: TYPE_STRING, jsonName: 'name' }] }],
      },
    ],
    enumType: [{ name: 'Status', value: [{ name: 'NEW', number: 0 }, { name: 'PAID', number: 1 }] }],
  });
  return createMutableRegistry(createFileRegistry(create(FileDescriptorSetSchema, { file: [file_google_protobuf_timestamp.proto, common, order] })));
}

describe('@confluentinc/schemaregistry against SchemaRegistryServer', () => {
  let registry: InMemorySchemaRegistry;
  let server: SchemaRegistryServer;
  let url: string;
  let client: SchemaRegistryClient;
  let ours: RestSchemaRegistryClient;
  beforeEach(async () => {
    registry = new InMemorySchemaRegistry();
    server = new SchemaRegistryServer({ registry });
    url = await server.listen();
    client = new SchemaRegistryClient({ baseURLs: [url] });
    ours = new RestSchemaRegistryClient({ url });
  });
  afterEach(async () => {
    client.close();
    await server.close();
    await registry.close();
  });

  it('registers, looks up, lists and deletes through the Confluent client', async () => {
    const info = { schemaType: 'AVRO', schema: JSON.stringify(USER) };
    const id = await client.register('users-value', info);
    expect(id).toBe(1);
    expect(await client.getId('users-value', info)).toBe(id);
    expect(await client.getVersion('users-value', info)).toBe(1);
    expect(await client.getLatestSchemaMetadata('users-value')).toMatchObject({ id, version: 1, subject: 'users-value' });
    expect(await client.getSchemaMetadata('users-value', 1)).toMatchObject({ id, version: 1 });
    expect(await client.getBySubjectAndId('users-value', id)).toMatchObject({ schema: JSON.stringify(USER) });
    expect(await client.getAllSubjects()).toEqual(['users-value']);
    expect(await client.getAllVersions('users-value')).toEqual([1]);
    expect(await client.testSubjectCompatibility('users-value', info)).toBe(true);
    expect(await client.testSubjectCompatibility('nobody-value', info)).toBe(true);
    expect(await client.testCompatibility('users-value', 1, info)).toBe(true);
    expect(await client.updateConfig('users-value', { normalize: true })).toMatchObject({ normalize: true });
    expect(await client.updateCompatibility('users-value', 'FULL' as never)).toBe('FULL');
    expect(await client.getConfig('users-value')).toMatchObject({ compatibilityLevel: 'FULL', normalize: true });
    expect(await client.deleteSubjectVersion('users-value', 1)).toBe(1);
    expect(await client.deleteSubject('users-value', true)).toEqual([1]);
    expect(await client.getAllSubjects()).toEqual([]);
  });

  it('round-trips Avro with its serdes and ours, byte for byte', async () => {
    const id = await client.register('users-value', { schemaType: 'AVRO', schema: JSON.stringify(USER) });
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const theirs = await serializer.serialize('users', { id: 5, name: 'eve' });
    const serde = new AvroSerde({ registry: ours, schema: USER });
    expect(await serde.deserialize('users', theirs)).toEqual({ id: 5, name: 'eve' });
    const mine = Buffer.from(await serde.serialize('users', { id: 5, name: 'eve' }));
    expect(mine.equals(theirs)).toBe(true);
    expect(mine.readUInt32BE(1)).toBe(id);
    const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
    expect(await deserializer.deserialize('users', mine)).toEqual({ id: 5, name: 'eve' });
  });

  it('round-trips JSON Schema with its serdes and ours, byte for byte', async () => {
    await client.register('points-value', { schemaType: 'JSON', schema: JSON.stringify(POINT) });
    const serializer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const theirs = await serializer.serialize('points', { a: 3 });
    const serde = new JsonSchemaSerde({ registry: ours, schema: POINT });
    expect(await serde.deserialize('points', theirs)).toEqual({ a: 3 });
    const mine = Buffer.from(await serde.serialize('points', { a: 3 }));
    expect(mine.equals(theirs)).toBe(true);
    const deserializer = new JsonDeserializer(client, SerdeType.VALUE, {});
    expect(await deserializer.deserialize('points', mine)).toEqual({ a: 3 });
  });

  it('round-trips Protobuf: its serializer registers serialized descriptors (with an import), ours reads them, and back', async () => {
    const files = orderFiles();
    const Order = files.getMessage('acme.Order') as DescMessage;
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true, registry: files });
    const message = create(Order as never, { qty: 2, sku: 'A-1', price: { units: 10n, currency: 'EUR' }, lines: [{ name: 'x' }], status: 1, at: { seconds: 1700000000n, nanos: 5 } } as never);
    const theirs = await serializer.serialize('orders', message);

    // the import was registered as its own subject and referenced; both read back as .proto text
    expect(await client.getAllSubjects()).toEqual(['acme/common.proto', 'orders-value']);
    const latest = await ours.getSchema('orders-value');
    expect(latest.references).toEqual([{ name: 'acme/common.proto', subject: 'acme/common.proto', version: 1 }]);
    expect(latest.schema).toContain('import "acme/common.proto";');
    expect(latest.schema).toContain('import "google/protobuf/timestamp.proto";');
    expect(latest.schema).toContain('message Order');

    const serde = new ProtobufSerde({ registry: ours, autoRegister: false });
    const decoded = (await serde.deserialize('orders', theirs)) as { toJSON(): unknown };
    expect(decoded.toJSON()).toEqual({ qty: 2, sku: 'A-1', price: { units: '10', currency: 'EUR' }, lines: [{ name: 'x' }], status: 'PAID', at: expect.anything() });

    const mine = Buffer.from(await serde.serialize('orders', { qty: 2, sku: 'A-1', price: { units: 10, currency: 'EUR' }, lines: [{ name: 'x' }], status: 1, at: { seconds: 1700000000, nanos: 5 } }));
    expect(mine.equals(theirs)).toBe(true);
    const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const back = (await deserializer.deserialize('orders', mine)) as Record<string, unknown>;
    expect(back).toMatchObject({ $typeName: 'acme.Order', qty: 2, sku: 'A-1', price: { units: 10n, currency: 'EUR' }, lines: [{ name: 'x' }], status: 1, at: { seconds: 1700000000n, nanos: 5 } });
  });

  it('finds, without registering, the ids of Protobuf schemas ours registered as .proto text', async () => {
    const commonText = 'syntax = "proto3";\npackage acme;\n\nmessage Money {\n  int64 units = 1;\n  string currency = 2;\n}\n';
    const orderText = [
      'syntax = "proto3";',
      'package acme;',
      'import "acme/common.proto";',
      'import "google/protobuf/timestamp.proto";',
      'enum Status { NEW = 0; PAID = 1; }',
      'message Order {',
      '  int32 qty = 1;',
      '  string sku = 2;',
      '  Money price = 3;',
      '  repeated Line lines = 4;',
      '  Status status = 5;',
      '  google.protobuf.Timestamp at = 6;',
      '  message Line { string name = 1; }',
      '}',
      '',
    ].join('\n');
    const commonId = await ours.registerSchema('acme/common.proto', commonText, 'PROTOBUF');
    const orderId = await ours.registerSchema('orders-value', orderText, 'PROTOBUF', { references: [{ name: 'acme/common.proto', subject: 'acme/common.proto', version: 1 }] });
    const files = orderFiles();
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, registry: files });
    const message = create(files.getMessage('acme.Order') as never, { qty: 1, sku: 'B' } as never);
    const theirs = await serializer.serialize('orders', message);
    expect(theirs.readUInt32BE(1)).toBe(orderId);
    expect(await client.getAllSubjects()).toEqual(['acme/common.proto', 'orders-value']);
    expect(await ours.listVersions('orders-value')).toEqual([1]);
    expect(commonId).not.toBe(orderId);
    const serde = new ProtobufSerde({ registry: ours, autoRegister: false });
    expect(((await serde.deserialize('orders', theirs)) as { toJSON(): unknown }).toJSON()).toEqual({ qty: 1, sku: 'B' });
  });

  it('reads a Protobuf schema registered as .proto text through format=serialized', async () => {
    const proto = 'syntax = "proto3";\npackage shop;\nmessage Item {\n  string name = 1;\n  map<string, int32> counts = 2;\n  oneof pick { int32 a = 3; string b = 4; }\n}\n';
    const id = await ours.registerSchema('items-value', proto, 'PROTOBUF');
    const serde = new ProtobufSerde({ registry: ours, autoRegister: false });
    const mine = Buffer.from(await serde.serialize('items', { name: 'n', counts: { x: 1 }, b: 'bee' }));
    const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const back = (await deserializer.deserialize('items', mine)) as Record<string, unknown>;
    expect(back).toMatchObject({ $typeName: 'shop.Item', name: 'n', counts: { x: 1 }, pick: { case: 'b', value: 'bee' } });
    expect(mine.readUInt32BE(1)).toBe(id);
  });
});
