import fc from 'fast-check';
import { ProtobufFormat } from './protobuf-format.js';
import type { ResolvedReference } from './schema-format.js';

// Compatibility verdicts that follow Confluent Schema Registry's Protobuf rules. Each row:
// [rule, old schema, new schema, new reads old (BACKWARD), old reads new (FORWARD)].
const proto = new ProtobufFormat();
const file = (body: string, pkg = 'acme', syntax = 'proto3') => `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`;
const msg = (fields: string) => file(`message Order {\n${fields}\n}`);
const proto2 = (fields: string) => file(`message Order {\n${fields}\n}`, 'acme', 'proto2');

type Case = [string, string, string, boolean, boolean];

const FIELD_CASES: Case[] = [
  ['a proto2 required field removed is incompatible', proto2('required string id = 1; optional int32 n = 2;'), proto2('optional int32 n = 2;'), false, false],
  ['a proto2 optional field removed is compatible', proto2('optional string id = 1; optional int32 n = 2;'), proto2('optional int32 n = 2;'), true, true],
  ['a field renumbered is a removal plus an addition, compatible both ways', msg('string id = 1;'), msg('string id = 2;'), true, true],
  ['a proto2 required field renumbered is incompatible', proto2('required string id = 1;'), proto2('required string id = 2;'), false, false],
  ['int32 changed to an enum is compatible both ways', file('enum Kind { A = 0; B = 1; } message Order { int32 kind = 1; }'), file('enum Kind { A = 0; B = 1; } message Order { Kind kind = 1; }'), true, true],
  ['an enum changed to another enum is compatible both ways', file('enum Kind { A = 0; } enum Sort { Z = 0; } message Order { Kind kind = 1; }'), file('enum Kind { A = 0; } enum Sort { Z = 0; } message Order { Sort kind = 1; }'), true, true],
  ['an enum changed to sint32 is incompatible', file('enum Kind { A = 0; } message Order { Kind kind = 1; }'), msg('sint32 kind = 1;'), false, false],
  ['a singular message made repeated is compatible both ways', file('message Line { int32 n = 1; } message Order { Line line = 1; }'), file('message Line { int32 n = 1; } message Order { repeated Line line = 1; }'), true, true],
  ['a singular string made repeated is compatible both ways', msg('string tag = 1;'), msg('repeated string tag = 1;'), true, true],
  ['a repeated bytes made singular is compatible both ways', msg('repeated bytes blob = 1;'), msg('bytes blob = 1;'), true, true],
  ['a singular int32 made repeated is incompatible', msg('int32 n = 1;'), msg('repeated int32 n = 1;'), false, false],
  ['a singular double made repeated is incompatible', msg('double d = 1;'), msg('repeated double d = 1;'), false, false],
];

const ONEOF_CASES: Case[] = [
  ['a field removed from a oneof is incompatible backward', msg('oneof pick { string a = 1; int32 b = 2; }'), msg('oneof pick { string a = 1; }'), false, true],
  ['a whole oneof removed is compatible both ways', msg('string id = 1; oneof pick { string a = 2; int32 b = 3; }'), msg('string id = 1;'), true, true],
  ['a oneof renamed with the same fields is compatible both ways', msg('oneof pick { string a = 1; int32 b = 2; }'), msg('oneof choice { string a = 1; int32 b = 2; }'), true, true],
  ['a oneof renamed while one of its fields is dropped is incompatible backward', msg('oneof pick { string a = 1; int32 b = 2; }'), msg('oneof choice { string a = 1; }'), false, true],
  ['a field moved out of a oneof is compatible backward', msg('oneof pick { string a = 1; int32 b = 2; }'), msg('string a = 1; oneof pick { int32 b = 2; }'), true, false],
  ['a field added to a oneof is compatible backward', msg('oneof pick { string a = 1; }'), msg('oneof pick { string a = 1; int32 b = 2; }'), true, false],
  ['a field changing kind inside a renamed oneof is incompatible', msg('oneof pick { string a = 1; }'), msg('oneof choice { int32 a = 1; }'), false, false],
];

const COMMON_V1 = file('message Money { int64 cents = 1; string currency = 2; }', 'acme.common');
const COMMON_V2 = file('message Money { string cents = 1; string currency = 2; }', 'acme.common');
const MONEY_RENAMED_PACKAGE = file('message Money { int64 cents = 1; string currency = 2; }', 'acme.money');
const ref = (name: string, schema: string, version = 1): ResolvedReference => ({ name, subject: name, version, schema });
const importing = (path: string, typeName: string) => `syntax = "proto3";\npackage acme;\nimport "${path}";\nmessage Order { ${typeName} total = 1; }\n`;

// [rule, old, old references, new, new references, backward, forward]
const IMPORT_CASES: [string, string, ResolvedReference[], string, ResolvedReference[], boolean, boolean][] = [
  ['a field type changed inside an imported file is incompatible', importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V2, 2)], false, false],
  ['an imported file whose package is renamed is compatible both ways', importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], importing('money.proto', 'acme.money.Money'), [ref('money.proto', MONEY_RENAMED_PACKAGE)], true, true],
  ['a type moved out of an import into the file is compatible backward', importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], file('message Order { Money total = 1; } message Money { int64 cents = 1; string currency = 2; }'), [], true, false],
  ['a type moved from the file into an import is incompatible backward', file('message Order { Money total = 1; } message Money { int64 cents = 1; string currency = 2; }'), [], importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], false, true],
  ['a field pointing at a differently named message stays incompatible', importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], file('message Order { Cash total = 1; } message Cash { int64 cents = 1; string currency = 2; }'), [], false, false],
];

function verdicts(oldSchema: string, newSchema: string, oldRefs: ResolvedReference[] = [], newRefs: ResolvedReference[] = []): { backward: string[]; forward: string[] } {
  const oldParsed = proto.parse(oldSchema, oldRefs);
  const newParsed = proto.parse(newSchema, newRefs);
  return { backward: proto.readerAccepts(newParsed, oldParsed), forward: proto.readerAccepts(oldParsed, newParsed) };
}

const asVerdict = ({ backward, forward }: { backward: string[]; forward: string[] }) => ({ backward: backward.length === 0, forward: forward.length === 0 });

describe(ProtobufFormat, () => {
  describe.each([
    ['fields, labels and numbers', FIELD_CASES],
    ['oneofs', ONEOF_CASES],
  ])('%s', (_group, cases) => {
    it.each(cases)('%s', (_rule, oldSchema, newSchema, backward, forward) => {
      expect(asVerdict(verdicts(oldSchema, newSchema))).toEqual({ backward, forward });
    });
  });

  describe('imports', () => {
    it.each(IMPORT_CASES)('%s', (_rule, oldSchema, oldRefs, newSchema, newRefs, backward, forward) => {
      expect(asVerdict(verdicts(oldSchema, newSchema, oldRefs, newRefs))).toEqual({ backward, forward });
    });
  });

  it('names the field and the change in its messages', () => {
    expect(verdicts(proto2('required string id = 1;'), proto2('optional int32 n = 2;')).backward.join('\n')).toMatch(/required field Order\.id \(1\) removed/);
    expect(verdicts(msg('oneof pick { string a = 1; int32 b = 2; }'), msg('oneof pick { string a = 1; }')).backward.join('\n')).toMatch(/Order\.b \(2\) removed from oneof pick/);
    const imported = verdicts(importing('common.proto', 'acme.common.Money'), importing('common.proto', 'acme.common.Money'), [ref('common.proto', COMMON_V1)], [ref('common.proto', COMMON_V2, 2)]);
    expect(imported.backward.join('\n')).toMatch(/Money\.cents \(1\) changed kind/);
  });

  describe('generated edits with a known verdict', () => {
    const SCALARS = ['int32', 'int64', 'uint32', 'bool', 'sint32', 'sint64', 'fixed32', 'sfixed32', 'fixed64', 'double', 'float', 'string', 'bytes'];
    const GROUP: Record<string, string> = {
      int32: 'varint', int64: 'varint', uint32: 'varint', bool: 'varint', sint32: 'zigzag', sint64: 'zigzag',
      fixed32: 'fixed32', sfixed32: 'fixed32', fixed64: 'fixed64', double: 'double', float: 'float', string: 'ld', bytes: 'ld',
    };
    interface Field { name: string; type: string; id: number }
    const fields = fc
      .uniqueArray(fc.record({ name: fc.stringMatching(/^f_[a-z0-9]{1,6}$/), type: fc.constantFrom(...SCALARS) }), { minLength: 2, maxLength: 8, selector: (f) => f.name })
      .chain((list) => fc.shuffledSubarray(Array.from({ length: 40 }, (_, i) => i + 1), { minLength: list.length, maxLength: list.length }).map((ids) => list.map((f, i) => ({ ...f, id: ids[i]! }))));
    const render = (list: readonly Field[], oneof?: { name: string; members: readonly string[] }) => {
      const top = list.filter((f) => !oneof?.members.includes(f.name)).map((f) => `  ${f.type} ${f.name} = ${f.id};`);
      const inOneof = list.filter((f) => oneof?.members.includes(f.name)).map((f) => `    ${f.type} ${f.name} = ${f.id};`);
      return msg([...top, ...(oneof ? [`  oneof ${oneof.name} {`, ...inOneof, '  }'] : [])].join('\n'));
    };

    type Edit = (list: Field[], pick: number) => [string, string, boolean, boolean] | undefined;
    const EDITS: Record<string, Edit> = {
      'rename a field': (list, k) => [render(list), render(list.map((f, i) => (i === k ? { ...f, name: `${f.name}_renamed` } : f))), true, true],
      'renumber a field to an unused number': (list, k) => [render(list), render(list.map((f, i) => (i === k ? { ...f, id: 100 } : f))), true, true],
      'reverse the declaration order': (list) => [render(list), render([...list].reverse()), true, true],
      'change a type within its wire group': (list, k) => {
        const type = SCALARS.find((t) => GROUP[t] === GROUP[list[k]!.type] && t !== list[k]!.type);
        return type === undefined ? undefined : [render(list), render(list.map((f, i) => (i === k ? { ...f, type } : f))), true, true];
      },
      'change a type to another wire group': (list, k) => {
        const type = SCALARS.find((t) => GROUP[t] !== GROUP[list[k]!.type])!;
        return [render(list), render(list.map((f, i) => (i === k ? { ...f, type } : f))), false, false];
      },
      'move two top-level fields into a new oneof': (list) =>
        [render(list), render(list, { name: 'choice', members: [list[0]!.name, list[1]!.name] }), false, true],
      'rename a oneof': (list) =>
        [render(list, { name: 'choice', members: [list[0]!.name, list[1]!.name] }), render(list, { name: 'pick', members: [list[0]!.name, list[1]!.name] }), true, true],
      'drop a field from a oneof': (list) =>
        [render(list, { name: 'choice', members: [list[0]!.name, list[1]!.name] }), render(list.slice(1), { name: 'choice', members: [list[1]!.name] }), false, true],
    };

    it.each(Object.keys(EDITS))('%s', (name) => {
      const edit = EDITS[name]!;
      fc.assert(
        fc.property(fields, fc.nat(), (list, index) => {
          const edited = edit(list, index % list.length);
          if (edited === undefined) return;
          const [oldSchema, newSchema, backward, forward] = edited;
          expect(asVerdict(verdicts(oldSchema, newSchema))).toEqual({ backward, forward });
        }),
        { numRuns: 40 },
      );
    });
  });
});
