import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';
import { AvroSerde } from '../serde/avro-serde.js';
import { JsonSchemaSerde } from '../serde/json-schema-serde.js';
import { ProtobufSerde } from '../serde/protobuf-serde.js';
import { RestSchemaRegistryClient } from './rest-schema-registry-client.js';
import { SchemaRegistryServer } from './schema-registry-server.js';

const USER = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }] };
const POINT = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
const ORDER_PROTO = 'syntax = "proto3";\npackage acme;\nmessage Order {\n  int32 qty = 1;\n  string sku = 2;\n}\n';

describe(SchemaRegistryServer, () => {
  let registry: InMemorySchemaRegistry;
  let server: SchemaRegistryServer;
  let url: string;
  beforeEach(async () => {
    registry = new InMemorySchemaRegistry();
    server = new SchemaRegistryServer({ registry, port: 0 });
    url = await server.listen();
  });
  afterEach(async () => {
    await server.close();
    await registry.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('lets @kafkajs/confluent-schema-registry register, fetch, encode and decode Avro', async () => {
    const confluent = new SchemaRegistry({ host: url });
    const { id } = await confluent.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER) }, { subject: 'users-value' });
    expect(await confluent.getLatestSchemaId('users-value')).toBe(id);
    expect(await registry.getSubjectCompatibility('users-value')).toBe('BACKWARD');
    const theirs = await confluent.encode(id, { id: 5, name: 'eve' });
    const ours = new AvroSerde({ registry: new RestSchemaRegistryClient({ url }) });
    expect(await ours.deserialize('users', theirs)).toEqual({ id: 5, name: 'eve' });
    const ourBytes = await new AvroSerde({ registry, schema: USER }).serialize('users', { id: 6, name: 'bob' });
    expect(Buffer.from(ourBytes).equals(await confluent.encode(id, { id: 6, name: 'bob' }))).toBe(true);
    expect(await confluent.decode(Buffer.from(ourBytes))).toEqual({ id: 6, name: 'bob' });
    expect(await confluent.getRegistryIdBySchema('users-value', { type: SchemaType.AVRO, schema: JSON.stringify(USER) })).toBe(id);
  });

  it('lets @kafkajs/confluent-schema-registry round-trip JSON Schema with our serde', async () => {
    const confluent = new SchemaRegistry({ host: url });
    const { id } = await confluent.register({ type: SchemaType.JSON, schema: JSON.stringify(POINT) }, { subject: 'points-value' });
    const theirs = await confluent.encode(id, { a: 3 });
    const serde = new JsonSchemaSerde({ registry: new RestSchemaRegistryClient({ url }), schema: POINT });
    expect(await serde.deserialize('points', theirs)).toEqual({ a: 3 });
    const ours = await serde.serialize('points', { a: 4 });
    expect(await confluent.decode(Buffer.from(ours))).toEqual({ a: 4 });
  });

  it('lets @kafkajs/confluent-schema-registry register Protobuf and decode what we write', async () => {
    const confluent = new SchemaRegistry({ host: url });
    const { id } = await confluent.register({ type: SchemaType.PROTOBUF, schema: ORDER_PROTO }, { subject: 'orders-value' });
    const serde = new ProtobufSerde({ registry: new RestSchemaRegistryClient({ url }), schema: ORDER_PROTO });
    const ours = await serde.serialize('orders', { qty: 2, sku: 'A-1' });
    expect([...ours.subarray(0, 6)]).toEqual([0, 0, 0, 0, id, 0]);
    expect((await confluent.decode(Buffer.from(ours))).toJSON()).toEqual({ qty: 2, sku: 'A-1' });
  });

  it('serves the same semantics through our REST client', async () => {
    const client = new RestSchemaRegistryClient({ url });
    const id = await client.registerSchema('users-value', USER, 'AVRO');
    expect(await client.registerSchema('users-value', USER, 'AVRO')).toBe(id);
    expect(await client.getSchema('users-value')).toMatchObject({ id, version: 1, subject: 'users-value', schemaType: 'AVRO' });
    expect(await client.getSchemaById(id)).toMatchObject({ id, schemaType: 'AVRO' });
    const incompatible = { ...USER, fields: [...USER.fields, { name: 'age', type: 'int' }] };
    expect(await client.checkSchemaCompatibility('users-value', incompatible)).toEqual({ isCompatible: false, messages: [expect.stringContaining('default-less')] });
    await expect(client.registerSchema('users-value', incompatible, 'AVRO')).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
    expect(await client.listSubjects()).toEqual(['users-value']);
    expect(await client.listVersions('users-value')).toEqual([1]);
    expect(await client.lookupSchema('users-value', USER)).toMatchObject({ version: 1, id });
    expect(await client.getSubjectVersionsById(id)).toEqual([{ subject: 'users-value', version: 1 }]);
    expect(await client.setCompatibility('FULL', 'users-value')).toBe('FULL');
    expect(await client.getCompatibility('users-value')).toBe('FULL');
    expect(await client.getSubjectCompatibility('users-value')).toBe('FULL');
    await client.deleteSubjectCompatibility('users-value');
    expect(await client.getSubjectCompatibility('users-value')).toBeUndefined();
    expect(await client.setCompatibility('NONE')).toBe('NONE');
    expect(await client.getCompatibility()).toBe('NONE');
    expect(await client.deleteSchemaVersion('users-value', 1)).toBe(1);
    expect(await client.deleteSubject('users-value', { permanent: true })).toEqual([1]);
    await expect(client.getSchemaById(id + 100)).rejects.toMatchObject({ code: 'SCHEMA_ID_NOT_FOUND' });
  });

  it('answers with Confluent error codes and bodies', async () => {
    await registry.registerSchema('s', USER, 'AVRO');
    expect(await call('GET', '/subjects/nope/versions/1')).toEqual({ status: 404, body: { error_code: 40401, message: expect.any(String) } });
    expect((await call('GET', '/subjects/s/versions/9')).body.error_code).toBe(40402);
    expect((await call('GET', '/schemas/ids/77')).body.error_code).toBe(40403);
    expect((await call('POST', '/subjects/s/versions', { schema: '{"type":"nope"}' })).body.error_code).toBe(42201);
    expect((await call('GET', '/subjects/s/versions/abc')).body.error_code).toBe(42202);
    expect((await call('PUT', '/config', { compatibility: 'SIDEWAYS' })).body.error_code).toBe(42203);
    const conflict = await call('POST', '/subjects/s/versions', { schema: JSON.stringify({ ...USER, fields: [{ name: 'x', type: 'int' }] }) });
    expect(conflict).toEqual({ status: 409, body: { error_code: 409, message: expect.stringContaining('incompatible') } });
    expect((await call('DELETE', '/subjects/s?permanent=true')).body.error_code).toBe(40405);
    expect((await call('GET', '/config/s')).body.error_code).toBe(40408);
    expect((await call('GET', '/schemas/types')).body).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
    expect((await call('GET', '/subjects/s/versions/latest/schema')).body).toEqual(USER);
    expect((await call('POST', '/compatibility/subjects/s/versions/latest?verbose=true', { schema: JSON.stringify(USER) })).body).toEqual({ is_compatible: true, messages: [] });
    expect((await call('PATCH', '/subjects')).status).toBe(405);
    expect((await call('GET', '/nothing')).status).toBe(404);
  });

  /** Sends `path` byte for byte (fetch and URL would normalize it) and answers status, raw text and JSON. */
  const raw = (method: string, path: string, body?: string | Buffer) =>
    new Promise<{ status: number; text: string; json: () => any }>((resolve, reject) => {
      const req = request(`${url}${path}`, { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers 400 with a Confluent body for a path that is not valid percent-encoding', async () => {
    for (const [method, path] of [
      ['GET', '/subjects/%zz/versions'],
      ['POST', '/subjects/%zz/versions'],
      ['GET', '/subjects/a%/versions/1'],
      ['GET', '/subjects/%ff%fe/versions'],
      ['DELETE', '/config/%E0%A4'],
    ] as const) {
      const res = await raw(method, path, method === 'POST' ? JSON.stringify({ schema: JSON.stringify(USER) }) : undefined);
      expect({ path, status: res.status, body: res.json() }).toEqual({
        path,
        status: 400,
        body: { error_code: 400, message: expect.stringContaining('percent-encoding') },
      });
    }
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('decodes a subject name in the path exactly once', async () => {
    const slash = await raw('POST', '/subjects/a%2Fb/versions', JSON.stringify({ schema: JSON.stringify(USER) }));
    const percent = await raw('POST', '/subjects/a%252Fb/versions', JSON.stringify({ schema: JSON.stringify(POINT), schemaType: 'JSON' }));
    expect([slash.status, percent.status]).toEqual([200, 200]);
    expect(slash.json().id).not.toBe(percent.json().id);
    expect(await registry.listSubjects()).toEqual(['a%2Fb', 'a/b']);
    expect((await raw('GET', '/subjects')).json()).toEqual(['a%2Fb', 'a/b']);
    expect((await raw('GET', '/subjects/a%2Fb/versions/latest')).json()).toMatchObject({ subject: 'a/b', id: slash.json().id });
    expect((await raw('GET', '/subjects/a%252Fb/versions/latest')).json()).toMatchObject({ subject: 'a%2Fb', id: percent.json().id, schemaType: 'JSON' });
    expect((await raw('GET', '/subjects/a%25252Fb/versions')).json()).toMatchObject({ error_code: 40401 });
    const client = new RestSchemaRegistryClient({ url });
    expect(await client.getSchema('a%2Fb')).toMatchObject({ subject: 'a%2Fb', id: percent.json().id });
    expect(await client.getSchema('a/b')).toMatchObject({ subject: 'a/b', id: slash.json().id });
    expect((await raw('GET', '/subjects/%C3%A9t%C3%A9%20x/versions')).json()).toMatchObject({ error_code: 40401, message: expect.stringContaining('"été x"') });
  });

  it('serves the raw schema text of AVRO, JSON and PROTOBUF schemas under /schema', async () => {
    const texts = { PROTOBUF: ORDER_PROTO, JSON: JSON.stringify(POINT), AVRO: JSON.stringify(USER, null, 2) } as const;
    for (const [schemaType, schema] of Object.entries(texts)) {
      const subject = `raw-${schemaType}`;
      const registered = await raw('POST', `/subjects/${subject}/versions`, JSON.stringify({ schema, schemaType }));
      expect(registered.status).toBe(200);
      const { id } = registered.json() as { id: number };
      for (const path of [`/schemas/ids/${id}/schema`, `/subjects/${subject}/versions/1/schema`, `/subjects/${subject}/versions/latest/schema`]) {
        const res = await raw('GET', path);
        expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 200, text: schema });
      }
      expect((await raw('GET', `/schemas/ids/${id}`)).json()).toMatchObject({ schema });
    }
  });

  /** Writes bytes on a fresh connection; resolves with everything the server sent before closing. */
  const rawSocket = (bytes: string | Buffer, { keepWriting = false } = {}) =>
    new Promise<{ head: string; body: string; written: number }>((resolve) => {
      const chunks: Buffer[] = [];
      let written = 0;
      const socket = connect(Number(new URL(url).port), '127.0.0.1', () => {
        socket.write(bytes);
        const more = () => {
          // Keeps streaming a chunked body until the server answers (up to 64 MiB).
          while (keepWriting && chunks.length === 0 && written < 64 * 1024 * 1024 && !socket.destroyed) {
            written += 65536;
            if (!socket.write(`10000\r\n${'a'.repeat(65536)}\r\n`)) return void socket.once('drain', more);
          }
        };
        more();
      });
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const end = text.indexOf('\r\n\r\n');
        resolve({ head: text.slice(0, end), body: text.slice(end + 4), written });
      });
    });

  it('answers requests node:http cannot parse with Confluent bodies: 400, 431 for huge headers, 405 for CONNECT', async () => {
    for (const [request, status] of [
      ['GET /subjects HTTP/1.1\r\nhost: x\r\nx-a: b\u0000c\r\n\r\n', 400],
      ['GET /subj ects HTTP/1.1\r\nhost: x\r\n\r\n', 400],
      ['G ET /subjects HTTP/1.1\r\nhost: x\r\n\r\n', 400],
      // dispatched before the parser fails on the transfer-encoding: its answer had not started yet
      ['GET /subjects HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\n', 400],
      [`GET /subjects HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`, 431],
      ['CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\n\r\n', 405],
    ] as const) {
      const res = await rawSocket(request);
      expect({ request: request.slice(0, 40), status: res.head.split(' ')[1], body: JSON.parse(res.body || 'null') }).toEqual({
        request: request.slice(0, 40),
        status: String(status),
        body: { error_code: status, message: expect.any(String) },
      });
    }
  });

  it('answers a malformed request after a good one on a keep-alive connection with a Confluent 400', async () => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /subjects HTTP/1.1\r\nhost: x\r\n\r\n');
    while (!received.endsWith('[]')) await new Promise((resolve) => setTimeout(resolve, 5));
    received = '';
    socket.write('GET /subjects HTTP/1.1\r\nhost: x\r\nx-a: b\u0000c\r\n\r\n');
    await closed;
    const [head, body] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body ?? 'null')).toEqual({ error_code: 400, message: expect.stringContaining('malformed HTTP request') });
  });

  it('closes even while a CONNECT client that sent a body keeps its end open', async () => {
    const client = connect({ port: Number(new URL(url).port), host: '127.0.0.1', allowHalfOpen: true });
    const answer = new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    client.on('error', () => undefined);
    client.write('CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\ncontent-length: 5\r\n\r\nhello');
    expect(await answer).toMatch(/^HTTP\/1\.1 405 /);
    const closed = await Promise.race([server.close().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 3000, 'still open after 3 s'))]);
    client.destroy();
    expect(closed).toBe('closed');
  });

  it('refuses a body that is not UTF-8 with 400 instead of storing U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"schemaType":"JSON","schema":"{\\"description\\":\\"caf'), Buffer.from([0xe9]), Buffer.from('\\"}"}')]);
    const res = await raw('POST', '/subjects/s/versions', body);
    expect({ status: res.status, body: res.json() }).toEqual({ status: 400, body: { error_code: 400, message: 'request body is not valid UTF-8' } });
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('bounds JSON nesting: 400 for a body, 42201 for a schema nested deeper than maxJsonDepth', async () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const deepBody = await raw('POST', '/subjects/s/versions', `{"schema":"\\"string\\"","x":${nested(300)}}`);
    expect({ status: deepBody.status, body: deepBody.json() }).toEqual({ status: 400, body: { error_code: 400, message: 'request body nests deeper than 256 levels' } });
    for (const schemaType of ['JSON', 'AVRO', 'PROTOBUF']) {
      const deepSchema = await raw('POST', '/subjects/s/versions', JSON.stringify({ schema: nested(20_000), schemaType }));
      expect({ schemaType, status: deepSchema.status, body: deepSchema.json() }).toEqual({
        schemaType,
        status: 422,
        body: { error_code: 42201, message: 'Invalid schema: it nests deeper than 256 levels' },
      });
    }
    // 256 levels still parse; a 2-level limit is an option.
    const atLimit = await raw('POST', '/subjects/s/versions', JSON.stringify({ schema: `${'{"type":"array","items":'.repeat(127)}"int"${'}'.repeat(127)}` }));
    expect(atLimit.status).toBe(200);
    const strict = new SchemaRegistryServer({ registry, maxJsonDepth: 2 });
    const strictUrl = await strict.listen();
    try {
      const res = await fetch(`${strictUrl}/subjects/t/versions`, { method: 'POST', body: JSON.stringify({ schema: JSON.stringify(USER) }) });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 422, body: { error_code: 42201, message: 'Invalid schema: it nests deeper than 2 levels' } });
    } finally {
      await strict.close();
    }
    expect(() => new SchemaRegistryServer({ registry, maxJsonDepth: 0 })).toThrow('`maxJsonDepth` must be a positive integer, got 0');
  });

  it('answers 413 for a body over maxBodyBytes without reading it, and closes the connection', async () => {
    const declared = await rawSocket('POST /subjects/s/versions HTTP/1.1\r\nhost: x\r\ncontent-length: 104857600\r\n\r\n{"schema":');
    expect(declared.head).toMatch(/^HTTP\/1\.1 413 .*connection: close/is);
    expect(JSON.parse(declared.body)).toEqual({ error_code: 413, message: 'request body larger than 1048576 bytes' });
    const streamed = await rawSocket('POST /subjects/s/versions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n', { keepWriting: true });
    expect(streamed.head).toMatch(/^HTTP\/1\.1 413 .*connection: close/is);
    expect(streamed.written).toBeLessThan(64 * 1024 * 1024);
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('refuses a schema with a lone surrogate, which UTF-8 cannot carry back, with 42201', async () => {
    for (const [schemaType, schema] of [
      ['PROTOBUF', 'syntax = "proto3";\n// \ud800\nmessage M {\n  string a = 1;\n}\n'],
      ['JSON', '{"description":"\udc00"}'],
    ] as const) {
      const res = await raw('POST', '/subjects/s/versions', JSON.stringify({ schema, schemaType }));
      expect({ schemaType, status: res.status, body: res.json() }).toEqual({
        schemaType,
        status: 422,
        body: { error_code: 42201, message: 'Invalid schema: the text holds a lone UTF-16 surrogate, which UTF-8 cannot carry' },
      });
    }
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('refuses references that are not an array instead of dropping them', async () => {
    const res = await raw('POST', '/subjects/s/versions', JSON.stringify({ schema: JSON.stringify(USER), references: { name: 'x' } }));
    expect({ status: res.status, body: res.json() }).toEqual({ status: 422, body: { error_code: 42201, message: 'Invalid schema: "references" must be an array, got {"name":"x"}' } });
  });

  it('requires basic auth when configured, and the client sends it', async () => {
    const secured = new SchemaRegistryServer({ registry, basicAuth: { username: 'u', password: 'p' } });
    const securedUrl = await secured.listen();
    try {
      await expect(new RestSchemaRegistryClient({ url: securedUrl, maxRetries: 0 }).listSubjects()).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_HTTP', status: 401 });
      expect(await new RestSchemaRegistryClient({ url: securedUrl, basicAuth: { username: 'u', password: 'p' } }).listSubjects()).toEqual([]);
    } finally {
      await secured.close();
    }
  });
  describe('Confluent endpoints beyond the basics (issue 22)', () => {
    const SHOP_PROTO = [
      'syntax = "proto3";',
      'package shop;',
      'import "common.proto";',
      'message Item {',
      '  string name = 1;',
      '  map<string, int32> counts = 2;',
      '  oneof pick { int32 a = 3; string b = 4; }',
      '  optional int64 maybe = 5;',
      '  repeated Part parts = 6;',
      '  shop.Kind kind = 7;',
      '  common.Money price = 8;',
      '  message Part { string id = 1; }',
      '  reserved 10 to 12;',
      '  reserved "old";',
      '}',
      'enum Kind { KIND_UNSET = 0; KIND_BIG = 1; }',
      '',
    ].join('\n');
    const COMMON_PROTO = 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }\n';

    it('answers format=serialized with the base64 FileDescriptorProto, and registers such a descriptor as .proto text', async () => {
      await call('POST', '/subjects/common.proto/versions', { schemaType: 'PROTOBUF', schema: COMMON_PROTO });
      const references = [{ name: 'common.proto', subject: 'common.proto', version: 1 }];
      const { body: registered } = await call('POST', '/subjects/items-value/versions', { schemaType: 'PROTOBUF', schema: SHOP_PROTO, references });
      const serialized = await call('GET', `/schemas/ids/${registered.id}?format=serialized`);
      expect(serialized.status).toBe(200);
      const file = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(Buffer.from(serialized.body.schema, 'base64')), { defaults: false }) as any;
      expect(file).toMatchObject({ package: 'shop', syntax: 'proto3', dependency: ['common.proto'] });
      expect(file.messageType[0].name).toBe('Item');
      expect(file.messageType[0].field.find((f: any) => f.name === 'price')).toMatchObject({ type: 11, typeName: '.common.Money' });
      expect(file.messageType[0].nestedType.map((m: any) => m.name)).toEqual(['Part', 'CountsEntry']);
      expect((await call('GET', `/subjects/items-value/versions/1?format=serialized`)).body.schema).toBe(serialized.body.schema);
      expect((await call('GET', `/subjects/items-value/versions/1`)).body.schema).toBe(SHOP_PROTO);
      // The descriptor registered back is the same schema: same id, stored as .proto text.
      const again = await call('POST', '/subjects/items-copy/versions', { schemaType: 'PROTOBUF', schema: serialized.body.schema, references });
      expect(again.body).toEqual({ id: registered.id });
      const lookedUp = await call('POST', '/subjects/items-value', { schemaType: 'PROTOBUF', schema: serialized.body.schema, references });
      expect(lookedUp.body).toMatchObject({ id: registered.id, version: 1 });
      expect((await call('GET', '/subjects/items-copy/versions/1')).body.schema).toContain('map<string, int32> counts = 2;');
      expect((await call('GET', '/schemas/ids/1?format=nope')).body).toEqual({ error_code: 42202, message: expect.stringContaining('format "nope" is not supported for PROTOBUF') });
      const junk = await call('POST', '/subjects/junk/versions', { schemaType: 'PROTOBUF', schema: 'AAAA' });
      expect(junk).toEqual({ status: 422, body: { error_code: 42201, message: expect.stringContaining('neither .proto text nor a base64 FileDescriptorProto') } });
    });

    it('accepts normalize=true on register and lookup, where identity is the normalized form anyway', async () => {
      expect((await call('POST', '/subjects/s/versions?normalize=true', { schema: JSON.stringify(USER) })).body).toEqual({ id: 1 });
      const reformatted = JSON.stringify(USER, null, 2);
      expect((await call('POST', '/subjects/s?normalize=true', { schema: reformatted })).body).toMatchObject({ id: 1, version: 1 });
      expect((await call('POST', '/subjects/s/versions?normalize=false', { schema: reformatted })).body).toEqual({ id: 1 });
      expect((await call('GET', '/subjects/s/versions')).body).toEqual([1]);
    });

    it('answers a compatibility check against latest of a subject without versions with is_compatible true', async () => {
      expect(await call('POST', '/compatibility/subjects/fresh/versions/latest', { schema: JSON.stringify(USER) })).toEqual({ status: 200, body: { is_compatible: true } });
      expect((await call('POST', '/compatibility/subjects/fresh/versions/latest', { schema: '{"type":"nope"}' })).body.error_code).toBe(42201);
      expect((await call('POST', '/compatibility/subjects/fresh/versions/1', { schema: JSON.stringify(USER) })).body.error_code).toBe(40401);
    });

    it('accepts a config of any subset of fields, keeps the fields not given, and reads through defaultToGlobal', async () => {
      expect(await call('PUT', '/config/s', { normalize: true })).toEqual({ status: 200, body: { normalize: true } });
      expect((await call('GET', '/config/s')).body).toEqual({ normalize: true });
      expect((await call('PUT', '/config/s', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
      expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
      expect(await registry.getCompatibility('s')).toBe('FULL');
      await call('PUT', '/config', { validateFields: true });
      expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD', validateFields: true });
      expect((await call('GET', '/config/t?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD', validateFields: true });
      expect((await call('GET', '/config/s?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true, validateFields: true });
      expect((await call('GET', '/config/t')).body.error_code).toBe(40408);
      expect((await call('PUT', '/config/s', { normalise: true })).body).toEqual({ error_code: 42203, message: expect.stringContaining('unknown field "normalise"') });
      expect((await call('PUT', '/config/s', { normalize: 'yes' })).body).toEqual({ error_code: 42203, message: expect.stringContaining('`normalize` must be a boolean') });
      expect((await call('DELETE', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
      expect((await call('GET', '/config/s')).body.error_code).toBe(40408);
    });

    it('answers 40407 for a permanent delete of a live version and 40405 for a live subject', async () => {
      await registry.registerSchema('s', USER, 'AVRO');
      expect((await call('DELETE', '/subjects/s/versions/1?permanent=true')).body).toEqual({ error_code: 40407, message: expect.stringContaining('soft-deleted') });
      expect((await call('DELETE', '/subjects/s?permanent=true')).body.error_code).toBe(40405);
      expect((await call('DELETE', '/subjects/s/versions/1')).body).toBe(1);
      expect((await call('DELETE', '/subjects/s/versions/1?permanent=true')).body).toBe(1);
    });

    it('serves modes: READONLY refuses writes with 42205, READONLY_OVERRIDE wins over a subject, IMPORT takes the given id and version', async () => {
      expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
      expect((await call('GET', '/mode/s')).body.error_code).toBe(40409);
      expect((await call('GET', '/mode/s?defaultToGlobal=true')).body).toEqual({ mode: 'READWRITE' });
      expect((await call('PUT', '/mode/s', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
      expect(await call('POST', '/subjects/s/versions', { schema: JSON.stringify(USER) })).toEqual({ status: 422, body: { error_code: 42205, message: expect.stringContaining('READONLY') } });
      expect((await call('POST', '/subjects/other/versions', { schema: JSON.stringify(USER) })).body).toEqual({ id: 1 });
      expect((await call('DELETE', '/mode/s')).body).toEqual({ mode: 'READONLY' });
      expect((await call('PUT', '/mode', { mode: 'READONLY_OVERRIDE' })).body).toEqual({ mode: 'READONLY_OVERRIDE' });
      await call('PUT', '/mode/other', { mode: 'READWRITE' });
      expect((await call('DELETE', '/subjects/other')).body.error_code).toBe(42205);
      expect((await call('DELETE', '/mode')).body).toEqual({ mode: 'READONLY_OVERRIDE' });
      expect((await call('PUT', '/mode', { mode: 'SIDEWAYS' })).body).toEqual({ error_code: 42202, message: expect.stringContaining('`mode` must be one of') });
      // IMPORT: refused over existing schemas unless forced; then ids and versions come from the caller.
      expect((await call('PUT', '/mode', { mode: 'IMPORT' })).body).toEqual({ error_code: 42205, message: expect.stringContaining('force') });
      expect((await call('PUT', '/mode/imported', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(USER) })).body).toEqual({ error_code: 42205, message: expect.stringContaining('"id"') });
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(USER), id: 1, version: 7 })).body).toEqual({ id: 1 });
      expect((await call('GET', '/subjects/imported/versions')).body).toEqual([7]);
      const other = { ...USER, name: 'Other' };
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(other), id: 1, version: 8 })).body.error_code).toBe(42205);
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(other), id: 40, version: 3 })).body).toEqual({ error_code: 42205, message: expect.stringContaining('up to 7') });
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(other), id: 40, version: 9 })).body).toEqual({ id: 40 });
      await call('PUT', '/mode/imported', { mode: 'READWRITE' });
      expect((await call('POST', '/subjects/imported/versions', { schema: JSON.stringify(other), id: 40 })).body).toEqual({ error_code: 42205, message: expect.stringContaining('IMPORT mode') });
      expect((await call('POST', '/subjects/fresh/versions', { schema: JSON.stringify({ ...USER, name: 'Third' }) })).body).toEqual({ id: 41 });
    });

    it('stores metadata and ruleSet, returns them, and finds the latest version by metadata', async () => {
      const metadata = { properties: { owner: 'team-a', tier: 'gold' }, tags: { 'User.name': ['PII'] } };
      const ruleSet = { domainRules: [{ name: 'checkName', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'size(message.name) > 0' }] };
      const first = await call('POST', '/subjects/s/versions', { schema: JSON.stringify(USER), metadata, ruleSet });
      const plain = await call('POST', '/subjects/s/versions', { schema: JSON.stringify(USER) });
      expect(plain.body.id).not.toBe(first.body.id);
      const v1 = (await call('GET', '/subjects/s/versions/1')).body;
      expect(v1).toMatchObject({ version: 1, id: first.body.id, metadata, ruleSet });
      expect((await call('GET', `/schemas/ids/${first.body.id}`)).body).toMatchObject({ metadata, ruleSet });
      expect((await call('GET', '/subjects/s/metadata?key=owner&value=team-a')).body).toMatchObject({ version: 1, metadata });
      expect((await call('GET', '/subjects/s/metadata?key=owner&value=team-b')).body.error_code).toBe(40403);
      expect((await call('POST', '/subjects/s', { schema: JSON.stringify(USER), metadata })).body.error_code).toBe(40403);
      expect((await call('POST', '/subjects/s', { schema: JSON.stringify(USER), metadata, ruleSet })).body).toMatchObject({ version: 1 });
      expect((await call('POST', '/subjects/s/versions', { schema: JSON.stringify(USER), metadata: { owners: 'x' } })).body).toEqual({ error_code: 42201, message: expect.stringContaining('unknown field "owners"') });
      expect((await call('POST', '/subjects/s/versions', { schema: JSON.stringify(USER), ruleSet: { domainRules: [{ kind: 'x' }] } })).body.error_code).toBe(42201);
    });

    it('gives our REST client the same config, mode, metadata, import, guid and reference calls', async () => {
      const client = new RestSchemaRegistryClient({ url });
      expect(await client.getConfig('s')).toBeUndefined();
      expect(await client.setConfig({ normalize: true }, 's')).toEqual({ normalize: true });
      expect(await client.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibility: 'BACKWARD', normalize: true });
      expect(await client.getConfig()).toEqual({ compatibility: 'BACKWARD' });
      await expect(client.setConfig({ compatibility: 'SIDEWAYS' } as never)).rejects.toMatchObject({ code: 'SCHEMA_INVALID_LEVEL' });
      expect(await client.getMode()).toBe('READWRITE');
      expect(await client.getMode('s')).toBeUndefined();
      expect(await client.setMode('IMPORT', 's')).toBe('IMPORT');
      const metadata = { properties: { owner: 'a' } };
      expect(await client.registerSchema('s', USER, 'AVRO', { id: 12, version: 3, metadata })).toBe(12);
      expect(await client.getSchema('s')).toMatchObject({ id: 12, version: 3, metadata, guid: expect.any(String) });
      expect(await client.deleteMode('s')).toBe('IMPORT');
      await expect(client.registerSchema('s', { ...USER, name: 'B' }, 'AVRO', { id: 13 })).rejects.toMatchObject({ code: 'SCHEMA_OPERATION_NOT_PERMITTED' });
      expect(await client.getLatestWithMetadata('s', { owner: 'a' })).toMatchObject({ id: 12, version: 3 });
      await expect(client.getLatestWithMetadata('s', { owner: 'b' })).rejects.toMatchObject({ code: 'SCHEMA_NOT_FOUND' });
      const { guid } = await client.getSchemaById(12);
      expect(await client.getSchemaByGuid(guid!)).toMatchObject({ id: 12, schemaType: 'AVRO', metadata });
      expect(await client.lookupSchema('s', USER, { metadata })).toMatchObject({ id: 12, version: 3 });
      expect(await client.getSubjectsById(12)).toEqual(['s']);
      expect(await client.getReferencedBy('s', 3)).toEqual([]);
      await client.setMode('READONLY');
      await expect(client.deleteSchemaVersion('s', 3)).rejects.toMatchObject({ code: 'SCHEMA_OPERATION_NOT_PERMITTED' });
      expect(await client.deleteMode()).toBe('READONLY');
      expect(await client.deleteSchemaVersion('s', 3)).toBe(3);
      await expect(client.deleteSchemaVersion('s', 3, { permanent: false })).rejects.toMatchObject({ code: 'SCHEMA_VERSION_NOT_FOUND' });
    });

    it('serves referencedby, the subjects of an id, schemas by guid and deleted listings', async () => {
      const base = await call('POST', '/subjects/common.proto/versions', { schemaType: 'PROTOBUF', schema: COMMON_PROTO });
      const user = await call('POST', '/subjects/items-value/versions', { schemaType: 'PROTOBUF', schema: SHOP_PROTO, references: [{ name: 'common.proto', subject: 'common.proto', version: 1 }] });
      await call('POST', '/subjects/also/versions', { schemaType: 'PROTOBUF', schema: COMMON_PROTO });
      expect((await call('GET', '/subjects/common.proto/versions/1/referencedby')).body).toEqual([user.body.id]);
      expect((await call('GET', '/subjects/also/versions/latest/referencedby')).body).toEqual([]);
      expect((await call('GET', `/schemas/ids/${base.body.id}/subjects`)).body).toEqual(['also', 'common.proto']);
      expect((await call('GET', `/schemas/ids/${base.body.id}/versions`)).body).toEqual([{ subject: 'also', version: 1 }, { subject: 'common.proto', version: 1 }]);
      const { guid } = await registry.getSchemaById(base.body.id);
      expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect((await call('GET', `/schemas/guids/${guid}`)).body).toMatchObject({ schemaType: 'PROTOBUF', schema: COMMON_PROTO });
      expect((await call('GET', '/schemas/guids/00000000-0000-8000-8000-000000000000')).body.error_code).toBe(40403);
      await call('DELETE', '/subjects/also');
      expect((await call('GET', `/schemas/ids/${base.body.id}/subjects`)).body).toEqual(['common.proto']);
      expect((await call('GET', `/schemas/ids/${base.body.id}/subjects?deleted=true`)).body).toEqual(['also', 'common.proto']);
      expect((await call('GET', '/subjects?deletedOnly=true')).body).toEqual(['also']);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['also', 'common.proto', 'items-value']);
      expect((await call('GET', '/subjects/also/versions?deletedOnly=true')).body).toEqual([1]);
    });
  });
});

describe(RestSchemaRegistryClient, () => {
  let upstream: Server;
  let base: string;
  const seen: { auth: string | undefined; path: string }[] = [];
  let failures = 0;
  beforeEach(async () => {
    seen.length = 0;
    upstream = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, path: req.url ?? '' });
      if (req.url?.startsWith('/slow/')) return; // never answers
      if (failures > 0) {
        failures--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50003,"message":"busy"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('["a"]');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('retries 5xx answers and then succeeds', async () => {
    failures = 2;
    const client = new RestSchemaRegistryClient({ url: base, maxRetries: 3, retryBackoffMs: 1 });
    expect(await client.listSubjects()).toEqual(['a']);
    expect(seen).toHaveLength(3);
  });

  it('gives up after maxRetries with the last status', async () => {
    failures = 5;
    const client = new RestSchemaRegistryClient({ url: base, maxRetries: 1, retryBackoffMs: 1 });
    await expect(client.listSubjects()).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_HTTP', status: 503, errorCode: 50003 });
    expect(seen).toHaveLength(2);
  });

  it('sends a bearer token from a function', async () => {
    const client = new RestSchemaRegistryClient({ url: base, bearerToken: async () => 'tok-1' });
    await client.listSubjects();
    expect(seen[0]?.auth).toBe('Bearer tok-1');
  });

  it('times out an attempt that gets no answer', async () => {
    const client = new RestSchemaRegistryClient({ url: `${base}/slow`, timeoutMs: 100, maxRetries: 0 });
    await expect(client.listSubjects()).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_HTTP', message: expect.stringContaining('no answer within 100 ms') });
  });

  it('validates its options', () => {
    expect(() => new RestSchemaRegistryClient({ url: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'SCHEMA_REGISTRY_INVALID_OPTION', message: expect.stringContaining('`url`') }));
    expect(() => new RestSchemaRegistryClient({ url: base, maxRetries: -1 })).toThrow('`maxRetries` must be a non-negative integer, got -1');
  });
});
