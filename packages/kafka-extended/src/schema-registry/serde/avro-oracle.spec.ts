// Differential tests against Apache Avro Java (tools/oracle): bytes both ways and compatibility
// verdicts, on generated schemas and values. The oracle is built from Maven Central on first use;
// without java, javac or mvn these tests fail with the reason, they never skip.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { AvroFormat } from '../formats/avro-format.js';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';
import { AvroSerde } from './avro-serde.js';

interface Oracle {
  request(message: object): Promise<{ ok: boolean; error?: string; hex?: string; value?: unknown; compatible?: boolean; messages?: string[] }>;
  close(): Promise<void>;
}

const root = path.resolve(__dirname, '../../../../..');
/** The property tests make hundreds of oracle round trips: seconds alone, more on a busy machine. */
const TIMEOUT = 120_000;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = string | Schema[] | { [key: string]: unknown };
/** A value as our serde takes and returns it, and as the oracle's tagged JSON writes it. */
interface Sample {
  readonly js: unknown;
  readonly tagged: Json;
}

let oracle: Oracle;
beforeAll(async () => {
  const { startAvroOracle } = (await import(pathToFileURL(path.join(root, 'tools/oracle/oracle.mjs')).href)) as { startAvroOracle(): Promise<Oracle> };
  oracle = await startAvroOracle();
}, 300_000);
afterAll(() => oracle?.close());

async function ask(message: object): Promise<NonNullable<Awaited<ReturnType<Oracle['request']>>>> {
  const answer = await oracle.request(message);
  if (!answer.ok) throw new Error(`Avro Java refused ${JSON.stringify(message)}: ${answer.error}`);
  return answer;
}

// ---- values -------------------------------------------------------------------------------

const TWO_53 = 2n ** 53n;
const TWO_63 = 2n ** 63n;
const near = (center: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min: center - 3n, max: center + 3n });
const LONG = fc
  .oneof(near(TWO_53), near(-TWO_53), near(2n ** 52n), near(-(2n ** 52n)), fc.bigInt({ min: TWO_63 - 3n, max: TWO_63 - 1n }), fc.bigInt({ min: -TWO_63, max: -TWO_63 + 3n }), fc.bigInt({ min: -TWO_63, max: TWO_63 - 1n }), fc.integer().map(BigInt), near(0n))
  .filter((v) => v >= -TWO_63 && v < TWO_63);

const view = new DataView(new ArrayBuffer(8));
function floatBits(v: number): number {
  if (Number.isNaN(v)) return 0x7fc00000;
  view.setFloat32(0, v);
  return view.getInt32(0);
}
function doubleBits(v: number): string {
  if (Number.isNaN(v)) return '9221120237041090560';
  view.setFloat64(0, v);
  return view.getBigInt64(0).toString();
}
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function sampleOf(schema: Schema): fc.Arbitrary<Sample> {
  if (Array.isArray(schema)) {
    // avsc wraps unions with two branches of one bucket (['int', 'long']): a value is `{ long: 1 }`, null stays null.
    const wrapped = new Set(schema.map(bucket)).size < schema.length;
    return fc.nat({ max: schema.length - 1 }).chain((i) =>
      sampleOf(schema[i]!).map((s) => ({ js: wrapped && schema[i] !== 'null' ? { [schema[i] as string]: s.js } : s.js, tagged: { i, v: s.tagged } })),
    );
  }
  const type = typeof schema === 'string' ? schema : (schema.type as string);
  const s = schema as Record<string, unknown>;
  switch (type) {
    case 'null':
      return fc.constant({ js: null, tagged: null });
    case 'boolean':
      return fc.boolean().map((b) => ({ js: b, tagged: b }));
    case 'int':
      return fc.oneof(fc.integer(), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0, -1)).map((n) => ({ js: n, tagged: n }));
    case 'long':
      return LONG.map((b) => ({ js: b >= -(TWO_53 - 1n) && b <= TWO_53 - 1n ? Number(b) : b, tagged: b.toString() }));
    case 'float':
      return fc.oneof(fc.float(), fc.constantFrom(NaN, -0, Infinity, -Infinity)).map((v) => ({ js: v, tagged: floatBits(v) }));
    case 'double':
      return fc.oneof(fc.double(), fc.constantFrom(NaN, -0, Number.MIN_VALUE, -Number.MAX_VALUE)).map((v) => ({ js: v, tagged: doubleBits(v) }));
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 12 }).map((v) => ({ js: v, tagged: v }));
    case 'bytes':
      return fc.uint8Array({ maxLength: 12 }).map((v) => ({ js: Buffer.from(v), tagged: hex(v) }));
    case 'fixed':
      return fc.uint8Array({ minLength: s.size as number, maxLength: s.size as number }).map((v) => ({ js: Buffer.from(v), tagged: hex(v) }));
    case 'enum':
      return fc.constantFrom(...(s.symbols as string[])).map((v) => ({ js: v, tagged: v }));
    case 'array':
      return fc.array(sampleOf(s.items as Schema), { maxLength: 3 }).map((items) => ({ js: items.map((i) => i.js), tagged: items.map((i) => i.tagged) }));
    case 'map':
      return fc
        .uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 6 }).filter((k) => k !== '__proto__'), sampleOf(s.values as Schema)), { maxLength: 3, selector: ([k]) => k })
        .map((entries) => ({ js: Object.fromEntries(entries.map(([k, v]) => [k, v.js])), tagged: Object.fromEntries(entries.map(([k, v]) => [k, v.tagged])) }));
    case 'record': {
      const fields = s.fields as { name: string; type: Schema }[];
      return fc.tuple(...fields.map((f) => sampleOf(f.type))).map((values) => ({
        js: Object.fromEntries(fields.map((f, i) => [f.name, values[i]!.js])),
        tagged: Object.fromEntries(fields.map((f, i) => [f.name, values[i]!.tagged])),
      }));
    }
    default:
      throw new Error(`no sample for ${type}`);
  }
}

/** avsc's union buckets: an unwrapped union takes one branch per bucket. */
function bucket(schema: Schema): string {
  const type = typeof schema === 'string' ? schema : Array.isArray(schema) ? 'union' : (schema.type as string);
  switch (type) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'enum':
      return 'string';
    case 'fixed':
      return 'bytes';
    case 'map':
      return 'record';
    default:
      return type;
  }
}

const PRIMITIVE = fc.constantFrom('null', 'boolean', 'int', 'long', 'long', 'long', 'float', 'double', 'bytes', 'string');
const SYMBOLS = fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { minLength: 1, maxLength: 4 });

function schemaArb(depth: number): fc.Arbitrary<Schema> {
  const leaf = fc.oneof(
    { weight: 6, arbitrary: PRIMITIVE },
    { weight: 1, arbitrary: SYMBOLS.map((symbols) => ({ type: 'enum', name: '?', symbols })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((size) => ({ type: 'fixed', name: '?', size })) },
  );
  if (depth === 0) return leaf;
  const inner = schemaArb(depth - 1);
  const nonUnion = inner.filter((t) => !Array.isArray(t));
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: inner.map((items) => ({ type: 'array', items })) },
    { weight: 1, arbitrary: inner.map((values) => ({ type: 'map', values })) },
    { weight: 2, arbitrary: fc.array(inner, { maxLength: 4 }).map((types) => ({ type: 'record', name: '?', fields: types.map((type, i) => ({ name: `f${i}`, type })) })) },
    { weight: 2, arbitrary: fc.uniqueArray(nonUnion, { minLength: 1, maxLength: 4, selector: bucket }) },
  );
}

/** Gives every named type a unique name (the generator leaves '?'). */
function named(schema: Schema): Schema {
  let n = 0;
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (s === null || typeof s !== 'object') return s;
    const copy: Record<string, unknown> = { ...(s as Record<string, unknown>) };
    if (copy.name === '?') copy.name = `T${n++}`;
    if (copy.items !== undefined) copy.items = walk(copy.items);
    if (copy.values !== undefined) copy.values = walk(copy.values);
    if (Array.isArray(copy.fields)) copy.fields = (copy.fields as { type: unknown }[]).map((f) => ({ ...f, type: walk(f.type) }));
    return copy;
  };
  return walk(schema) as Schema;
}

const TOP = schemaArb(3).map((fieldType) => named({ type: 'record', name: 'Top', namespace: 'oracle', fields: [{ name: 'v', type: fieldType }] }));

describe('Avro bytes agree with Apache Avro Java', () => {
  const registry = new InMemorySchemaRegistry();
  afterAll(() => registry.close());
  let topics = 0;

  async function roundTrip(schema: Schema, samples: readonly Sample[]): Promise<void> {
    const serde = new AvroSerde({ registry, schema: schema as never });
    const topic = `t${topics++}`;
    await serde.prepare(topic);
    const text = JSON.stringify(schema);
    for (const sample of samples) {
      const ours = serde.serializeSync(topic, sample.js);
      const body = hex(ours.subarray(5));
      const java = await ask({ op: 'encode', schema: text, value: sample.tagged });
      expect(body).toBe(java.hex);
      expect((await ask({ op: 'decode', schema: text, hex: body })).value).toEqual(sample.tagged);
      const framed = Buffer.concat([ours.subarray(0, 5), Buffer.from(java.hex!, 'hex')]);
      expect(await serde.deserialize(topic, framed)).toEqual(sample.js);
    }
  }

  it('writes the bytes Java writes and each reads the other, for generated schemas and values at type boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        TOP.chain((schema) => fc.tuple(fc.constant(schema), fc.array(sampleOf(schema), { minLength: 1, maxLength: 3 }))),
        ([schema, samples]) => roundTrip(schema, samples),
      ),
      { numRuns: 150 },
    );
  }, TIMEOUT);

  it('agrees on strings holding line and paragraph separators (U+2028, U+2029), which JSON leaves unescaped', async () => {
    // The oracle answers one JSON line per request: these once cut an answer in two under Node 24's readline.
    const schema = { type: 'record', name: 'S', fields: [{ name: 'v', type: 'string' }] };
    const samples = ['a\u2028b', '\u2029', ' \u2028 \u2029 ', 'x\u0085y\u000bz'].map((v) => ({ js: { v }, tagged: { v } }));
    await roundTrip(schema, samples);
  }, TIMEOUT);

  it('agrees on longs near ±2^52, ±2^53 and ±2^63', async () => {
    const schema = { type: 'record', name: 'L', fields: [{ name: 'v', type: 'long' }] };
    const samples = await fc.sample(sampleOf(schema), { numRuns: 200, seed: 23 });
    const edges = [-(2n ** 52n) - 1n, -(TWO_53 - 2n), -(TWO_53 - 1n), TWO_53 - 1n, -TWO_53, TWO_53, TWO_63 - 1n, -TWO_63].map((b) => ({
      js: b >= -(TWO_53 - 1n) && b <= TWO_53 - 1n ? { v: Number(b) } : { v: b },
      tagged: { v: b.toString() },
    }));
    await roundTrip(schema, [...edges, ...samples]);
  }, TIMEOUT);

  it('reads an int or long written by us into a float or double reader as Java does (one rounding)', async () => {
    const cases = fc.sample(
      fc.oneof(
        fc.tuple(fc.constant('long'), sampleOf('long')),
        fc.tuple(fc.constant('int'), sampleOf('int')),
      ),
      { numRuns: 150 },
    );
    for (const [writerType, sample] of cases) {
      const writerSchema = { type: 'record', name: 'P', fields: [{ name: 'v', type: writerType }] };
      const writer = new AvroSerde({ registry, schema: writerSchema });
      const topic = `p${topics++}`;
      const bytes = await writer.serialize(topic, { v: sample.js });
      for (const readerType of writerType === 'long' ? ['float', 'double'] : ['float', 'double', 'long']) {
        const readerSchema = { type: 'record', name: 'P', fields: [{ name: 'v', type: readerType }] };
        const reader = new AvroSerde({ registry, readerSchema });
        const ours = ((await reader.deserialize(topic, bytes)) as { v: number | bigint }).v;
        const java = await ask({ op: 'decode', writer: JSON.stringify(writerSchema), reader: JSON.stringify(readerSchema), hex: hex(bytes.subarray(5)) });
        const tagged = readerType === 'float' ? floatBits(ours as number) : readerType === 'double' ? doubleBits(ours as number) : String(ours);
        expect({ writerType, readerType, value: sample.tagged, ours: tagged }).toEqual({ writerType, readerType, value: sample.tagged, ours: (java.value as { v: Json }).v });
      }
    }
  }, TIMEOUT);
});

// ---- compatibility ------------------------------------------------------------------------

type Rec = { type: 'record'; name: string; namespace?: string; aliases?: string[]; fields: { name: string; type: Schema; default?: Json; aliases?: string[] }[] };

const ADDED_FIELDS: { type: Schema; default?: Json }[] = [
  { type: 'int', default: 1 },
  { type: 'string' },
  { type: ['null', 'string'], default: null },
  { type: { type: 'array', items: 'long' }, default: [] },
  { type: { type: 'enum', name: 'Added', symbols: ['X', 'Y'] }, default: 'X' },
  { type: 'long' },
];
const RETYPES: Schema[] = ['int', 'long', 'float', 'double', 'string', 'bytes', 'boolean', ['null', 'int'], ['null', 'long', 'string'], [], { type: 'array', items: 'int' }, { type: 'map', values: 'double' }];

/** One edit of a record schema, as a schema author might make between versions. */
const EDIT: fc.Arbitrary<(r: Rec) => Rec> = fc.oneof(
  fc.tuple(fc.constantFrom(...ADDED_FIELDS), fc.boolean()).map(([added, keepDefault]) => (r: Rec) => ({
    ...r,
    fields: [...r.fields, { name: 'added', type: added.type, ...(keepDefault && added.default !== undefined ? { default: added.default } : {}) }],
  })),
  fc.nat().map((i) => (r: Rec) => ({ ...r, fields: r.fields.filter((_, j) => r.fields.length === 0 || j !== i % r.fields.length) })),
  fc.tuple(fc.nat(), fc.constantFrom(...RETYPES)).map(([i, type]) => (r: Rec) => ({ ...r, fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) ? { name: f.name, type } : f)) })),
  fc.nat().map((i) => (r: Rec) => ({ ...r, fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) ? { ...f, name: `${f.name}x`, aliases: [f.name] } : f)) })),
  fc.nat().map((i) => (r: Rec) => ({ ...r, fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) && !Array.isArray(f.type) ? { name: f.name, type: ['null', f.type] } : f)) })),
  fc
    .tuple(fc.constantFrom('Top', 'Renamed'), fc.constantFrom(undefined, 'oracle', 'other'), fc.constantFrom(undefined, ['Top'], ['oracle.Top'], ['other.Top']))
    .map(([name, namespace, aliases]) => (r: Rec) => {
      const out: Rec = { ...r, name };
      delete out.namespace;
      delete out.aliases;
      if (namespace !== undefined) out.namespace = namespace;
      if (aliases !== undefined) out.aliases = [...aliases];
      return out;
    }),
  fc.tuple(fc.nat(), SYMBOLS, fc.boolean()).map(([i, symbols, withDefault]) => (r: Rec) => ({
    ...r,
    fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) ? { name: f.name, type: { type: 'enum', name: 'E', symbols, ...(withDefault ? { default: symbols[0] } : {}) } } : f)),
  })),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([i, size]) => (r: Rec) => ({
    ...r,
    fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) ? { name: f.name, type: { type: 'fixed', name: 'F', size } } : f)),
  })),
);

const FIELD_TYPE = fc.oneof(PRIMITIVE, fc.constantFrom<Schema>(['null', 'int'], ['null', 'long', 'string'], [], { type: 'array', items: 'int' }, { type: 'map', values: 'float' }, { type: 'enum', name: 'E', symbols: ['A', 'B'] }, { type: 'fixed', name: 'F', size: 2 }));
/** Records whose named types are all distinct (one E, one F at most). */
const BASE: fc.Arbitrary<Rec> = fc.array(FIELD_TYPE, { maxLength: 4 }).map((types) => {
  const seen = new Set<string>();
  const fields = types
    .filter((t) => {
      const name = typeof t === 'object' && !Array.isArray(t) ? (t.name as string) : undefined;
      if (name === undefined) return true;
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    })
    .map((type, i) => ({ name: `f${i}`, type }));
  return { type: 'record', name: 'Top', namespace: 'oracle', fields };
});

/** Names of the named types a field type defines, unions, arrays and maps included. */
function definedNames(type: Schema, into: string[]): string[] {
  if (Array.isArray(type)) for (const branch of type) definedNames(branch as Schema, into);
  else if (typeof type === 'object' && type !== null) {
    const t = type as { name?: string; items?: Schema; values?: Schema };
    if (typeof t.name === 'string') into.push(t.name);
    if (t.items !== undefined) definedNames(t.items, into);
    if (t.values !== undefined) definedNames(t.values, into);
  }
  return into;
}

/**
 * One definition per named type. Java also accepts an identical second definition of a name, avsc
 * refuses it (SCHEMA_INVALID); that difference is documented, and the generated edits stay clear of it.
 */
function uniqueNames(r: Rec): boolean {
  const names = r.fields.flatMap((f) => definedNames(f.type, []));
  return new Set(names).size === names.length && new Set(r.fields.map((f) => f.name)).size === r.fields.length;
}

describe('Avro compatibility agrees with Apache Avro Java SchemaCompatibility', () => {
  const format = new AvroFormat();

  async function agree(reader: Schema, writer: Schema): Promise<void> {
    const [r, w] = [JSON.stringify(reader), JSON.stringify(writer)];
    const java = await oracle.request({ op: 'compat', reader: r, writer: w });
    let parsed;
    try {
      parsed = [format.parse(r, []), format.parse(w, [])] as const;
    } catch (error) {
      // An edit can make a schema invalid (a union ['null', 'null']): then Java must refuse it too.
      expect({ reader, writer, error: (error as { code?: string }).code, javaRefuses: java.ok === false }).toEqual({ reader, writer, error: 'SCHEMA_INVALID', javaRefuses: true });
      return;
    }
    if (!java.ok) throw new Error(`Avro Java refused ${r} / ${w}: ${java.error}`);
    const ours = format.readerAccepts(parsed[0], parsed[1]);
    expect({ reader, writer, compatible: ours.length === 0, reasons: ours }).toEqual({ reader, writer, compatible: java.compatible, reasons: java.compatible ? [] : expect.any(Array) });
  }

  it('gives the verdict Java gives for generated schema edits, both directions', async () => {
    await fc.assert(
      fc.asyncProperty(BASE, fc.array(EDIT, { minLength: 1, maxLength: 3 }), async (base, edits) => {
        const edited = edits.reduce((r, edit) => edit(r), base);
        fc.pre(uniqueNames(edited));
        await agree(edited, base);
        await agree(base, edited);
      }),
      { numRuns: 250 },
    );
  }, TIMEOUT);

  it('gives the verdict Java gives for the rules of issue 23', async () => {
    const rec = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}): Schema => ({ type: 'record', name, ...(namespace ? { namespace } : {}), fields: [], ...extra });
    await agree(rec('New', 'ns', { aliases: ['Old'] }), rec('Old', 'other'));
    await agree(rec('New', 'ns', { aliases: ['other.Old'] }), rec('Old', 'other'));
    await agree(rec('New', 'ns', { aliases: ['Old'] }), rec('Old', undefined));
    await agree(rec('New', 'ns', { aliases: ['Old'] }), rec('Old', 'ns'));
    await agree(rec('Same', 'a'), rec('Same', 'b'));
    await agree(['null', 'int'], []);
    await agree([], ['null', 'int']);
    await agree([], []);
    await agree('int', []);
  }, TIMEOUT);
});

// ---- reader schemas -----------------------------------------------------------------------

/** Reader unions whose branch Java picks by its order: exact type first, then the first promotion. */
const UNION_RETYPES: Schema[] = [['float', 'long'], ['double', 'int'], ['long', 'float'], ['null', 'double', 'long'], ['string', 'bytes'], ['bytes', 'string'], ['int', 'float', 'double']];
const UNION_EDIT: fc.Arbitrary<(r: Rec) => Rec> = fc
  .tuple(fc.nat(), fc.constantFrom(...UNION_RETYPES))
  .map(([i, type]) => (r: Rec) => ({ ...r, fields: r.fields.map((f, j) => (j === i % Math.max(1, r.fields.length) ? { name: f.name, type } : f)) }));
const READER_EDIT = fc.oneof({ weight: 4, arbitrary: EDIT }, { weight: 1, arbitrary: UNION_EDIT });

function hasEmptyUnion(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.length === 0 || schema.some(hasEmptyUnion);
  if (schema === null || typeof schema !== 'object') return false;
  const s = schema as Record<string, unknown>;
  return hasEmptyUnion(s.items) || hasEmptyUnion(s.values) || (Array.isArray(s.fields) && (s.fields as { type: unknown }[]).some((f) => hasEmptyUnion(f.type)));
}

describe('Avro reader schemas resolve as Apache Avro Java resolves them', () => {
  const registry = new InMemorySchemaRegistry();
  afterAll(() => registry.close());
  const format = new AvroFormat();
  let topics = 0;

  /**
   * Writes `samples` with `writer`, reads them with `reader`; where Java's SchemaCompatibility and
   * its resolving decoder accept the pair, the values read equal Java's (a wrapped union's branch
   * included); where either refuses, so do we, typed.
   */
  async function readAs(reader: Schema, writer: Schema, samples: readonly Sample[]): Promise<void> {
    const [r, w] = [JSON.stringify(reader), JSON.stringify(writer)];
    const compat = await oracle.request({ op: 'compat', reader: r, writer: w });
    if (!compat.ok) return; // a schema Java refuses: the compatibility test covers it
    const topic = `r${topics++}`;
    const out = new AvroSerde({ registry, schema: writer as never });
    const serde = new AvroSerde({ registry, readerSchema: reader as never });
    const readerType = format.parse(r, []).type;
    for (const sample of samples) {
      const bytes = await out.serialize(topic, sample.js);
      const java = await oracle.request({ op: 'decode', writer: w, reader: r, hex: hex(bytes.subarray(5)) });
      let ours: { value: unknown } | { code: unknown };
      try {
        ours = { value: await serde.deserialize(topic, bytes) };
      } catch (error) {
        ours = { code: (error as { code?: unknown }).code };
      }
      if (!compat.compatible || !java.ok) {
        expect({ reader, writer, value: sample.tagged, ours }).toEqual({ reader, writer, value: sample.tagged, ours: { code: 'SERDE_INVALID_PAYLOAD' } });
        continue;
      }
      // Java's value, written by Java with the reader schema and read back by us without resolution
      // (which the tests above hold to Java): a wrapped union keeps Java's branch, a map any order.
      const javaValue = readerType.fromBuffer(Buffer.from((await ask({ op: 'encode', schema: r, value: java.value! })).hex!, 'hex'));
      expect({ reader, writer, value: sample.tagged, ours }).toEqual({ reader, writer, value: sample.tagged, ours: { value: javaValue } });
    }
  }

  it('reads generated values of edited schemas, both directions, as Java reads them or refuses where Java refuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(BASE, fc.array(READER_EDIT, { minLength: 1, maxLength: 3 }), fc.boolean())
          .map(([base, edits, swap]) => {
            const edited = edits.reduce((r, edit) => edit(r), base);
            return swap ? ([base, edited] as const) : ([edited, base] as const);
          })
          .filter(([reader, writer]) => uniqueNames(reader) && uniqueNames(writer) && !hasEmptyUnion(writer))
          .chain(([reader, writer]) => fc.tuple(fc.constant(reader), fc.constant(writer), fc.array(sampleOf(writer as Schema), { minLength: 1, maxLength: 3 }))),
        ([reader, writer, samples]) => readAs(reader, writer, samples),
      ),
      { numRuns: 200 },
    );
  }, TIMEOUT);

  it('resolves names and aliases in the reader namespace and picks union branches as Java does (issue 23)', async () => {
    const rec = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}): Schema => ({
      type: 'record',
      name,
      ...(namespace ? { namespace } : {}),
      fields: [{ name: 'v', type: 'int' }],
      ...extra,
    });
    const one = (type: Schema): Schema => ({ type: 'record', name: 'R', namespace: 'ns', fields: [{ name: 'v', type }] });
    const enumOf = (name: string, namespace: string, extra: Record<string, unknown> = {}): Schema => ({ type: 'enum', name, namespace, symbols: ['A', 'B'], ...extra });
    const fixedOf = (name: string, namespace: string, extra: Record<string, unknown> = {}): Schema => ({ type: 'fixed', name, namespace, size: 2, ...extra });
    const cases: [Schema, Schema, unknown, Json][] = [
      // [reader, writer, value as we write it, as the oracle tags it]
      [rec('New', 'ns', { aliases: ['Old'] }), rec('Old', 'other'), { v: 1 }, { v: 1 }],
      [rec('New', 'ns', { aliases: ['other.Old'] }), rec('Old', 'other'), { v: 1 }, { v: 1 }],
      [rec('New', 'ns', { aliases: ['Old'] }), rec('Old', undefined), { v: 1 }, { v: 1 }],
      [rec('New', 'ns', { aliases: ['Old'] }), rec('Old', 'ns'), { v: 1 }, { v: 1 }],
      [rec('Same', 'a'), rec('Same', 'b'), { v: 1 }, { v: 1 }],
      [one(enumOf('New', 'ns', { aliases: ['Old'] })), one(enumOf('Old', 'other')), { v: 'B' }, { v: 'B' }],
      [one(enumOf('New', 'ns', { aliases: ['other.Old'] })), one(enumOf('Old', 'other')), { v: 'B' }, { v: 'B' }],
      [one(fixedOf('New', 'ns', { aliases: ['Old'] })), one(fixedOf('Old', 'other')), { v: Buffer.of(1, 2) }, { v: '0102' }],
      [one(['null', fixedOf('F', 'ns')]), one(fixedOf('F', 'other')), { v: Buffer.of(1, 2) }, { v: '0102' }],
      [one(['null', fixedOf('G', 'ns', { aliases: ['other.F'] })]), one(fixedOf('F', 'other')), { v: Buffer.of(1, 2) }, { v: '0102' }],
      [one(['null', enumOf('E', 'ns')]), one(enumOf('E', 'other')), { v: 'A' }, { v: 'A' }],
      [one(['null', rec('X', 'a'), rec('Y', 'b')]), one(rec('Y', 'c')), { v: { v: 7 } }, { v: { v: 7 } }],
      [one(['null', rec('Y', 'a'), rec('Y', 'b')]), one(rec('Y', 'c')), { v: { v: 7 } }, { v: { v: 7 } }],
      [one(['float', 'long']), one('long'), { v: 2 ** 53 - 1 }, { v: String(2 ** 53 - 1) }],
      [one(['double', 'int']), one('int'), { v: 5 }, { v: 5 }],
      [one(['long', 'float']), one('int'), { v: 2 ** 31 - 1 }, { v: 2 ** 31 - 1 }],
      [one(['string', 'bytes']), one('bytes'), { v: Buffer.of(0x61) }, { v: '61' }],
      // Field aliases count only where the writer record has the reader's full name or an alias of it.
      [rec('Top', 'a', { fields: [{ name: 'w', type: 'int', aliases: ['v'], default: 9 }] }), rec('Top', 'o'), { v: 1 }, { v: 1 }],
      [rec('Top', 'a', { fields: [{ name: 'w', type: 'int', aliases: ['v'] }] }), rec('Top', 'o'), { v: 1 }, { v: 1 }],
      [rec('New', 'a', { aliases: ['o.Top'], fields: [{ name: 'w', type: 'int', aliases: ['v'] }] }), rec('Top', 'o'), { v: 1 }, { v: 1 }],
      [rec('Top', 'o', { fields: [{ name: 'w', type: 'int', aliases: ['v'], default: 9 }] }), rec('Top', 'o'), { v: 1 }, { v: 1 }],
    ];
    for (const [reader, writer, js, tagged] of cases) await readAs(reader, writer, [{ js, tagged }]);
  }, TIMEOUT);
});

describe('Avro defaults beyond 2^53 agree with Apache Avro Java', () => {
  const registry = new InMemorySchemaRegistry();
  afterAll(() => registry.close());

  it.each([
    ['"long"', '9007199254740993', 9007199254740993n],
    ['"long"', '-9223372036854775808', -(2n ** 63n)],
    ['"long"', '9223372036854775807', 2n ** 63n - 1n],
    ['["long", "null"]', '-9007199254740995', -9007199254740995n],
    ['"double"', '9007199254740993', 9007199254740992],
    ['"float"', '123456789012345678901', Math.fround(Number(123456789012345678901n))],
  ])('reads a missing %s field as its default %s, exactly as Java does', async (type, digits, expected) => {
    const writer = JSON.stringify({ type: 'record', name: 'D', fields: [{ name: 'a', type: 'int' }] });
    // Schema text, not an object: a JavaScript number cannot hold these defaults.
    const reader = `{"type":"record","name":"D","fields":[{"name":"a","type":"int"},{"name":"big","type":${type},"default":${digits}}]}`;
    const bytes = await new AvroSerde({ registry, schema: writer }).serialize(`d-${type}-${digits}`, { a: 1 });
    const java = await ask({ op: 'decode', writer, reader, hex: hex(bytes.subarray(5)) });
    const ours = (await new AvroSerde({ registry, readerSchema: reader }).deserialize('d', bytes)) as { big: unknown };
    expect(ours.big).toBe(expected);
    const tagged = (java.value as { big: Json }).big;
    const javaValue = typeof tagged === 'object' && tagged !== null && 'v' in tagged ? tagged.v : tagged;
    const ourTag = type === '"double"' ? doubleBits(ours.big as number) : type === '"float"' ? floatBits(ours.big as number) : String(ours.big);
    expect(ourTag).toEqual(javaValue);
    // The schema keeps its exact default in its canonical form, so a registry stores what was sent.
    expect(new AvroFormat().canonical(new AvroFormat().parse(reader, []))).toContain(`"default":${type.includes('long') ? digits : ''}`);
  }, TIMEOUT);

  it('refuses a long default beyond 64 bits, as Java does', async () => {
    const reader = '{"type":"record","name":"D","fields":[{"name":"big","type":"long","default":9223372036854775808}]}';
    expect((await oracle.request({ op: 'compat', reader, writer: reader })).ok).toBe(false);
    expect(() => new AvroFormat().parse(reader, [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  }, TIMEOUT);
});
