// Differential tests against protoc (Debian package protobuf-compiler): our Protobuf bytes decoded
// by `protoc --decode`, and `protoc --encode` bytes decoded by us, on generated values at type
// boundaries, Confluent message indexes included. One protoc call per batch of cases. Without
// protoc these tests fail with the reason, they never skip.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';
import { ProtobufSerde } from './protobuf-serde.js';
import { decodeMessageIndexes, encodeMessageIndexes } from './wire-format.js';

type Protoc = (args: string[], options: { cwd: string; input: Uint8Array | string }) => Buffer;

const root = path.resolve(__dirname, '../../../../..');
const PROTO = `syntax = "proto3";
package oracle;
message Scalars { int64 i64 = 1; sint64 s64 = 2; uint64 u64 = 3; fixed64 f64 = 4; sfixed64 sf64 = 5; int32 i32 = 6; sint32 s32 = 7; uint32 u32 = 8; bool b = 9; string s = 10; double d = 11; float f = 12; bytes raw = 13; repeated int64 longs = 14; repeated double doubles = 15; repeated bool flags = 16; }
message Maps { map<bool, string> flags = 1; map<int64, int32> longs = 2; map<int32, string> ints = 3; map<string, int64> named = 4; map<uint64, bool> ulongs = 5; map<sint64, Scalars> scalars = 6; map<bool, Maps> deeper = 7; map<fixed64, double> fixed = 8; }
message Outer { message Nested { map<bool, int32> flags = 1; int64 v = 2; map<sfixed64, string> sfixed = 3; } Nested nested = 1; repeated Nested list = 2; }
message Batch { repeated Scalars scalars = 1; repeated Maps maps = 2; repeated Outer.Nested nested = 3; repeated Outer outer = 4; }
`;
/** Message types under test: Batch field number, full name, Confluent message indexes. */
const TYPES = [
  { field: 1, name: 'oracle.Scalars', indexes: [0] },
  { field: 2, name: 'oracle.Maps', indexes: [1] },
  { field: 3, name: 'oracle.Outer.Nested', indexes: [2, 0] },
  { field: 4, name: 'oracle.Outer', indexes: [2] },
] as const;

const reflection = protobuf.parse(PROTO, { keepCase: true }).root.resolveAll();
const Long = protobuf.util.Long as unknown as { fromString(text: string, unsigned: boolean): unknown } | undefined;

let protoc: Protoc;
let dir: string;
beforeAll(async () => {
  ({ protoc } = (await import(pathToFileURL(path.join(root, 'tools/oracle/oracle.mjs')).href)) as { protoc: Protoc });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-protoc-'));
  fs.writeFileSync(path.join(dir, 'oracle.proto'), PROTO);
  protoc(['--version'], { cwd: dir, input: '' }); // fails here, with the install hint, when protoc is missing
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// ---- generated values ---------------------------------------------------------------------

const TWO_53 = 2n ** 53n;
const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;
const near = (c: bigint, min: bigint, max: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min: c - 3n > min ? c - 3n : min, max: c + 3n < max ? c + 3n : max });
function int64(signed: boolean): fc.Arbitrary<bigint> {
  const [min, max] = signed ? [-TWO_63, TWO_63 - 1n] : [0n, TWO_64 - 1n];
  const centers = signed ? [0n, TWO_53, -TWO_53, TWO_63 - 1n, -TWO_63, 2n ** 32n, -(2n ** 31n)] : [0n, TWO_53, TWO_63, TWO_64 - 1n, 2n ** 32n];
  return fc.oneof(...centers.map((c) => near(c, min, max)), fc.bigInt({ min, max }));
}
const SIGNED_64 = new Set(['int64', 'sint64', 'sfixed64']);
const UNSIGNED_64 = new Set(['uint64', 'fixed64']);

/** A 64-bit value as a user passes it: a number when safe, else a Long. */
function longValue(v: bigint, unsigned: boolean): unknown {
  return v >= -(TWO_53 - 1n) && v <= TWO_53 - 1n ? Number(v) : Long!.fromString(v.toString(), unsigned);
}

function scalarArb(type: string): fc.Arbitrary<unknown> {
  if (SIGNED_64.has(type)) return int64(true).map((v) => longValue(v, false));
  if (UNSIGNED_64.has(type)) return int64(false).map((v) => longValue(v, true));
  switch (type) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return fc.oneof(fc.integer(), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, -1, 0));
    case 'uint32':
    case 'fixed32':
      return fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), fc.constantFrom(2 ** 32 - 1, 0));
    case 'bool':
      return fc.boolean();
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 10 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 10 }).map((b) => Buffer.from(b));
    case 'double':
      return fc.oneof(fc.double(), fc.constantFrom(NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE));
    case 'float':
      return fc.oneof(fc.float(), fc.constantFrom(NaN, -0, Infinity, -Infinity));
    default:
      throw new Error(`no values for ${type}`);
  }
}

function keyArb(type: string): fc.Arbitrary<string> {
  if (type === 'bool') return fc.constantFrom('true', 'false');
  if (type === 'string') return fc.string({ unit: 'grapheme', maxLength: 6 }).filter((k) => k !== '__proto__');
  if (SIGNED_64.has(type)) return int64(true).map(String);
  if (UNSIGNED_64.has(type)) return int64(false).map(String);
  return (scalarArb(type) as fc.Arbitrary<number>).map(String);
}

function messageArb(type: protobuf.Type, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (sub && depth === 0) continue;
    const element = sub ? messageArb(sub, depth - 1) : scalarArb(field.type);
    if (field instanceof protobuf.MapField) {
      fields[field.name] = fc
        .uniqueArray(fc.tuple(keyArb(field.keyType), element), { maxLength: 3, selector: ([k]) => k })
        .map((entries) => Object.fromEntries(entries));
    } else {
      fields[field.name] = field.repeated ? fc.array(element, { maxLength: 3 }) : element;
    }
  }
  return fc.record(fields, { requiredKeys: [] });
}

// ---- one normal form for values, protoc text and decoded messages -------------------------

/** Fields in number order; maps sorted by key (as protoc prints them); leaves as strings. */
type Entry = [string, string | Entry[]];

function number(v: unknown, float: boolean): string {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (v === 'nan') n = NaN;
  else if (v === 'inf') n = Infinity;
  else if (v === '-inf') n = -Infinity;
  else n = Number(v);
  if (float) n = Math.fround(n);
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return Object.is(n, -0) ? '-0' : String(n);
}

function leaf(type: string, v: unknown): string {
  switch (type) {
    case 'bool':
      return String(v);
    case 'double':
    case 'float':
      return number(v, type === 'float');
    case 'string':
      return (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v as Uint8Array)).toString('hex');
    case 'bytes':
      return Buffer.from(v as Uint8Array).toString('hex');
    default:
      return BigInt(String(v)).toString(); // every integer type; Long#toString is decimal, unsigned when the Long is
  }
}

const isDefault = (type: string, s: string): boolean => s === (type === 'bool' ? 'false' : type === 'string' || type === 'bytes' ? '' : '0');

/** `value` is a JS message, or the protoc text of one parsed to `[name, token | children][]`. */
function normal(type: protobuf.Type, value: unknown): Entry[] {
  const get = Array.isArray(value)
    ? (name: string) => (value as Entry[]).filter(([n]) => n === name).map(([, v]) => v)
    : undefined;
  const out: Entry[] = [];
  for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const element = (v: unknown): string | Entry[] => (sub ? normal(sub, v) : leaf(field.type, v));
    if (field instanceof protobuf.MapField) {
      const pairs: [unknown, unknown][] = get
        ? get(field.name).map((entry) => [(entry as Entry[]).find(([n]) => n === 'key')?.[1] ?? defaultToken(field.keyType), (entry as Entry[]).find(([n]) => n === 'value')?.[1] ?? (sub ? [] : defaultToken(field.type))])
        : Object.entries(((value as Record<string, unknown>)[field.name] as object | null) ?? {});
      const entries = pairs.map(([k, v]): Entry[] => [['key', leaf(field.keyType, k)], ['value', element(v)]]);
      const keyOf = (e: Entry[]): string => e[0]![1] as string;
      entries.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
      for (const entry of entries) out.push([field.name, entry]);
    } else if (field.repeated) {
      const items = get ? get(field.name) : (((value as Record<string, unknown>)[field.name] as unknown[] | null) ?? []);
      for (const item of items) out.push([field.name, element(item)]);
    } else {
      const v = get ? get(field.name)[0] : (value as Record<string, unknown>)[field.name];
      if (v === undefined || v === null) continue;
      const e = element(v);
      if (typeof e === 'string' && isDefault(field.type, e)) continue;
      out.push([field.name, e]);
    }
  }
  return out;
}

function defaultToken(type: string): unknown {
  return type === 'bool' ? 'false' : type === 'string' || type === 'bytes' ? Buffer.alloc(0) : '0';
}

/** Parses `protoc --decode` output: `name: token`, `name {`, `}`; strings become their bytes. */
function parseText(text: string): Entry[] {
  const stack: Entry[][] = [[]];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '}') {
      stack.pop();
      continue;
    }
    const open = /^(\w+) \{$/.exec(line);
    if (open) {
      const children: Entry[] = [];
      stack[stack.length - 1]!.push([open[1]!, children]);
      stack.push(children);
      continue;
    }
    const scalar = /^(\w+): (.*)$/.exec(line);
    if (!scalar) throw new Error(`unexpected protoc output line ${JSON.stringify(raw)}`);
    const token = scalar[2]!;
    stack[stack.length - 1]!.push([scalar[1]!, token.startsWith('"') ? (unescape(token) as unknown as string) : token]);
  }
  return stack[0]!;
}

/** The bytes of a C-escaped protoc string literal. */
function unescape(literal: string): Buffer {
  const bytes: number[] = [];
  const body = literal.slice(1, -1);
  const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const next = body[++i]!;
    if (/[0-7]/.test(next)) {
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) digits += body[++i];
      bytes.push(parseInt(digits, 8));
    } else if (next === 'x') {
      let digits = '';
      while (digits.length < 2 && /[0-9a-fA-F]/.test(body[i + 1] ?? '')) digits += body[++i];
      bytes.push(parseInt(digits, 16));
    } else {
      bytes.push(simple[next]!);
    }
  }
  return Buffer.from(bytes);
}

/** protoc text for normal-form entries. */
function toText(type: protobuf.Type, entries: Entry[], indent = ''): string {
  return entries
    .map(([name, v]) => {
      const field = type.fields[name]!;
      if (typeof v !== 'string') {
        const sub = field instanceof protobuf.MapField ? mapEntryType(field) : (field.resolvedType as protobuf.Type);
        return `${indent}${name} {\n${toText(sub, v, `${indent}  `)}${indent}}\n`;
      }
      const literal = field.type === 'string' || field.type === 'bytes' ? `"${[...Buffer.from(v, 'hex')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}"` : v;
      return `${indent}${name}: ${literal}\n`;
    })
    .join('');
}

/** A stand-in type for a map entry, so toText can print `key` and `value`. */
function mapEntryType(field: protobuf.MapField): protobuf.Type {
  const entry = new protobuf.Type('Entry');
  entry.add(new protobuf.Field('key', 1, field.keyType));
  entry.add(new protobuf.Field('value', 2, field.type));
  if (field.resolvedType) entry.fields['value']!.resolvedType = field.resolvedType;
  return entry;
}

// ---- wire helpers -------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = buf[pos++]!;
    n += (b & 127) * scale;
    if (b < 128) return [n, pos];
    scale *= 128;
  }
}

/** Splits Batch bytes into [field number, message bytes] pairs. */
function splitBatch(buf: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const [length, start] = readVarint(buf, afterTag);
    out.push([tag >>> 3, buf.subarray(start, start + length)]);
    pos = start + length;
  }
  return out;
}

// ---- the tests ----------------------------------------------------------------------------

interface Case {
  readonly kind: (typeof TYPES)[number];
  readonly value: Record<string, unknown>;
}

const CASE: fc.Arbitrary<Case> = fc.oneof(
  ...TYPES.map((kind) => messageArb(reflection.lookupType(kind.name), 2).map((value) => ({ kind, value }))),
);

describe('Protobuf bytes agree with protoc', () => {
  const registry = new InMemorySchemaRegistry();
  afterAll(() => registry.close());
  const serdes = new Map<string, ProtobufSerde>(TYPES.map((t) => [t.name, new ProtobufSerde({ registry, schema: PROTO, messageType: t.name })]));
  const serde = (name: string): ProtobufSerde => serdes.get(name)!;

  it('writes bytes protoc decodes to the same values, message indexes included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(CASE, { minLength: 1, maxLength: 60 }), async (cases) => {
        const batch: number[] = [];
        for (const { kind, value } of cases) {
          const framed = await serde(kind.name).serialize('oracle', value);
          const { indexes, offset } = decodeMessageIndexes(framed, 5);
          expect(indexes).toEqual(kind.indexes);
          const body = framed.subarray(offset);
          batch.push(...varint((kind.field << 3) | 2), ...varint(body.length), ...body);
        }
        const text = protoc(['--decode=oracle.Batch', 'oracle.proto'], { cwd: dir, input: Uint8Array.from(batch) }).toString('utf8');
        const batchType = reflection.lookupType('oracle.Batch');
        const decoded = parseText(text);
        expect(decoded.length).toBe(cases.length);
        // protoc prints repeated fields grouped by number; compare each group in order.
        for (const kind of TYPES) {
          const fieldName = batchType.fieldsArray.find((f) => f.id === kind.field)!.name;
          const type = reflection.lookupType(kind.name);
          const theirs = decoded.filter(([n]) => n === fieldName).map(([, v]) => normal(type, v));
          const ours = cases.filter((c) => c.kind === kind).map((c) => normal(type, c.value));
          expect(theirs).toEqual(ours);
        }
      }),
      { numRuns: 6 },
    );
  });

  it('reads the bytes protoc encodes to the same values, message indexes included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(CASE, { minLength: 1, maxLength: 60 }), async (cases) => {
        const batchType = reflection.lookupType('oracle.Batch');
        const expected = cases.map(({ kind, value }) => normal(reflection.lookupType(kind.name), value));
        const text = cases
          .map(({ kind }, i) => {
            const fieldName = batchType.fieldsArray.find((f) => f.id === kind.field)!.name;
            return `${fieldName} {\n${toText(reflection.lookupType(kind.name), expected[i]!, '  ')}}\n`;
          })
          .join('');
        const bytes = protoc(['--encode=oracle.Batch', 'oracle.proto'], { cwd: dir, input: text });
        const messages = splitBatch(bytes);
        // protoc writes repeated fields grouped by number, in the order of each group.
        const byField = new Map<number, Buffer[]>();
        for (const [field, body] of messages) byField.set(field, [...(byField.get(field) ?? []), body]);
        await serde(TYPES[0].name).serialize('oracle', {}); // registers the schema (id 1)
        for (const kind of TYPES) {
          const type = reflection.lookupType(kind.name);
          const bodies = byField.get(kind.field) ?? [];
          const want = cases.map((c, i) => [c, expected[i]!] as const).filter(([c]) => c.kind === kind).map(([, e]) => e);
          const got: Entry[][] = [];
          for (const body of bodies) {
            const framed = Buffer.concat([Buffer.of(0, 0, 0, 0, 1), encodeMessageIndexes(kind.indexes), body]);
            got.push(normal(type, await serde(kind.name).deserialize('oracle', framed)));
          }
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 6 },
    );
  });
});
