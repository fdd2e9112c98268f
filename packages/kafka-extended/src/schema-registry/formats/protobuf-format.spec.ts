import { ProtobufFormat } from './protobuf-format.js';

const proto = new ProtobufFormat();
const file = (body: string, pkg = 'acme', syntax = 'proto3') => `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`;
const msg = (fields: string, name = 'Order') => file(`message ${name} {\n${fields}\n}`);

// [rule, old, new, new reads old (BACKWARD), old reads new (FORWARD)]
const CASES: [string, string, string, boolean, boolean][] = [
  ['identical files are compatible both ways', msg('string id = 1;'), msg('string id = 1;'), true, true],
  ['a field added is skipped as unknown by old readers', msg('string id = 1;'), msg('string id = 1; int32 qty = 2;'), true, true],
  ['a field removed is skipped as unknown by the new reader', msg('string id = 1; int32 qty = 2;'), msg('string id = 1;'), true, true],
  ['int32 and int64 share the varint wire type', msg('int32 qty = 1;'), msg('int64 qty = 1;'), true, true],
  ['uint32 and uint64 share the varint wire type', msg('uint32 qty = 1;'), msg('uint64 qty = 1;'), true, true],
  ['bool and int32 share the varint wire type', msg('bool flag = 1;'), msg('int32 flag = 1;'), true, true],
  ['sint32 and sint64 share the zigzag encoding', msg('sint32 d = 1;'), msg('sint64 d = 1;'), true, true],
  ['string and bytes share the length-delimited wire type', msg('string s = 1;'), msg('bytes s = 1;'), true, true],
  ['fixed32 and sfixed32 share the 32-bit wire type', msg('fixed32 f = 1;'), msg('sfixed32 f = 1;'), true, true],
  ['int32 and sint32 encode differently', msg('int32 d = 1;'), msg('sint32 d = 1;'), false, false],
  ['int32 and string have different wire types', msg('int32 d = 1;'), msg('string d = 1;'), false, false],
  ['fixed64 and double are different kinds', msg('fixed64 d = 1;'), msg('double d = 1;'), false, false],
  ['a field renamed under the same number is compatible', msg('string id = 1;'), msg('string order_id = 1;'), true, true],
  ['a field renumbered is a removal plus an addition: compatible, the old number is skipped as unknown', msg('string id = 1;'), msg('string id = 2;'), true, true],
  ['a field moved into an existing oneof is incompatible', msg('string a = 1; oneof pick { string b = 2; }'), msg('oneof pick { string a = 1; string b = 2; }'), false, true],
  ['a single field moved into a new oneof is compatible', msg('string a = 1;'), msg('oneof pick { string a = 1; }'), true, true],
  ['several fields moved into a new oneof are incompatible', msg('string a = 1; string b = 2;'), msg('oneof pick { string a = 1; string b = 2; }'), false, true],
  ['a message-typed field changing its message is incompatible', file('message A { string x = 1; } message B { string x = 1; } message Order { A item = 1; }'), file('message A { string x = 1; } message B { string x = 1; } message Order { B item = 1; }'), false, false],
  ['a message removed is incompatible backward', file('message Order { string id = 1; } message Line { int32 n = 1; }'), file('message Order { string id = 1; }'), false, true],
  ['repeated and singular numeric labels do not mix', msg('repeated int32 tags = 1;'), msg('int32 tags = 1;'), false, false],
  ['map values with the same wire type are compatible', msg('map<string, int32> counts = 1;'), msg('map<string, int64> counts = 1;'), true, true],
  ['map values with a different wire type are incompatible', msg('map<string, int32> counts = 1;'), msg('map<string, string> counts = 1;'), false, false],
  ['an enum field changed to int32 is compatible (both are varints)', file('enum Kind { A = 0; } message Order { Kind kind = 1; }'), msg('int32 kind = 1;'), true, true],
  ['a package change is incompatible', msg('string id = 1;'), file('message Order { string id = 1; }', 'other'), false, false],
  ['a proto2 required field added or removed is incompatible', file('message Order { optional string id = 1; }', 'acme', 'proto2'), file('message Order { optional string id = 1; required int32 qty = 2; }', 'acme', 'proto2'), false, false],
  ['a nested message gaining a field is compatible', file('message Order { message Line { int32 n = 1; } repeated Line lines = 1; }'), file('message Order { message Line { int32 n = 1; string sku = 2; } repeated Line lines = 1; }'), true, true],
];

describe(ProtobufFormat, () => {
  it('has at least 20 compatibility cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('%s', (_rule, oldSchema, newSchema, backward, forward) => {
    const oldParsed = proto.parse(oldSchema, []);
    const newParsed = proto.parse(newSchema, []);
    expect(proto.readerAccepts(newParsed, oldParsed)).toEqual(backward ? [] : expect.arrayContaining([expect.any(String)]));
    expect(proto.readerAccepts(oldParsed, newParsed)).toEqual(forward ? [] : expect.arrayContaining([expect.any(String)]));
  });

  it('lists messages depth-first with their Confluent message indexes', () => {
    const parsed = proto.parse(file('message A { message B { } message C { message D { } } } message E { }'), []);
    expect(parsed.messages.map((m) => [m.fullName, m.indexes])).toEqual([
      ['acme.A', [0]],
      ['acme.A.B', [0, 0]],
      ['acme.A.C', [0, 1]],
      ['acme.A.C.D', [0, 1, 0]],
      ['acme.E', [1]],
    ]);
  });

  it('resolves imports from references', () => {
    const common = file('message Money { int64 cents = 1; }', 'acme.common');
    const parsed = proto.parse('syntax = "proto3"; package acme; import "common.proto"; message Order { acme.common.Money total = 1; }', [
      { name: 'common.proto', subject: 'common', version: 1, schema: common },
    ]);
    expect(parsed.messages.map((m) => m.fullName)).toEqual(['acme.Order']);
  });

  it('rejects an import that no reference provides, and syntax errors, with SCHEMA_INVALID', () => {
    expect(() => proto.parse('syntax = "proto3"; import "missing.proto"; message A { }', [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    expect(() => proto.parse('message {', [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    expect(() => proto.parse('syntax = "proto3"; message A { Unknown u = 1; }', [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });
});
