import fc from 'fast-check';
import protobuf from 'protobufjs';
import { compileProtobufEncoder, type FastProtobufEncoder } from './protobuf-encoder.js';

const PROTO3 = `
syntax = "proto3";
package t;
enum Color { RED = 0; GREEN = 1; BLUE = -2; }
message Scalars {
  double d = 1; float f = 2; int32 i32 = 3; uint32 u32 = 4; sint32 s32 = 5; fixed32 f32 = 6; sfixed32 sf32 = 7;
  int64 i64 = 8; uint64 u64 = 9; sint64 s64 = 10; fixed64 f64 = 11; sfixed64 sf64 = 12; bool b = 13;
  string s = 14; bytes by = 15; Color color = 16;
  optional int32 maybe = 17;
  oneof choice { string name = 18; Inner inner = 19; }
  int32 far = 536870911;
}
message Inner { string text = 1; repeated int32 nums = 2; Inner child = 3; }
message Repeats {
  repeated double d = 1; repeated float f = 2; repeated int32 i32 = 3; repeated uint32 u32 = 4; repeated sint32 s32 = 5;
  repeated fixed32 f32 = 6; repeated sfixed32 sf32 = 7; repeated int64 i64 = 8; repeated uint64 u64 = 9;
  repeated sint64 s64 = 10; repeated fixed64 f64 = 11; repeated sfixed64 sf64 = 12; repeated bool b = 13;
  repeated string s = 14; repeated bytes by = 15; repeated Color color = 16; repeated Inner inner = 17;
  repeated int32 unpacked = 18 [packed = false];
}
message WithMap { map<string, int32> counts = 1; }
message HasMapInside { WithMap m = 1; }
`;
const PROTO2 = `
syntax = "proto2";
package p2;
message Req { required string id = 1; optional int32 n = 2 [default = 7]; repeated int32 xs = 3; required Sub sub = 4; }
message Sub { optional bool on = 1; }
message WithGroup { optional group G = 1 { optional int32 a = 2; } }
`;

// Resolved up front, as the Protobuf format resolves every schema before a serde sees it.
const root3 = protobuf.parse(PROTO3, { keepCase: true }).root.resolveAll();
const root2 = protobuf.parse(PROTO2, { keepCase: true }).root.resolveAll();
const PREFIX = 6;
/** The Long class protobufjs found (the `long` package it depends on). */
const Long = protobuf.util.Long as unknown as { fromString(text: string, unsigned?: boolean): object; fromNumber(value: number): object };

function fast(type: protobuf.Type): FastProtobufEncoder {
  const encoder = compileProtobufEncoder(type);
  if (encoder === undefined) throw new Error(`${type.name} did not compile`);
  return encoder;
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return !(value as unknown as { isWellFormed(): boolean }).isWellFormed();
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return false;
  return Object.values(value).some(hasLoneSurrogate);
}

/**
 * Our bytes after the prefix, compared with protobufjs's own encoding of the same value; a value
 * with a lone surrogate in a string is handed to protobufjs instead (whose writer the serde makes refuse it).
 */
function expectSameBytes(type: protobuf.Type, value: object): void {
  const out = fast(type).encode(value, PREFIX);
  if (hasLoneSurrogate(value)) {
    expect(out).toBeUndefined();
    return;
  }
  expect(out).toBeDefined();
  expect(Buffer.from(out!.subarray(PREFIX)).toString('hex')).toBe(Buffer.from(type.encode(value).finish()).toString('hex'));
}

const scalars = root3.lookupType('t.Scalars');
const repeats = root3.lookupType('t.Repeats');
const inner = root3.lookupType('t.Inner');

describe(compileProtobufEncoder, () => {
  describe('writes what protobufjs writes', () => {
    it.each<[string, object]>([
      ['an empty message', {}],
      ['zero values, which proto3 still writes when set', { d: 0, f: 0, i32: 0, u32: 0, s32: 0, f32: 0, sf32: 0, i64: 0, u64: 0, s64: 0, f64: 0, sf64: 0, b: false, s: '', by: new Uint8Array(0), color: 0 }],
      ['typical values', { d: 99.5, f: 1.25, i32: 300, u32: 70000, s32: -3, f32: 4000000000, sf32: -5, i64: 123456, u64: 2 ** 40, s64: -77, f64: 5, sf64: -6, b: true, s: 'Ada Lovelace', by: Buffer.from([1, 2, 3]), color: 1 }],
      ['negative int32 as ten bytes', { i32: -1 }],
      ['the int32 extremes', { i32: -2147483648, u32: 4294967295, s32: 2147483647 }],
      ['int32 beyond its range, truncated like protobufjs', { i32: 2 ** 31, u32: 2 ** 33 + 5, s32: -(2 ** 31) }],
      ['non-integer numbers, truncated like protobufjs', { i32: 1.9, u32: 7.5, i64: 1.5, s64: 2.5, f32: 3.7 }],
      ['int64 at and past 2^32 and 2^53', { i64: 2 ** 32, u64: 2 ** 53 + 2, s64: 2 ** 31, f64: 2 ** 52, sf64: -(2 ** 40) }],
      ['negative int64 values', { i64: -1, u64: -(2 ** 35), s64: -(2 ** 31) - 1, sf64: -1 }],
      ['Long objects', { i64: Long.fromString('9223372036854775807'), u64: Long.fromString('18446744073709551615', true), s64: Long.fromString('-9223372036854775808'), f64: Long.fromNumber(-3), sf64: { low: 5, high: 1 } }],
      ['special doubles and floats', { d: Number.NaN, f: Number.POSITIVE_INFINITY }],
      ['negative zero and tiny numbers', { d: -0, f: 1e-45 }],
      ['multi-byte and astral strings', { s: 'héllo wörld ✓ 𝄞 end' }],
      ['a lone-surrogate string, handed to protobufjs', { s: 'héllo \ud800 end' }],
      ['a string of 40 characters and more', { s: 'x'.repeat(39) + '€' + '𝄞'.repeat(30) }],
      ['a long byte array', { by: Buffer.alloc(300, 7) }],
      ['a plain Uint8Array for bytes', { by: new Uint8Array([255, 0, 128]) }],
      ['enum values, negative too', { color: -2 }],
      ['truthy and falsy values for bool', { b: 'yes' }],
      ['proto3 optional and oneof members', { maybe: 0, name: 'n' }],
      ['a nested message in a oneof', { inner: { text: 'in', nums: [1, -1, 300], child: { text: 'deeper', child: {} } } }],
      ['the highest field number', { far: 12 }],
      ['null and undefined as absent', { s: null, i32: undefined, inner: null }],
    ])('for %s', (_label, value) => {
      expectSameBytes(scalars, value);
    });

    it('for message instances, leaving out the defaults on their prototype', () => {
      const message = scalars.create({ s: 'only this' });
      expect(Object.getPrototypeOf(message).s).toBe('');
      expectSameBytes(scalars, message);
      expectSameBytes(scalars, scalars.fromObject({ i64: '123456789012345', inner: { nums: [1, 2] } }));
    });

    it.each<[string, object]>([
      ['empty arrays, which are not written', { d: [], s: [], inner: [], unpacked: [] }],
      ['packed numbers of every kind', { d: [1.5, -2], f: [0.5], i32: [-1, 0, 300], u32: [1, 2 ** 32 - 1], s32: [-1, 1], f32: [1, 2], sf32: [-1], i64: [0, -1, 2 ** 40, Long.fromNumber(9)], u64: [2 ** 33], s64: [-2, 2], f64: [7], sf64: [-7], b: [true, false, 1], color: [0, 1, -2] }],
      ['strings, bytes and messages, one field each', { s: ['a', '', 'ü'.repeat(50)], by: [Buffer.from('x'), new Uint8Array(0)], inner: [{ text: 'a' }, {}, { nums: [5], child: { text: 'c' } }] }],
      ['an unpacked repeated number', { unpacked: [1, -1, 2 ** 31] }],
    ])('for repeated fields: %s', (_label, value) => {
      expectSameBytes(repeats, value);
    });

    it('for proto2 required, optional-with-default and unpacked repeated fields', () => {
      const req = root2.lookupType('p2.Req');
      expectSameBytes(req, { id: 'r1', sub: {} });
      expectSameBytes(req, { id: '', n: 7, xs: [1, 2, 3], sub: { on: false } });
    });

    it('for recursive messages many levels deep', () => {
      let value: Record<string, unknown> = { text: 'leaf' };
      for (let i = 0; i < 50; i++) value = { text: `level ${i}`, nums: [i], child: value };
      expectSameBytes(inner, value);
    });

    it('for generated values of every kind', () => {
      const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 50 }));
      const int64 = fc.oneof(fc.integer(), fc.double({ min: -(2 ** 63), max: 2 ** 63, noNaN: true }).map(Math.trunc), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => Long.fromString(v.toString())));
      const value = fc.record(
        {
          d: fc.double(), f: fc.float(), i32: fc.integer(), u32: fc.nat({ max: 2 ** 32 - 1 }), s32: fc.integer(), f32: fc.nat({ max: 2 ** 32 - 1 }),
          sf32: fc.integer(), i64: int64, u64: int64, s64: int64, f64: int64, sf64: int64, b: fc.boolean(), s: anyString,
          by: fc.uint8Array({ maxLength: 80 }), color: fc.constantFrom(0, 1, -2), maybe: fc.integer(),
          inner: fc.record({ text: anyString, nums: fc.array(fc.integer()) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      );
      fc.assert(fc.property(value, (v) => expectSameBytes(scalars, v)), { numRuns: 500 });
      const many = fc.record(
        { d: fc.array(fc.double()), i64: fc.array(int64), s64: fc.array(int64), s: fc.array(anyString), by: fc.array(fc.uint8Array()), inner: fc.array(fc.record({ text: anyString }, { requiredKeys: [] })) },
        { requiredKeys: [] },
      );
      fc.assert(fc.property(many, (v) => expectSameBytes(repeats, v)), { numRuns: 300 });
    });
  });

  it('writes the string it counted when a getter answers differently on the second read', () => {
    let reads = 0;
    const value = {
      get text() {
        return reads++ === 0 ? 'short' : 'a good deal longer';
      },
    };
    const out = fast(inner).encode(value, PREFIX);
    expect(Buffer.from(out!.subarray(PREFIX))).toEqual(Buffer.from(inner.encode({ text: 'short' }).finish()));
  });

  describe('hands back to protobufjs', () => {
    it('for types with map or group fields, also when nested', () => {
      expect(compileProtobufEncoder(root3.lookupType('t.WithMap'))).toBeUndefined();
      expect(compileProtobufEncoder(root3.lookupType('t.HasMapInside'))).toBeUndefined();
      expect(compileProtobufEncoder(root2.lookupType('p2.WithGroup'))).toBeUndefined();
    });

    it.each<[string, object]>([
      ['an int64 given as a decimal string', { i64: '12345678901234' }],
      ['bytes given as base64 text', { by: 'AQID' }],
      ['a string where a number belongs', { u32: '5' }],
      ['a number where a string belongs', { s: 5 }],
      ['a non-object where a message belongs', { inner: 'x' }],
    ])('for %s (protobufjs then encodes or rejects it)', (_label, value) => {
      expect(fast(scalars).encode(value, PREFIX)).toBeUndefined();
    });

    it('for a repeated field that is not an array, or holds a null message', () => {
      expect(fast(repeats).encode({ s: 'abc' }, PREFIX)).toBeUndefined();
      expect(fast(repeats).encode({ inner: [null] }, PREFIX)).toBeUndefined();
      expect(fast(repeats).encode({ i32: new Int32Array([1]) }, PREFIX)).toBeUndefined();
    });

    it('for a missing proto2 required field', () => {
      expect(fast(root2.lookupType('p2.Req')).encode({ sub: {} }, PREFIX)).toBeUndefined();
    });

    it('for nesting deeper than protobufjs allows', () => {
      let value: Record<string, unknown> = {};
      for (let i = 0; i <= protobuf.util.recursionLimit + 1; i++) value = { child: value };
      expect(fast(inner).encode(value, PREFIX)).toBeUndefined();
      expect(() => inner.encode(value)).toThrow(/depth/);
    });

    it('for a getter whose array changes between the two passes', () => {
      let reads = 0;
      const value = {
        get nums() {
          return reads++ === 0 ? [1] : [1, 2, 3];
        },
      };
      expect(fast(inner).encode(value, PREFIX)).toBeUndefined();
    });
  });
});
