import avro from 'avsc';
import { isWellFormed, LoneSurrogateError } from '../serde/lone-surrogates.js';

/** avsc's cursor over a buffer, which `Type#_read` and `Type#_write` advance. */
interface Tap {
  buf: Buffer;
  pos: number;
}

/** The avsc 5 internals the types below override or call. */
interface AvscInternals {
  _read(tap: Tap): unknown;
  _write(tap: Tap, value: unknown): void;
  _check(value: unknown, flags: unknown, hook?: (value: unknown, type: unknown) => void): boolean;
  _update(resolver: { _read?: (tap: Tap) => unknown }, writer: avro.Type, opts: unknown): void;
}

interface AvscCopy {
  _copy(value: unknown, opts: unknown): unknown;
}

type AvscTypeClass = new (...args: unknown[]) => avro.Type;
const types = avro.types as unknown as Record<
  'LongType' | 'FloatType' | 'DoubleType' | 'StringType' | 'MapType' | 'RecordType' | 'UnwrappedUnionType' | 'WrappedUnionType',
  AvscTypeClass
>;

const TWO_26 = 67108864;
const TWO_27 = 134217728;
const TWO_31 = 2147483648;
const MAX_SAFE_MAGNITUDE = Number.MAX_SAFE_INTEGER - 1; // -(m + 1) stays safe up to this m
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

function invalidLong(value: unknown): Error {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value;
  return new Error(`invalid long ${shown}: a long is a safe integer number (|v| <= 2^53-1) or a bigint in [-2^63, 2^63-1]`);
}

function isLong(value: unknown): boolean {
  return typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'bigint' && value >= MIN_LONG && value <= MAX_LONG;
}

function writeVarint64(tap: Tap, lo: number, hi: number): void {
  const buf = tap.buf;
  let pos = tap.pos;
  while (hi !== 0) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[pos++] = lo;
  tap.pos = pos;
}

/**
 * Reads the zigzag varint after its first four bytes (`low28`, which all had the continuation bit).
 * Exact for all 64 bits: a safe integer as a number, anything else as a bigint.
 */
function readLongTail(tap: Tap, low28: number): number | bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let high = 0; // bits 28..63, at most 36 bits: exact as a double
  let scale = 1;
  for (let i = 0; ; i++) {
    const b = buf[pos++];
    if (b === undefined) break; // truncated: the caller sees the position past the end
    if (i === 5) {
      // The tenth byte holds bit 63 alone.
      if (b > 1) {
        tap.pos = pos;
        throw new Error('invalid long encoding: the varint has more than 64 bits');
      }
      high += b * scale;
      break;
    }
    high += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  tap.pos = pos;
  const negative = (low28 & 1) === 1;
  if (high < TWO_26) {
    const magnitude = high * TWO_27 + (low28 >>> 1);
    if (!negative) return magnitude;
    if (magnitude <= MAX_SAFE_MAGNITUDE) return -magnitude - 1;
  }
  const magnitude = (BigInt(high) << 27n) | BigInt(low28 >>> 1);
  return negative ? -magnitude - 1n : magnitude;
}

/** Reads an Avro long exactly; four bytes or fewer (|v| < 2^27) stay on 32-bit integer arithmetic. */
function readLong(tap: Tap): number | bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let b = buf[pos++]!;
  let n = b & 0x7f;
  if (b > 0x7f) {
    b = buf[pos++]!;
    n |= (b & 0x7f) << 7;
    if (b > 0x7f) {
      b = buf[pos++]!;
      n |= (b & 0x7f) << 14;
      if (b > 0x7f) {
        b = buf[pos++]!;
        n |= (b & 0x7f) << 21;
        if (b > 0x7f) {
          tap.pos = pos;
          return readLongTail(tap, n);
        }
      }
    }
  }
  tap.pos = pos;
  return (n >>> 1) ^ -(n & 1);
}

/** Writes an Avro long exactly; the caller has checked the value with {@link isLong}. */
function writeLong(tap: Tap, value: number | bigint): void {
  if (typeof value === 'number') {
    if (value >= -1073741824 && value < 1073741824) {
      writeVarint64(tap, ((value << 1) ^ (value >> 31)) >>> 0, 0);
      return;
    }
    // zigzag(v) = 2m + sign with m = v or -v-1: split m so no step leaves the exact range of a double.
    const negative = value < 0;
    const magnitude = negative ? -value - 1 : value;
    writeVarint64(tap, (magnitude % TWO_31) * 2 + (negative ? 1 : 0), Math.floor(magnitude / TWO_31));
    return;
  }
  const zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  writeVarint64(tap, Number(zigzag & 0xffffffffn), Number(zigzag >> 32n));
}

/**
 * Rounds a 64-bit integer to the nearest float as Java's `(float) long` does. Rounding to 53 bits
 * first could create a false tie, so the bits below 53 are folded into a sticky bit (round to odd).
 */
function longToFloat(value: number | bigint): number {
  if (typeof value === 'number') return Math.fround(value);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const shift = BigInt(Math.max(0, magnitude.toString(2).length - 53));
  let top = magnitude >> shift;
  if ((top << shift) !== magnitude) top |= 1n;
  const rounded = Math.fround(Number(top) * 2 ** Number(shift));
  return negative ? -rounded : rounded;
}

/**
 * Avro `long` without avsc 5's rounding: avsc's default long computes zigzag values beyond 2^53
 * in floating point, which flips the sign of longs below -2^52 and refuses ±(2^53-1).
 */
class ExactLongType extends types.LongType {
  _check(value: unknown, _flags: unknown, hook?: (value: unknown, type: unknown) => void): boolean {
    const valid = isLong(value);
    if (!valid && hook) hook(value, this);
    return valid;
  }

  _read(tap: Tap): number | bigint {
    return readLong(tap);
  }

  _write(tap: Tap, value: unknown): void {
    if (!isLong(value)) throw invalidLong(value);
    writeLong(tap, value as number | bigint);
  }
}

/** A float or double default given as a bigint (digits beyond 2^53 in the schema): rounded once, as Java reads it. */
function numericDefault(value: unknown, float: boolean): unknown {
  if (typeof value !== 'bigint') return value;
  return float ? longToFloat(value) : Number(value);
}

/** Avro `float`: as avsc's, but a promoted int or long is rounded to a float, as Java reads it. */
class ExactFloatType extends types.FloatType {
  _copy(value: unknown, opts: unknown): unknown {
    return (types.FloatType.prototype as unknown as AvscCopy)._copy.call(this, numericDefault(value, true), opts);
  }

  _update(resolver: { _read?: (tap: Tap) => unknown }, writer: avro.Type, opts: unknown): void {
    (types.FloatType.prototype as unknown as AvscInternals)._update.call(this, resolver, writer, opts);
    if (writer.typeName === 'long') resolver._read = (tap) => longToFloat(readLong(tap));
    else if (writer.typeName === 'int') resolver._read = (tap) => Math.fround((writer as unknown as AvscInternals)._read(tap) as number);
  }
}

/** Avro `double`: as avsc's, but a promoted long is read exactly, then rounded once. */
class ExactDoubleType extends types.DoubleType {
  _copy(value: unknown, opts: unknown): unknown {
    return (types.DoubleType.prototype as unknown as AvscCopy)._copy.call(this, numericDefault(value, false), opts);
  }

  _update(resolver: { _read?: (tap: Tap) => unknown }, writer: avro.Type, opts: unknown): void {
    (types.DoubleType.prototype as unknown as AvscInternals)._update.call(this, resolver, writer, opts);
    if (writer.typeName === 'long') resolver._read = (tap) => Number(readLong(tap));
  }
}

/** Avro `string` that refuses a lone surrogate, which avsc (as Buffer) would write as U+FFFD or as bytes that are not UTF-8. */
class WellFormedStringType extends types.StringType {
  _check(value: unknown, _flags: unknown, hook?: (value: unknown, type: unknown) => void): boolean {
    const valid = typeof value === 'string' && isWellFormed(value);
    if (!valid && hook) hook(value, this);
    return valid;
  }

  _write(tap: Tap, value: unknown): void {
    if (typeof value === 'string' && !isWellFormed(value)) throw new LoneSurrogateError();
    (types.StringType.prototype as unknown as AvscInternals)._write.call(this, tap, value);
  }
}

/** Avro `map` whose keys are checked as {@link WellFormedStringType} checks strings. */
class WellFormedKeysMapType extends types.MapType {
  _write(tap: Tap, value: unknown): void {
    if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) if (!isWellFormed(key)) throw new LoneSurrogateError();
    }
    (types.MapType.prototype as unknown as AvscInternals)._write.call(this, tap, value);
  }
}

/**
 * Avro `record` whose field aliases count, when reading, only where Java applies them: when the
 * writer record has the reader's full name or one of its aliases (`Schema.applyAliases` keys field
 * aliases by the reader record's full name). Otherwise a reader field is found by its name alone,
 * so it takes its default, as Java's, instead of the writer field its alias names.
 */
class JavaAliasRecordType extends types.RecordType {
  _update(resolver: Resolver, writer: avro.Type, opts: unknown): void {
    const update = (types.RecordType.prototype as unknown as AvscInternals)._update;
    const self = this as unknown as Named & { fields: readonly { aliases: readonly string[] }[] };
    const w = writer as unknown as Named;
    if (w.name === self.name || (self.aliases ?? []).includes(w.name ?? '')) {
      update.call(this, resolver, writer, opts);
      return;
    }
    // The same record seen without field aliases: everything else is inherited from it.
    const fields = self.fields.map((field) => Object.create(field, { aliases: { value: [] } }) as unknown);
    update.call(Object.create(this, { fields: { value: fields } }) as unknown, resolver, writer, opts);
  }
}

const LONG = new ExactLongType();
const STRING = new WellFormedStringType();
const FLOAT = new ExactFloatType();
const DOUBLE = new ExactDoubleType();

/**
 * The empty union `[]`, which Avro allows and avsc refuses: a type with no values. Writing any
 * value fails; as a writer it is readable by any reader (it never has data); as a reader it reads nothing.
 */
function emptyUnion(): avro.Type {
  const union = Object.create(types.UnwrappedUnionType.prototype) as Record<string, unknown>;
  (avro.Type as unknown as { call(self: unknown): void }).call(union);
  union.types = Object.freeze([]);
  union._branchIndices = {};
  union._bucketIndices = {};
  union._dynamicBranches = null;
  return Object.freeze(union) as unknown as avro.Type;
}

/** The parts of avsc types and resolvers the union resolution reads. */
interface Named {
  readonly typeName: string;
  readonly name?: string;
  readonly aliases?: readonly string[];
  readonly types?: readonly avro.Type[];
  readonly _branchConstructor?: (new (value: unknown) => unknown) | null;
}
interface Resolver {
  _read?: (tap: Tap) => unknown;
}

/** Writer types a reader type reads by promotion, in the Avro specification's terms. */
const PROMOTED_FROM: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

function kindOf(type: Named): string {
  return type.typeName === 'error' ? 'record' : type.typeName === 'abstract:long' ? 'long' : type.typeName;
}

function unqualified(name: string | undefined): string | undefined {
  return name?.slice(name.lastIndexOf('.') + 1);
}

/**
 * The branch of a reader union that reads `writer`, as Apache Avro Java's resolver picks it:
 * a branch of the same type (for named types: the same full name, a reader alias counting as the
 * name); else, for a record, one that resolves, preferring the last with the same unqualified name;
 * else the first branch the writer's type promotes to. -1 when none: Java then refuses the data,
 * an enum or fixed of another namespace included.
 */
function javaBranch(branches: readonly avro.Type[], writer: avro.Type, opts: unknown): number {
  const w = writer as unknown as Named;
  const kind = kindOf(w);
  let structural = -1;
  for (let i = 0; i < branches.length; i++) {
    const branch = branches[i] as unknown as Named;
    if (kindOf(branch) !== kind) continue;
    if (kind !== 'record' && kind !== 'enum' && kind !== 'fixed') return i;
    if (w.name !== undefined && (branch.name === w.name || (branch.aliases ?? []).includes(w.name))) return i;
    if (kind === 'record' && resolves(branches[i] as avro.Type, writer, opts) && (structural < 0 || unqualified(w.name) === unqualified(branch.name))) structural = i;
  }
  if (structural >= 0) return structural;
  return branches.findIndex((branch) => PROMOTED_FROM[kindOf(branch as unknown as Named)]?.includes(kind) === true);
}

function resolves(reader: avro.Type, writer: avro.Type, opts: unknown): boolean {
  try {
    reader.createResolver(writer, opts as Partial<avro.CreateResolverOptions>);
    return true;
  } catch {
    return false;
  }
}

/** Sets `resolver._read` to read `writer` data into the branch Java picks; leaves it unset (avsc then refuses) when none. */
function updateUnion(union: avro.Type, resolver: Resolver, writer: avro.Type, opts: unknown, wrap: boolean): void {
  const branches = (union as unknown as Named).types ?? [];
  const index = javaBranch(branches, writer, opts);
  if (index < 0) return;
  const branch = branches[index] as avro.Type;
  const inner = branch.createResolver(writer, opts as Partial<avro.CreateResolverOptions>) as unknown as Required<Resolver>;
  const Branch = (branch as unknown as Named)._branchConstructor;
  if (!wrap) resolver._read = (tap) => inner._read(tap);
  else if (Branch === undefined || Branch === null) resolver._read = () => null; // the null branch
  else resolver._read = (tap) => new Branch(inner._read(tap));
}

/** avsc's unwrapped union, resolving writer data into the branch Java picks (avsc takes the first that resolves: a float before the long it reads exactly). */
class JavaUnwrappedUnionType extends types.UnwrappedUnionType {
  constructor(branches: unknown, opts: unknown) {
    super(branches, opts);
    // At once, not only in acceptBigintInUnions: a field default of this union (a bigint long) is checked while its record is built.
    const self = this as unknown as { types: readonly Named[]; _bucketIndices: Record<string, number> };
    const long = self.types.findIndex((branch) => branch.typeName === 'long');
    if (long >= 0 && self._bucketIndices.bigint === undefined) self._bucketIndices.bigint = long;
  }

  _update(resolver: Resolver, writer: avro.Type, opts: unknown): void {
    updateUnion(this, resolver, writer, opts, false);
  }
}

/** avsc's wrapped union (used for unions with two branches of one JavaScript kind), resolving as Java does. */
class JavaWrappedUnionType extends types.WrappedUnionType {
  _update(resolver: Resolver, writer: avro.Type, opts: unknown): void {
    updateUnion(this, resolver, writer, opts, true);
  }
}

/** A union as avsc builds it by default (unwrapped unless two branches share a JavaScript kind), with Java's branch choice. */
function javaUnion(schema: readonly unknown[], opts: unknown): avro.Type {
  const branches = schema.map((branch) => avro.Type.forSchema(branch as avro.Schema, opts as avro.ForSchemaOptions));
  try {
    return new JavaUnwrappedUnionType(branches, opts);
  } catch {
    return new JavaWrappedUnionType(branches, opts); // throws avsc's own error when the union is invalid either way
  }
}

const PRIMITIVES: ReadonlyMap<unknown, avro.Type> = new Map<unknown, avro.Type>([
  ['long', LONG],
  ['float', FLOAT],
  ['double', DOUBLE],
  ['string', STRING],
]);

/**
 * avsc `typeHook` that puts the exact `long`, `float` and `double` types, strings and map keys that
 * refuse lone surrogates, records and unions that resolve as Java does, and the empty union in
 * place of avsc's own; every other schema is left to avsc.
 */
export function exactTypeHook(schema: unknown, opts?: unknown): avro.Type | undefined {
  if (typeof schema === 'string') return PRIMITIVES.get(schema);
  if (Array.isArray(schema)) return schema.length === 0 ? emptyUnion() : javaUnion(schema, opts);
  if (schema !== null && typeof schema === 'object') {
    const type = (schema as { type?: unknown }).type;
    if (type === 'map') return new WellFormedKeysMapType(schema, opts);
    if (type === 'record' || type === 'error') return new JavaAliasRecordType(schema, opts);
    return PRIMITIVES.get(type);
  }
  return undefined;
}

/**
 * Lets unwrapped unions with a `long` branch take bigint values: avsc picks the branch by
 * `typeof`, and files a long under 'number' only. Walks every type reachable from `type`.
 */
export function acceptBigintInUnions(type: avro.Type, seen = new Set<avro.Type>()): void {
  if (seen.has(type)) return;
  seen.add(type);
  const t = type as unknown as {
    typeName: string;
    fields?: { type: avro.Type }[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
    types?: avro.Type[];
    _bucketIndices?: Record<string, number>;
  };
  if (t.fields) for (const field of t.fields) acceptBigintInUnions(field.type, seen);
  if (t.itemsType) acceptBigintInUnions(t.itemsType, seen);
  if (t.valuesType) acceptBigintInUnions(t.valuesType, seen);
  if (t.types) {
    if (t.typeName === 'union:unwrapped' && t._bucketIndices && t._bucketIndices.bigint === undefined) {
      const index = t.types.findIndex((branch) => branch.typeName === 'long');
      if (index >= 0) t._bucketIndices.bigint = index;
    }
    for (const branch of t.types) acceptBigintInUnions(branch, seen);
  }
}
