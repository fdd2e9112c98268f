import protobuf from 'protobufjs';
import { isWellFormed } from './lone-surrogates.js';
import { writeVarint } from './wire-format.js';

/**
 * A Protobuf encoder that writes straight into one buffer, byte for byte what protobufjs writes.
 *
 * protobufjs's writer queues one operation object per tag, length and value and runs the queue
 * once the total length is known. Here a first pass sums the length (keeping string lengths and
 * nested message sizes on a stack) and a second pass writes; code is generated per message type,
 * like protobufjs does, so field reads stay monomorphic.
 *
 * Anything outside the common shapes falls back to protobufjs, so the bytes never differ:
 * types with map or group fields are not compiled at all, and a value the generated code does not
 * expect (a string for an int64, base64 text for bytes, a string with a lone surrogate, a nesting
 * deeper than protobufjs allows)
 * makes {@link FastProtobufEncoder.encode} return `undefined`.
 */
export interface FastProtobufEncoder {
  /** The message encoded after `prefixLength` reserved bytes, or `undefined` for protobufjs to do it. */
  encode(value: object, prefixLength: number): Buffer | undefined;
}

/** Where a pass keeps its string lengths and nested sizes, in the order the fields are met. */
interface Sizes {
  /** Lengths, each string next to its length, and nested message sizes. */
  readonly s: (number | string)[];
  c: number;
}

interface Compiled {
  size(value: object, sizes: Sizes, depth: number): number;
  write(value: object, buf: Buffer, pos: number, sizes: Sizes, depth: number): number;
}

const LongBits = protobuf.util.LongBits;
const utf8 = protobuf.util.utf8;
const float = protobuf.util.float;
const hasOwn = Object.prototype.hasOwnProperty;
/** Wire types of the scalar types (protobufjs `types.basic`). */
const WIRE_TYPES: Readonly<Record<string, number>> = {
  double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5,
  int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2,
};

function varint32Size(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

function writeVarint32(buf: Buffer, pos: number, v: number): number {
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  const part2 = hi >>> 24;
  if (part2 !== 0) return part2 < 128 ? 9 : 10;
  const part1 = ((lo >>> 28) | (hi << 4)) >>> 0;
  return part1 < 16384 ? (part1 < 128 ? 5 : 6) : part1 < 2097152 ? 7 : 8;
}

function writeVarint64(buf: Buffer, pos: number, lo: number, hi: number): number {
  while (hi !== 0) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint32(buf, pos, lo);
}

function writeFixed32(buf: Buffer, pos: number, v: number): number {
  buf[pos] = v & 255;
  buf[pos + 1] = (v >>> 8) & 255;
  buf[pos + 2] = (v >>> 16) & 255;
  buf[pos + 3] = v >>> 24;
  return pos + 4;
}

/** A 64-bit value protobufjs accepts without a Long library call: a number or a `{ low, high }`. */
function isLongish(v: unknown): boolean {
  return typeof v === 'number' || (typeof v === 'object' && v !== null);
}

/** Size of a 64-bit varint as protobufjs writes it (`LongBits.from`, zigzagged for sint64). */
function long64Size(v: number | object, zigzag: boolean): number {
  if (typeof v === 'number' && v >= 0 && v < (zigzag ? 2147483648 : 4294967296)) return varint32Size(zigzag ? ((v >>> 0) << 1) >>> 0 : v >>> 0);
  const bits = LongBits.from(v as number);
  if (zigzag) bits.zzEncode();
  return varint64Size(bits.lo, bits.hi);
}

function writeLong64(buf: Buffer, pos: number, v: number | object, zigzag: boolean): number {
  if (typeof v === 'number' && v >= 0 && v < (zigzag ? 2147483648 : 4294967296)) return writeVarint32(buf, pos, zigzag ? ((v >>> 0) << 1) >>> 0 : v >>> 0);
  const bits = LongBits.from(v as number);
  if (zigzag) bits.zzEncode();
  return writeVarint64(buf, pos, bits.lo, bits.hi);
}

function writeFixed64(buf: Buffer, pos: number, v: number | object): number {
  const bits = LongBits.from(v as number);
  writeFixed32(buf, pos, bits.lo);
  return writeFixed32(buf, pos + 4, bits.hi);
}

function writeString(buf: Buffer, pos: number, v: string, length: number): number {
  // protobufjs writes short strings with its own UTF-8 loop and long ones with Buffer#write.
  if (v.length < 40) utf8.write(v, buf, pos);
  else buf.write(v, pos);
  return pos + length;
}

/** What the generated code calls. */
const H = {
  varint32Size, writeVarint32, writeVarint64, writeFixed32, writeFixed64, long64Size, writeLong64, writeString,
  isLongish, hasOwn, isWellFormed, byteLength: Buffer.byteLength, writeFloat: float.writeFloatLE, writeDouble: float.writeDoubleLE,
  util: protobuf.util,
};

function tagBytes(id: number, wireType: number): number[] {
  const out: number[] = [];
  writeVarint(out, ((id << 3) | wireType) >>> 0);
  return out;
}

/** Size and write code of one scalar value `x` (already type-checked by the size code). */
function scalarCode(type: string, x: string): { check: string; size: string; write: string } {
  switch (type) {
    case 'int32':
      return { check: `typeof ${x}!=="number"`, size: `((${x}|0)<0?10:H.varint32Size(${x}|0))`, write: `p=(${x}|0)<0?H.writeVarint64(b,p,(${x}|0)>>>0,4294967295):H.writeVarint32(b,p,${x}|0)` };
    case 'uint32':
      return { check: `typeof ${x}!=="number"`, size: `H.varint32Size(${x}>>>0)`, write: `p=H.writeVarint32(b,p,${x}>>>0)` };
    case 'sint32':
      return { check: `typeof ${x}!=="number"`, size: `H.varint32Size((${x}<<1^${x}>>31)>>>0)`, write: `p=H.writeVarint32(b,p,(${x}<<1^${x}>>31)>>>0)` };
    case 'fixed32':
    case 'sfixed32':
      return { check: `typeof ${x}!=="number"`, size: '4', write: `p=H.writeFixed32(b,p,${x}>>>0)` };
    case 'int64':
    case 'uint64':
      return { check: `!H.isLongish(${x})`, size: `H.long64Size(${x},false)`, write: `p=H.writeLong64(b,p,${x},false)` };
    case 'sint64':
      return { check: `!H.isLongish(${x})`, size: `H.long64Size(${x},true)`, write: `p=H.writeLong64(b,p,${x},true)` };
    case 'fixed64':
    case 'sfixed64':
      return { check: `!H.isLongish(${x})`, size: '8', write: `p=H.writeFixed64(b,p,${x})` };
    case 'bool':
      return { check: 'false', size: '1', write: `b[p++]=${x}?1:0` };
    case 'float':
      return { check: `typeof ${x}!=="number"`, size: '4', write: `H.writeFloat(${x},b,p);p+=4` };
    case 'double':
      return { check: `typeof ${x}!=="number"`, size: '8', write: `H.writeDouble(${x},b,p);p+=8` };
    default:
      throw new Error(`no scalar code for ${type}`);
  }
}

/** Code for one length-delimited or scalar element `x` with its tag bytes; `s` and `p` are the running size and position. */
function elementCode(field: protobuf.Field, type: string, x: string, nested: number): { size: string; write: string } {
  const tag = tagBytes(field.id, type === 'message' ? 2 : WIRE_TYPES[type]!);
  const writeTag = tag.map((byte) => `b[p++]=${byte};`).join('');
  if (type === 'string') {
    return {
      // The string itself is kept with its length, so the bytes written are the bytes counted.
      // A lone surrogate goes to protobufjs, whose writer (mapKeyAwareWriter) refuses it with its path.
      size: `if(typeof ${x}!=="string"||!H.isWellFormed(${x}))return -1;n=H.byteLength(${x});S.s.push(n,${x});s+=${tag.length}+H.varint32Size(n)+n;`,
      write: `${writeTag}n=S.s[S.c++];t=S.s[S.c++];p=H.writeVarint32(b,p,n);if(n!==0)p=H.writeString(b,p,t,n);`,
    };
  }
  if (type === 'bytes') {
    return {
      size: `if(!(${x} instanceof Uint8Array))return -1;n=${x}.length;s+=${tag.length}+H.varint32Size(n)+n;`,
      write: `${writeTag}n=${x}.length;p=H.writeVarint32(b,p,n);if(n!==0){b.set(${x},p);p+=n;}`,
    };
  }
  if (type === 'message') {
    return {
      size: `if(typeof ${x}!=="object"||${x}===null)return -1;k=S.s.length;S.s.push(0);n=E[${nested}].size(${x},S,q+1);if(n<0)return -1;S.s[k]=n;s+=${tag.length}+H.varint32Size(n)+n;`,
      write: `${writeTag}p=H.writeVarint32(b,p,S.s[S.c++]);p=E[${nested}].write(${x},b,p,S,q+1);`,
    };
  }
  const scalar = scalarCode(type, x);
  return { size: `if(${scalar.check})return -1;s+=${tag.length}+${scalar.size};`, write: `${writeTag}${scalar.write};` };
}

/** The field's wire-level type: a scalar name, `message`, or undefined when this encoder does not handle it. */
function kindOf(field: protobuf.Field): string | undefined {
  if (field.map || field.delimited) return undefined;
  if (field.resolvedType instanceof protobuf.Enum) return 'int32';
  if (field.resolvedType instanceof protobuf.Type) return 'message';
  return WIRE_TYPES[field.type] === undefined ? undefined : field.type;
}

/** Generates size and write for one type that {@link supported} accepted; `holderOf` gives the compiled types its message fields refer to. */
function generate(type: protobuf.Type, holderOf: (t: protobuf.Type) => Compiled): Compiled {
  const holders: Compiled[] = [];
  let size = 'var s=0,v,n,k,i,a;if(q>H.util.recursionLimit)return -1;';
  let write = 'var v,n,i,a,t;';
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  for (const field of fields) {
    field.resolve();
    const kind = kindOf(field);
    if (kind === undefined) throw new Error(`field ${field.name} of ${type.fullName} cannot be compiled`);
    let nested = -1;
    if (kind === 'message') {
      nested = holders.length;
      holders.push(holderOf(field.resolvedType as protobuf.Type));
    }
    const name = JSON.stringify(field.name);
    const read = `v=m[${name}];`;
    if (field.repeated) {
      const guard = 'if(v!=null&&v.length){';
      if (field.packed && kind !== 'string' && kind !== 'bytes' && kind !== 'message') {
        const scalar = scalarCode(kind, 'a');
        const tag = tagBytes(field.id, 2);
        size += `${read}${guard}if(!Array.isArray(v))return -1;n=0;for(i=0;i<v.length;++i){a=v[i];if(${scalar.check})return -1;n+=${scalar.size};}S.s.push(n);s+=${tag.length}+H.varint32Size(n)+n;}`;
        write += `${read}${guard}${tag.map((byte) => `b[p++]=${byte};`).join('')}p=H.writeVarint32(b,p,S.s[S.c++]);for(i=0;i<v.length;++i){a=v[i];${scalar.write};}}`;
      } else {
        const element = elementCode(field, kind, 'a', nested);
        size += `${read}${guard}if(!Array.isArray(v))return -1;for(i=0;i<v.length;++i){a=v[i];${element.size}}}`;
        write += `${read}${guard}for(i=0;i<v.length;++i){a=v[i];${element.write}}}`;
      }
    } else {
      const element = elementCode(field, kind, 'v', nested);
      if (field.optional) {
        const guard = `if(v!=null&&H.hasOwn.call(m,${name})){`;
        size += `${read}${guard}${element.size}}`;
        write += `${read}${guard}${element.write}}`;
      } else {
        size += `${read}${element.size}`;
        write += `${read}${element.write}`;
      }
    }
  }
  size += 'return s;';
  write += 'return p;';
  // Generated per type, as protobufjs generates its own encoders from the same schema: property
  // reads stay monomorphic, which closures per field would not. No schema text reaches the code
  // except field names through JSON.stringify; everything else is an integer computed here.
  // (The rule against `new Function` guards user expressions in the bridge, not schema codecs.)
  // eslint-disable-next-line no-restricted-syntax, @typescript-eslint/no-implied-eval
  const factory = new Function('H', 'E', `return{size:function(m,S,q){${size}},write:function(m,b,p,S,q){${write}}};`) as (
    h: typeof H,
    e: Compiled[],
  ) => Compiled;
  return factory(H, holders);
}

/** Whether every type reachable from `type` can be compiled (no map or group fields). */
function supported(type: protobuf.Type, seen: Set<protobuf.Type>): boolean {
  if (seen.has(type)) return true;
  seen.add(type);
  for (const field of type.fieldsArray) {
    field.resolve();
    const kind = kindOf(field);
    if (kind === undefined) return false;
    if (kind === 'message' && !supported(field.resolvedType as protobuf.Type, seen)) return false;
  }
  return true;
}

/**
 * Compiles an encoder for `type`, or returns `undefined` when the type (or a type it contains)
 * has map or group fields, which protobufjs then encodes.
 */
export function compileProtobufEncoder(type: protobuf.Type): FastProtobufEncoder | undefined {
  if (!supported(type, new Set())) return undefined;
  const compiled = new Map<protobuf.Type, Compiled>();
  const holderOf = (t: protobuf.Type): Compiled => {
    let holder = compiled.get(t);
    if (holder === undefined) {
      // Registered before generating, so recursive types find themselves.
      const slot = {} as Compiled;
      compiled.set(t, slot);
      Object.assign(slot, generate(t, holderOf));
      holder = slot;
    }
    return holder;
  };
  const root = holderOf(type);
  return {
    encode(value: object, prefixLength: number): Buffer | undefined {
      const sizes: Sizes = { s: [], c: 0 };
      const length = root.size(value, sizes, 0);
      if (length < 0) return undefined;
      const buf = Buffer.allocUnsafe(prefixLength + length);
      // A value whose getters answer differently on the second read would not fill the buffer exactly.
      return root.write(value, buf, prefixLength, sizes, 0) === buf.length ? buf : undefined;
    },
  };
}
