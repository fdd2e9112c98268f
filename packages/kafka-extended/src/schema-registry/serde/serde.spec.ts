import avro from 'avsc';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';
import type { SchemaRegistryApi } from '../schema-registry-api.js';
import { AvroSerde } from './avro-serde.js';
import { JsonSchemaSerde } from './json-schema-serde.js';
import { ProtobufSerde } from './protobuf-serde.js';
import { subjectName } from './subject-name-strategy.js';
import { decodeMessageIndexes, encodeMessageIndexes, readSchemaId, writeHeader } from './wire-format.js';

const USER = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }] };
const ORDER_PROTO = 'syntax = "proto3";\npackage acme;\nmessage Order { int32 qty = 1; }\nmessage Refund { message Line { string sku = 1; } Line line = 1; }\n';

/** Counts registry calls to prove lookups are cached. */
function counting(registry: SchemaRegistryApi): { api: SchemaRegistryApi; calls: string[] } {
  const calls: string[] = [];
  const api: SchemaRegistryApi = {
    registerSchema: (...args) => (calls.push('registerSchema'), registry.registerSchema(...args)),
    getSchema: (...args) => (calls.push('getSchema'), registry.getSchema(...args)),
    checkSchemaCompatibility: (...args) => (calls.push('checkSchemaCompatibility'), registry.checkSchemaCompatibility(...args)),
    getSchemaById: (...args) => (calls.push('getSchemaById'), registry.getSchemaById(...args)),
  };
  return { api, calls };
}

describe('Confluent wire format', () => {
  it('writes the message-index array [0] as the single byte 0', () => {
    expect([...encodeMessageIndexes([0])]).toEqual([0]);
  });

  it('writes other message-index arrays as zigzag varints, count first', () => {
    expect([...encodeMessageIndexes([1])]).toEqual([2, 2]);
    expect([...encodeMessageIndexes([0, 1, 0])]).toEqual([6, 0, 2, 0]);
    expect([...encodeMessageIndexes([64])]).toEqual([2, 0x80, 0x01]);
  });

  it('reads back any message-index array it writes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 8 }), (indexes) => {
        const bytes = encodeMessageIndexes(indexes);
        expect(decodeMessageIndexes(bytes, 0)).toEqual({ indexes, offset: bytes.length });
      }),
    );
  });

  it('reads the big-endian schema id after the magic byte', () => {
    expect(readSchemaId(Uint8Array.of(0, 0x01, 0x02, 0x03, 0x04))).toBe(0x01020304);
    expect(readSchemaId(Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff))).toBe(0xffffffff);
  });

  it('writes magic byte and big-endian schema id at an offset', () => {
    const target = new Uint8Array(8).fill(9);
    writeHeader(target, 0xfedcba98, 2);
    expect([...target]).toEqual([9, 9, 0, 0xfe, 0xdc, 0xba, 0x98, 9]);
    expect(readSchemaId(target.subarray(2))).toBe(0xfedcba98);
  });

  it('rejects a wrong magic byte and too-short input with typed errors', () => {
    expect(() => readSchemaId(Uint8Array.of(1, 0, 0, 0, 1))).toThrow(expect.objectContaining({ code: 'SERDE_UNKNOWN_MAGIC_BYTE', message: 'unknown magic byte 1, expected 0' }));
    expect(() => readSchemaId(Uint8Array.of(0, 0))).toThrow(expect.objectContaining({ code: 'SERDE_INVALID_PAYLOAD' }));
  });
});

describe(subjectName, () => {
  it('names subjects with the three Confluent strategies', () => {
    expect(subjectName('topic-name', 'orders', 'acme.Order', false)).toBe('orders-value');
    expect(subjectName('topic-name', 'orders', 'acme.Order', true)).toBe('orders-key');
    expect(subjectName('record-name', 'orders', 'acme.Order', false)).toBe('acme.Order');
    expect(subjectName('topic-record-name', 'orders', 'acme.Order', false)).toBe('orders-acme.Order');
    expect(() => subjectName('record-name', 'orders', undefined, false)).toThrow(expect.objectContaining({ code: 'SCHEMA_REGISTRY_INVALID_ARGUMENT' }));
  });
});

describe(AvroSerde, () => {
  let registry: InMemorySchemaRegistry;
  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
  });
  afterEach(() => registry.close());

  it('frames Avro binary behind magic byte and schema id (hand-computed vector)', async () => {
    const serde = new AvroSerde({ registry, schema: USER });
    const bytes = await serde.serialize('users', { id: 1, name: 'ab' });
    // id 1 -> zigzag 0x02; "ab" -> length zigzag 0x04 then 0x61 0x62
    expect([...bytes]).toEqual([0, 0, 0, 0, 1, 0x02, 0x04, 0x61, 0x62]);
    expect(await serde.deserialize('users', bytes)).toEqual({ id: 1, name: 'ab' });
    expect((await registry.getSchema('users-value')).id).toBe(1);
  });

  it('registers and looks up once, then serves every message from its caches', async () => {
    const { api, calls } = counting(registry);
    const serde = new AvroSerde({ registry: api, schema: USER });
    const reader = new AvroSerde({ registry: api });
    const encoded = await Promise.all(Array.from({ length: 50 }, (_, i) => serde.serialize('users', { id: i, name: `u${i}` })));
    const decoded = await Promise.all(encoded.map((b) => reader.deserialize('users', b)));
    expect(decoded[49]).toEqual({ id: 49, name: 'u49' });
    expect(calls).toEqual(['registerSchema', 'getSchemaById']);
  });

  it('serializes synchronously once the topic is prepared, and says so when it is not', async () => {
    const serde = new AvroSerde({ registry, schema: USER });
    expect(() => serde.serializeSync('users', { id: 1, name: 'ab' })).toThrow(expect.objectContaining({ code: 'SCHEMA_REGISTRY_INVALID_ARGUMENT' }));
    await serde.prepare('users');
    const bytes = serde.serializeSync('users', { id: 1, name: 'ab' });
    expect([...bytes]).toEqual([0, 0, 0, 0, 1, 0x02, 0x04, 0x61, 0x62]);
    expect(() => serde.deserializeSync('users', bytes)).toThrow(expect.objectContaining({ code: 'SCHEMA_REGISTRY_INVALID_ARGUMENT' }));
    await serde.deserialize('users', bytes);
    expect(serde.deserializeSync('users', bytes)).toEqual({ id: 1, name: 'ab' });
  });

  it('resolves old data into a reader schema', async () => {
    const writer = new AvroSerde({ registry, schema: USER });
    const bytes = await writer.serialize('users', { id: 7, name: 'x' });
    const readerSchema = { ...USER, fields: [...USER.fields, { name: 'email', type: 'string', default: 'none' }] };
    const reader = new AvroSerde({ registry, readerSchema });
    expect(await reader.deserialize('users', bytes)).toEqual({ id: 7, name: 'x', email: 'none' });
  });

  it('uses the latest registered version when no schema is given', async () => {
    await registry.registerSchema('users-value', USER, 'AVRO');
    const serde = new AvroSerde({ registry });
    expect([...(await serde.serialize('users', { id: 1, name: 'ab' }))].slice(0, 5)).toEqual([0, 0, 0, 0, 1]);
  });

  it('names subjects by record with the record-name strategies', async () => {
    await new AvroSerde({ registry, schema: USER, subjectNameStrategy: 'record-name' }).serialize('t1', { id: 1, name: 'a' });
    await new AvroSerde({ registry, schema: USER, subjectNameStrategy: 'topic-record-name', isKey: true }).serialize('t2', { id: 1, name: 'a' });
    expect(await registry.listSubjects()).toEqual(['acme.User', 't2-acme.User']);
  });

  it('rejects values, unknown ids and garbage with typed errors', async () => {
    const serde = new AvroSerde({ registry, schema: USER });
    await expect(serde.serialize('users', { id: 'x', name: 1 })).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
    await expect(serde.deserialize('users', Uint8Array.of(0, 0, 0, 0, 42, 2))).rejects.toMatchObject({ code: 'SCHEMA_ID_NOT_FOUND' });
    const good = await serde.serialize('users', { id: 1, name: 'ab' });
    await expect(serde.deserialize('users', good.subarray(0, 7))).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
    await expect(serde.deserialize('users', Uint8Array.of(...good, 9))).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('trailing') });
    await expect(serde.deserialize('users', Uint8Array.of(7, ...good.subarray(1)))).rejects.toMatchObject({ code: 'SERDE_UNKNOWN_MAGIC_BYTE' });
  });

  it('keeps every message intact while later ones are encoded next to it, small or large', async () => {
    const serde = new AvroSerde({ registry, schema: USER });
    await serde.deserialize('users', await serde.serialize('users', { id: 0, name: '' }));
    const type = avro.Type.forSchema(USER as avro.Schema);
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.integer(), name: fc.string({ maxLength: 6000, unit: 'grapheme' }) }), { maxLength: 40 }), (values) => {
        const encoded = values.map((v) => serde.serializeSync('users', v));
        values.forEach((v, i) => {
          expect(Buffer.from(encoded[i]!)).toEqual(Buffer.concat([Buffer.of(0, 0, 0, 0, 1), type.toBuffer(v)]));
          expect(serde.deserializeSync('users', encoded[i]!)).toEqual(v);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('frames each topic with its own schema id when topics and ids alternate', async () => {
    const other = { ...USER, name: 'Other', fields: [{ name: 'n', type: 'int' }] };
    await registry.registerSchema('a-value', USER, 'AVRO');
    await registry.registerSchema('b-value', other, 'AVRO');
    const serde = new AvroSerde({ registry });
    const a = await serde.serialize('a', { id: 1, name: 'x' });
    const b = await serde.serialize('b', { n: 2 });
    for (let i = 0; i < 3; i++) {
      expect([...serde.serializeSync('a', { id: 1, name: 'x' })]).toEqual([...a]);
      expect([...serde.serializeSync('b', { n: 2 })]).toEqual([...b]);
      expect(await serde.deserialize('a', b)).toEqual({ n: 2 });
      expect(await serde.deserialize('b', a)).toEqual({ id: 1, name: 'x' });
    }
    expect([readSchemaId(a), readSchemaId(b)]).toEqual([1, 2]);
  });

  describe('long values', () => {
    const LONGS = { type: 'record', name: 'Longs', fields: [{ name: 'v', type: 'long' }, { name: 'o', type: ['null', 'long'], default: null }] };
    /** The Avro zigzag varint of a 64-bit value, computed with bigint arithmetic as the spec defines it. */
    const zigzagVarint = (n: bigint): number[] => {
      let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
      const out: number[] = [];
      while (z > 0x7fn) {
        out.push(Number(z & 0x7fn) | 0x80);
        z >>= 7n;
      }
      out.push(Number(z));
      return out;
    };
    const TWO_53 = 2n ** 53n;
    const TWO_63 = 2n ** 63n;

    it('writes and reads every safe integer exactly, as a number, down to -(2^53-1)', async () => {
      const serde = new AvroSerde({ registry, schema: LONGS });
      for (const v of [-4503599627370497, -(2 ** 53 - 2), -(2 ** 53 - 1), 2 ** 53 - 1, 2 ** 53 - 2, 4503599627370497, -(2 ** 31), 2 ** 31, -1, 0]) {
        const bytes = await serde.serialize('longs', { v, o: v });
        const body = zigzagVarint(BigInt(v));
        expect([...bytes.subarray(5)]).toEqual([...body, 2, ...body]);
        expect(await serde.deserialize('longs', bytes)).toEqual({ v, o: v });
      }
    });

    it('reads longs beyond the safe range as bigint and writes bigint values exactly', async () => {
      const serde = new AvroSerde({ registry, schema: LONGS });
      for (const v of [TWO_53, -TWO_53, TWO_53 + 1n, -TWO_53 - 1n, TWO_63 - 1n, -TWO_63, -(2n ** 60n) - 1n]) {
        const bytes = await serde.serialize('longs', { v, o: v });
        const body = zigzagVarint(v);
        expect([...bytes.subarray(5)]).toEqual([...body, 2, ...body]);
        expect(await serde.deserialize('longs', bytes)).toEqual({ v, o: v });
      }
      // A safe bigint reads back as the same number.
      expect(await serde.deserialize('longs', await serde.serialize('longs', { v: 5n, o: null }))).toEqual({ v: 5, o: null });
    });

    it('refuses numbers that are not safe integers and bigints beyond 64 bits, naming the value', async () => {
      const serde = new AvroSerde({ registry, schema: LONGS });
      for (const v of [2 ** 53, -(2 ** 53), 1e20, 1.5, NaN, TWO_63, -TWO_63 - 1n]) {
        await expect(serde.serialize('longs', { v, o: null })).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('Longs') });
      }
    });

    it('refuses a long varint longer than 64 bits instead of dropping its high bits', async () => {
      const serde = new AvroSerde({ registry, schema: LONGS });
      await serde.serialize('longs', { v: 0, o: null });
      const overlong = Uint8Array.of(0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0);
      await expect(serde.deserialize('longs', overlong)).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('64 bits') });
    });

    it('promotes a written long to a double reader with correct rounding', async () => {
      const writer = new AvroSerde({ registry, schema: LONGS });
      const readerSchema = { ...LONGS, fields: [{ name: 'v', type: 'double' }, { name: 'o', type: ['null', 'double'], default: null }] };
      const reader = new AvroSerde({ registry, readerSchema });
      const big = -(2n ** 60n) - 1n;
      expect(await reader.deserialize('longs', await writer.serialize('longs', { v: big, o: -4503599627370497 }))).toEqual({ v: -(2 ** 60), o: -4503599627370497 });
    });
  });

  describe('lone surrogates', () => {
    const DOC = {
      type: 'record',
      name: 'Doc',
      fields: [
        { name: 'title', type: 'string' },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'meta', type: { type: 'map', values: ['null', 'string'] } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    };
    const ok = { title: 'a \u{1F600} b', tags: ['x'], meta: { k: 'v' }, note: null };

    it.each([
      ['a string field', { ...ok, title: 'x\uD800y' }, '/title'],
      ['an array item', { ...ok, tags: ['x', '\uDC00'] }, '/tags/1'],
      ['a map value in a union', { ...ok, meta: { k: 'v', j: 'end\uD83D' } }, '/meta/j'],
      ['a map key', { ...ok, meta: { ['\uD800k']: 'v' } }, '/meta/"\\ud800k" (the key)'],
      ['a union branch', { ...ok, note: '\uDFFF' }, '/note'],
    ])('refuses a lone surrogate in %s, naming its path, instead of writing U+FFFD', async (_what, value, path) => {
      const serde = new AvroSerde({ registry, schema: DOC });
      await expect(serde.serialize('docs', value)).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining(`lone surrogate at ${path}`) });
      // A long string goes through avsc's other UTF-8 writer: refused the same way.
      await expect(serde.serialize('docs', { ...ok, title: `${'x'.repeat(100)}\uD800` })).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('lone surrogate at /title') });
    });

    it('still writes well-formed text, surrogate pairs included, unchanged', async () => {
      const serde = new AvroSerde({ registry, schema: DOC });
      const value = { ...ok, tags: ['\u{10FFFF}', `${'y'.repeat(100)}\u{1F600}`], meta: { ['\u{1F600}']: '\uFFFD' } };
      expect(await serde.deserialize('docs', await serde.serialize('docs', value))).toEqual(value);
    });
  });

  it('encodes values bigger than a slab into a buffer of their own', async () => {
    const serde = new AvroSerde({ registry, schema: USER });
    const name = 'x'.repeat(100_000);
    expect(await serde.deserialize('users', await serde.serialize('users', { id: 1, name }))).toEqual({ id: 1, name });
  });
});

describe(JsonSchemaSerde, () => {
  let registry: InMemorySchemaRegistry;
  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
  });
  afterEach(() => registry.close());
  const schema = { title: 'Point', type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };

  it('frames UTF-8 JSON behind magic byte and schema id (hand-computed vector)', async () => {
    const serde = new JsonSchemaSerde({ registry, schema });
    const bytes = await serde.serialize('points', { a: 1 });
    expect([...bytes]).toEqual([0, 0, 0, 0, 1, ...Buffer.from('{"a":1}')]);
    expect(await serde.deserialize('points', bytes)).toEqual({ a: 1 });
  });

  it('validates on both sides', async () => {
    const serde = new JsonSchemaSerde({ registry, schema });
    await expect(serde.serialize('points', { a: 'x' })).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('/a must be integer') });
    await registry.getSchema('points-value');
    await expect(serde.deserialize('points', Uint8Array.of(0, 0, 0, 0, 1, ...Buffer.from('{"a":"x"}')))).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
    await expect(serde.deserialize('points', Uint8Array.of(0, 0, 0, 0, 1, ...Buffer.from('{oops')))).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
  });

  it('keeps every message intact while later ones are encoded next to it, multi-byte text included', async () => {
    const serde = new JsonSchemaSerde({ registry, schema: { type: 'object' } });
    await serde.deserialize('docs', await serde.serialize('docs', {}));
    fc.assert(
      fc.property(fc.array(fc.record({ s: fc.string({ maxLength: 3000, unit: 'grapheme' }), n: fc.double({ noDefaultInfinity: true, noNaN: true }) }), { maxLength: 40 }), (values) => {
        const encoded = values.map((v) => serde.serializeSync('docs', v));
        values.forEach((v, i) => {
          expect(Buffer.from(encoded[i]!)).toEqual(Buffer.concat([Buffer.of(0, 0, 0, 0, 1), Buffer.from(JSON.stringify(v))]));
          expect(serde.deserializeSync('docs', encoded[i]!)).toEqual(JSON.parse(JSON.stringify(v)));
        });
      }),
      { numRuns: 50 },
    );
  });

  it('uses the JSON title for record-name subjects', async () => {
    await new JsonSchemaSerde({ registry, schema, subjectNameStrategy: 'record-name' }).serialize('points', { a: 2 });
    expect(await registry.listSubjects()).toEqual(['Point']);
  });
  it('keeps a lone surrogate: JSON escapes it (\\ud800), so the value reads back unchanged', async () => {
    const serde = new JsonSchemaSerde({ registry, schema: { type: 'object', properties: { s: { type: 'string' } } } });
    const value = { s: 'x\uD800y', ['\uDC00']: '\uD83D' };
    const bytes = await serde.serialize('lone', value);
    expect(Buffer.from(bytes.subarray(5)).toString('latin1')).toBe('{"s":"x\\ud800y","\\udc00":"\\ud83d"}');
    expect(await serde.deserialize('lone', bytes)).toEqual(value);
  });
});

describe(ProtobufSerde, () => {
  let registry: InMemorySchemaRegistry;
  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
  });
  afterEach(() => registry.close());

  it('frames the first message with the single index byte 0 (hand-computed vector)', async () => {
    const serde = new ProtobufSerde({ registry, schema: ORDER_PROTO });
    const bytes = await serde.serialize('orders', { qty: 150 });
    // field 1 varint: tag 0x08, 150 = 0x96 0x01
    expect([...bytes]).toEqual([0, 0, 0, 0, 1, 0, 0x08, 0x96, 0x01]);
    expect(await serde.deserialize('orders', bytes)).toMatchObject({ qty: 150 });
  });

  it('writes the index path of a nested message type', async () => {
    const serde = new ProtobufSerde({ registry, schema: ORDER_PROTO, messageType: 'acme.Refund.Line' });
    const bytes = await serde.serialize('refunds', { sku: 'A' });
    expect([...bytes]).toEqual([0, 0, 0, 0, 1, 4, 2, 0, 0x0a, 0x01, 0x41]);
    expect(await serde.deserialize('refunds', bytes)).toMatchObject({ sku: 'A' });
  });

  it('writes exactly protobufjs encoding behind the prefix, for any message', async () => {
    const serde = new ProtobufSerde({ registry, schema: ORDER_PROTO, messageType: 'acme.Refund.Line' });
    await serde.deserialize('refunds', await serde.serialize('refunds', { sku: '' }));
    const line = protobuf.parse(ORDER_PROTO, { keepCase: true }).root.lookupType('acme.Refund.Line');
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3000 }), { maxLength: 20 }), (skus) => {
        const encoded = skus.map((sku) => serde.serializeSync('refunds', { sku }));
        skus.forEach((sku, i) => {
          expect(Buffer.from(encoded[i]!)).toEqual(Buffer.concat([Buffer.of(0, 0, 0, 0, 1, 4, 2, 0), line.encode({ sku }).finish()]));
          expect(serde.deserializeSync('refunds', encoded[i]!)).toMatchObject({ sku });
        });
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    ['our encoder', 'message Doc { string title = 1; repeated int64 ids = 2; bytes blob = 3; }', { title: 'T', ids: [1, -1], blob: Buffer.of(1, 2) }],
    ['protobufjs, for a map field', 'message Doc { string title = 1; map<string, int32> counts = 2; }', { title: 'T', counts: { a: 1, b: 2 } }],
    ['protobufjs, for bytes given as base64', 'message Doc { string title = 1; bytes blob = 3; }', { title: 'T', blob: 'AQI=' }],
  ])('encodes through %s the bytes protobufjs writes, and reads them back', async (_label, body, value) => {
    const proto = `syntax = "proto3";\npackage acme;\n${body}\n`;
    const serde = new ProtobufSerde({ registry, schema: proto });
    const bytes = await serde.serialize('docs', value);
    const doc = protobuf.parse(proto, { keepCase: true }).root.resolveAll().lookupType('acme.Doc');
    expect(Buffer.from(bytes)).toEqual(Buffer.concat([Buffer.of(0, 0, 0, 0, 1, 0), doc.encode(value).finish()]));
    expect(doc.toObject(doc.decode(bytes.subarray(6)) as protobuf.Message, { bytes: String })).toEqual(
      doc.toObject(doc.fromObject(value), { bytes: String }),
    );
    expect((await serde.deserialize('docs', bytes)) as object).toEqual(doc.decode(bytes.subarray(6)));
  });

  describe('map keys', () => {
    const MAPS = 'syntax = "proto3";\npackage acme;\nmessage Maps { map<bool, string> flags = 1; map<int64, int32> longs = 2; map<uint64, int32> ulongs = 3; map<sint64, int32> slongs = 4; Inner inner = 5; }\nmessage Inner { map<bool, int32> flags = 1; map<fixed64, int32> fixed = 2; }\n';

    it('writes a false bool key as false, at any depth ("0" and "1" too)', async () => {
      const serde = new ProtobufSerde({ registry, schema: MAPS });
      const bytes = await serde.serialize('maps', { flags: { false: 'f', true: 't' }, inner: { flags: { 0: 7, 1: 8 } } });
      // entry {1: false, 2: "f"}: 0a 05 08 00 12 01 66; entry {1: true, 2: "t"}: 0a 05 08 01 12 01 74
      expect(Buffer.from(bytes.subarray(6, 20)).toString('hex')).toBe('0a050800120166' + '0a050801120174');
      const decoded = (await serde.deserialize('maps', bytes)) as { flags: object; inner: { flags: object } };
      expect({ ...decoded.flags }).toEqual({ false: 'f', true: 't' });
      expect({ ...decoded.inner.flags }).toEqual({ false: 7, true: 8 });
    });

    describe('keys that name one key twice, or no key of the type', () => {
      const KEYED =
        'syntax = "proto3";\npackage acme;\nmessage Keyed { map<bool, int32> flags = 1; map<int32, int32> ints = 2; map<int64, int32> longs = 3; map<uint32, int32> small = 4; repeated Keyed children = 5; map<string, int32> names = 6; }\n';

      it.each<[string, object, string]>([
        ['"0" and "false"', { flags: { 0: 1, false: 2 } }, 'map /flags has the keys "0" and "false", both the bool key false'],
        ['"1" and "true"', { flags: { true: 1, 1: 2 } }, 'map /flags has the keys "1" and "true", both the bool key true'],
        ['"1" and "01"', { ints: { 1: 1, '01': 2 } }, 'map /ints has the keys "1" and "01", both the int32 key 1'],
        ['"0" and "-0" (int64)', { longs: { 0: 1, '-0': 2 } }, 'map /longs has the keys "0" and "-0", both the int64 key 0'],
        ['a duplicate in a nested message', { children: [{}, { small: { 7: 1, '007': 2 } }] }, 'map /children/1/small has the keys "7" and "007", both the uint32 key 7'],
        ['"1.0", which is no decimal integer', { ints: { '1.0': 1 } }, 'map /ints has the key "1.0", which is not a int32 key (a decimal integer in [-2147483648, 2147483647])'],
        ['an int32 key beyond its range', { ints: { 4294967297: 1 } }, 'map /ints has the key "4294967297", which is not a int32 key (a decimal integer in [-2147483648, 2147483647])'],
        ['a negative uint32 key', { small: { '-1': 1 } }, 'map /small has the key "-1", which is not a uint32 key (a decimal integer in [0, 4294967295])'],
        ['a bool key other than true, false, 1 and 0', { flags: { yes: 1 } }, 'map /flags has the key "yes", which is not a bool key (true, false, 1 or 0)'],
      ])('refuses %s, naming the map and the keys, whatever validate says', async (_what, value, message) => {
        for (const validate of [true, false]) {
          const serde = new ProtobufSerde({ registry, schema: KEYED, validate });
          const failure = serde.serialize('keyed', value);
          await expect(failure).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
          if (!validate) await expect(failure).rejects.toMatchObject({ message: expect.stringContaining(message) });
        }
      });

      it('still writes distinct keys of every kind, string keys untouched', async () => {
        const serde = new ProtobufSerde({ registry, schema: KEYED, validate: false });
        const value = { flags: { 0: 1, true: 2 }, ints: { '-2147483648': 1, 2147483647: 2, '01': 3 }, longs: { '-9223372036854775808': 1 }, names: { 0: 1, false: 2, '01': 3, 1: 4 } };
        const decoded = (await serde.deserialize('keyed', await serde.serialize('keyed', value))) as Record<string, object>;
        expect({ ...decoded.flags }).toEqual({ false: 1, true: 2 });
        expect({ ...decoded.ints }).toEqual({ '-2147483648': 1, 2147483647: 2, 1: 3 });
        expect({ ...decoded.longs }).toEqual(value.longs);
        expect({ ...decoded.names }).toEqual(value.names);
      });
    });

    it('reads 64-bit map keys as decimal strings, exactly, at any depth', async () => {
      const serde = new ProtobufSerde({ registry, schema: MAPS });
      const value = {
        longs: { '-5': 1, '9007199254740993': 2, '-9223372036854775808': 3 },
        ulongs: { '18446744073709551615': 4, '0': 5 },
        slongs: { '-9223372036854775808': 6, '9223372036854775807': 7 },
        inner: { fixed: { '18446744073709551615': 8 } },
      };
      const decoded = (await serde.deserialize('maps', await serde.serialize('maps', value))) as Record<string, object> & { inner: { fixed: object } };
      expect({ ...decoded.longs }).toEqual(value.longs);
      expect({ ...decoded.ulongs }).toEqual(value.ulongs);
      expect({ ...decoded.slongs }).toEqual(value.slongs);
      expect({ ...decoded.inner.fixed }).toEqual(value.inner.fixed);
    });
  });

  describe('lone surrogates', () => {
    const TEXT =
      'syntax = "proto3";\npackage acme;\nmessage Text { string title = 1; repeated string tags = 2; Inner inner = 3; }\nmessage Inner { string s = 1; }\nmessage Mapped { map<string, string> names = 1; repeated Inner inners = 2; }\n';

    it.each([
      ['Text', 'a string field', { title: 'x\uD800' }, '/title'],
      ['Text', 'a long string field', { title: `${'x'.repeat(60)}\uDBFF` }, '/title'],
      ['Text', 'a repeated string', { tags: ['ok', '\uDC00'] }, '/tags/1'],
      ['Text', 'a nested message', { inner: { s: '\uD800' } }, '/inner/s'],
      ['Mapped', 'a map value', { names: { a: 'b\uD800' } }, '/names/a'],
      ['Mapped', 'a map key', { names: { ['\uD800']: 'b' } }, '/names/"\\ud800" (the key)'],
      ['Mapped', 'a message in a type with maps', { inners: [{ s: 'ok' }, { s: '\uDFFF' }] }, '/inners/1/s'],
    ])('%s: refuses a lone surrogate in %s, naming its path, instead of writing U+FFFD', async (messageType, _what, value, path) => {
      const serde = new ProtobufSerde({ registry, schema: TEXT, messageType: `acme.${messageType}` });
      await expect(serde.serialize('text', value)).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining(`lone surrogate at ${path}`) });
      const unchecked = new ProtobufSerde({ registry, schema: TEXT, messageType: `acme.${messageType}`, validate: false });
      await expect(unchecked.serialize('text', value)).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining(`lone surrogate at ${path}`) });
    });

    it('still writes well-formed text, surrogate pairs included, unchanged', async () => {
      const text = new ProtobufSerde({ registry, schema: TEXT, messageType: 'acme.Text' });
      const value = { title: `${'y'.repeat(60)}\u{1F600}`, tags: ['\u{10FFFF}', '\uFFFD'], inner: { s: '\u{1F600}' } };
      expect({ ...((await text.deserialize('text', await text.serialize('text', value))) as object) }).toMatchObject(value);
      const mapped = new ProtobufSerde({ registry, schema: TEXT, messageType: 'acme.Mapped' });
      const decoded = (await mapped.deserialize('text', await mapped.serialize('text', { names: { ['\u{1F600}']: '\u{1F600}' } }))) as { names: object };
      expect({ ...decoded.names }).toEqual({ ['\u{1F600}']: '\u{1F600}' });
    });
  });

  it('rejects values that fail verification, unknown message indexes and bad options', async () => {
    const serde = new ProtobufSerde({ registry, schema: ORDER_PROTO });
    await expect(serde.serialize('orders', { qty: 'many' })).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD' });
    await serde.serialize('orders', { qty: 1 });
    await expect(serde.deserialize('orders', Uint8Array.of(0, 0, 0, 0, 1, 2, 18))).rejects.toMatchObject({ code: 'SERDE_INVALID_PAYLOAD', message: expect.stringContaining('[9]') });
    await expect(new ProtobufSerde({ registry, schema: ORDER_PROTO, messageType: 'acme.Nope' }).serialize('x', {})).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_INVALID_OPTION' });
  });
});
