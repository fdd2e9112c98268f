import fc from 'fast-check';
import { JsonSchemaFormat } from './json-schema-format.js';

// Compatibility verdicts that follow Confluent Schema Registry's JSON Schema rules (its default, strict
// policy). Each row: [rule, old schema, new schema, new reads old (BACKWARD), old reads new (FORWARD)].
const json = new JsonSchemaFormat();
const D2019 = 'https://json-schema.org/draft/2019-09/schema';
const D2020 = 'https://json-schema.org/draft/2020-12/schema';
const S = { type: 'string' };
const I = { type: 'integer' };
const N = { type: 'number' };
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => obj(properties, { additionalProperties: false, ...extra });
const at = (schema: unknown) => ({ type: 'object', properties: { v: schema } });

type Case = [string, unknown, unknown, boolean, boolean];

const NOT_CASES: Case[] = [
  ['a `not` that excludes more is incompatible backward', at({ not: S }), at({ not: { type: ['string', 'number'] } }), false, true],
  ['a `not` that excludes less is compatible backward', at({ not: { type: ['string', 'null'] } }), at({ not: { type: 'null' } }), true, false],
  ['a `not` that changes what it excludes is incompatible both ways', at({ not: S }), at({ not: I }), false, false],
  ['a `not` added next to a type is incompatible backward', at({ type: 'string' }), at({ type: 'string', not: { const: '' } }), false, true],
  ['an unchanged `not` is compatible', at({ not: { enum: ['x'] } }), at({ not: { enum: ['x'] } }), true, true],
];

const DEPENDENCY_CASES: Case[] = [
  ['a dependencies array added is incompatible backward', obj({ a: S, b: S }), obj({ a: S, b: S }, { dependencies: { a: ['b'] } }), false, true],
  ['a dependencies array extended is incompatible backward', obj({ a: S, b: S, c: S }, { dependencies: { a: ['b'] } }), obj({ a: S, b: S, c: S }, { dependencies: { a: ['b', 'c'] } }), false, true],
  ['a dependencies array moved to another property is incompatible both ways', obj({ a: S, b: S }, { dependencies: { a: ['b'] } }), obj({ a: S, b: S }, { dependencies: { b: ['a'] } }), false, false],
  ['a dependencies schema changed is incompatible', obj({ a: S }, { dependencies: { a: { properties: { n: I } } } }), obj({ a: S }, { dependencies: { a: { properties: { n: S } } } }), false, false],
  ['a dependencies schema widened is compatible backward', obj({ a: S }, { dependencies: { a: { properties: { n: I } } } }), obj({ a: S }, { dependencies: { a: { properties: { n: N } } } }), true, false],
  ['a 2019-09 dependentRequired added is incompatible backward', obj({ a: S, b: S }, { $schema: D2019 }), obj({ a: S, b: S }, { $schema: D2019, dependentRequired: { a: ['b'] } }), false, true],
  ['a 2019-09 dependentRequired narrowed is compatible backward', obj({ a: S, b: S, c: S }, { $schema: D2019, dependentRequired: { a: ['b', 'c'] } }), obj({ a: S, b: S, c: S }, { $schema: D2019, dependentRequired: { a: ['c'] } }), true, false],
  ['a 2020-12 dependentSchemas added is incompatible backward', obj({ a: S }, { $schema: D2020 }), obj({ a: S }, { $schema: D2020, dependentSchemas: { a: { required: ['b'] } } }), false, true],
  ['a 2020-12 dependentSchemas keyed on another property is incompatible both ways', obj({ a: S, b: S }, { $schema: D2020, dependentSchemas: { a: { maxProperties: 3 } } }), obj({ a: S, b: S }, { $schema: D2020, dependentSchemas: { b: { maxProperties: 3 } } }), false, false],
];

const ADDITIONAL_ITEMS_CASES: Case[] = [
  ['additionalItems false added is incompatible backward, even next to a single items schema', at({ type: 'array', items: S }), at({ type: 'array', items: S, additionalItems: false }), false, true],
  ['an additionalItems schema changed is incompatible', at({ type: 'array', additionalItems: S }), at({ type: 'array', additionalItems: I }), false, false],
  ['an additionalItems schema widened is compatible backward', at({ type: 'array', additionalItems: I }), at({ type: 'array', additionalItems: N }), true, false],
  ['a tuple item removed and covered by additionalItems is compatible both ways', at({ type: 'array', items: [S, I, S], additionalItems: S }), at({ type: 'array', items: [S, I], additionalItems: S }), true, true],
  ['a 2020-12 prefix item removed and not covered by unevaluatedItems is incompatible backward', { $schema: D2020, type: 'array', prefixItems: [S, I, I], unevaluatedItems: S }, { $schema: D2020, type: 'array', prefixItems: [S, I], unevaluatedItems: S }, false, false],
  ['a 2020-12 prefix item removed and covered by unevaluatedItems is compatible backward', { $schema: D2020, type: 'array', prefixItems: [S, I, S], unevaluatedItems: S }, { $schema: D2020, type: 'array', prefixItems: [S, I], unevaluatedItems: S }, true, true],
  ['a 2020-12 prefix item added and covered by unevaluatedItems is compatible both ways', { $schema: D2020, type: 'array', prefixItems: [S, I], unevaluatedItems: S }, { $schema: D2020, type: 'array', prefixItems: [S, I, S], unevaluatedItems: S }, true, true],
  ['a 2020-12 unevaluatedItems false added is incompatible backward', { $schema: D2020, type: 'array', prefixItems: [S] }, { $schema: D2020, type: 'array', prefixItems: [S], unevaluatedItems: false }, false, true],
];

const COMBINATOR_CASES: Case[] = [
  ['allOf branches reordered is compatible both ways', at({ allOf: [S, { maxLength: 8 }] }), at({ allOf: [{ maxLength: 8 }, S] }), true, true],
  ['anyOf branches reordered is compatible both ways', at({ anyOf: [S, I, { type: 'boolean' }] }), at({ anyOf: [{ type: 'boolean' }, S, I] }), true, true],
  ['oneOf branches reordered is compatible both ways', at({ oneOf: [S, I] }), at({ oneOf: [I, S] }), true, true],
  ['a duplicate allOf branch dropped is compatible both ways', at({ allOf: [S, S] }), at({ allOf: [S] }), true, true],
  ['a duplicate anyOf branch added is compatible both ways', at({ anyOf: [S, I] }), at({ anyOf: [S, I, S] }), true, true],
  ['an allOf branch added is incompatible backward', at({ allOf: [S] }), at({ allOf: [S, { maxLength: 4 }] }), false, true],
  ['an allOf branch dropped is compatible backward', at({ allOf: [S, { maxLength: 4 }] }), at({ allOf: [S] }), true, false],
  ['allOf changed to anyOf over the same branches is compatible backward', at({ allOf: [S, { minLength: 1 }] }), at({ anyOf: [S, { minLength: 1 }] }), true, false],
  ['allOf changed to anyOf with fewer branches is compatible backward', at({ allOf: [I, { minimum: 0 }] }), at({ anyOf: [I] }), true, false],
  ['allOf changed to a one-branch oneOf is compatible backward', at({ allOf: [I, { minimum: 0 }] }), at({ oneOf: [I] }), true, false],
  ['a one-branch allOf changed to a wider oneOf is compatible backward', at({ allOf: [I] }), at({ oneOf: [I, S] }), true, false],
  ['allOf changed to a several-branch oneOf is incompatible', at({ allOf: [I, { minimum: 0 }] }), at({ oneOf: [I, { minimum: 0 }] }), false, false],
  ['anyOf changed to a several-branch oneOf is incompatible backward', at({ anyOf: [S, I] }), at({ oneOf: [S, I] }), false, true],
  ['an enum widened inside a reordered allOf is compatible backward', at({ allOf: [S, { enum: ['red'] }] }), at({ allOf: [{ enum: ['red', 'blue'] }, S] }), true, false],
  ['an enum changed inside an allOf is incompatible', at({ allOf: [S, { enum: ['red'] }] }), at({ allOf: [S, { enum: ['blue'] }] }), false, false],
  ['a type changed inside a reordered allOf is incompatible', at({ allOf: [{ maxLength: 5 }, S] }), at({ allOf: [N, { maxLength: 5 }] }), false, false],
  ['an enum of strings is not read as a number', at({ allOf: [{ enum: ['a', 'b'] }] }), at({ allOf: [N] }), false, false],
];

const OBJECT_CASES: Case[] = [
  ['a required name with no properties entry is not checked (required swapped)', obj({ id: S }, { required: ['id'] }), obj({ id: S }, { required: ['uuid'] }), true, false],
  ['a declared property made required without default stays incompatible', obj({ id: S, name: S }, { required: ['id'] }), obj({ id: S, name: S }, { required: ['name'] }), false, false],
  ['a `false` property removed from a closed model is compatible backward', closed({ a: S, legacy: false }), closed({ a: S }), true, true],
  ['an optional property added to a model closed by unevaluatedProperties is compatible backward', obj({ a: S }, { $schema: D2020, unevaluatedProperties: false }), obj({ a: S, b: N }, { $schema: D2020, unevaluatedProperties: false }), true, false],
  ['a property added and covered by unevaluatedProperties is compatible both ways', obj({ a: S }, { $schema: D2020, unevaluatedProperties: S }), obj({ a: S, b: S }, { $schema: D2020, unevaluatedProperties: S }), true, true],
  ['a property added and not covered by unevaluatedProperties is incompatible backward', obj({ a: S }, { $schema: D2020, unevaluatedProperties: S }), obj({ a: S, b: N }, { $schema: D2020, unevaluatedProperties: S }), false, false],
  ['unevaluatedProperties false removed is compatible backward', obj({ a: S }, { $schema: D2020, unevaluatedProperties: false }), obj({ a: S }, { $schema: D2020 }), true, false],
  ['unevaluatedProperties false added to an open model is incompatible backward', obj({ a: S }, { $schema: D2020 }), obj({ a: S }, { $schema: D2020, unevaluatedProperties: false }), false, true],
];

function verdicts(oldSchema: unknown, newSchema: unknown): { backward: string[]; forward: string[] } {
  const oldParsed = json.parse(JSON.stringify(oldSchema), []);
  const newParsed = json.parse(JSON.stringify(newSchema), []);
  return { backward: json.readerAccepts(newParsed, oldParsed), forward: json.readerAccepts(oldParsed, newParsed) };
}

describe(JsonSchemaFormat, () => {
  describe.each([
    ['`not`', NOT_CASES],
    ['dependencies, dependentRequired, dependentSchemas', DEPENDENCY_CASES],
    ['additionalItems, prefixItems and unevaluatedItems', ADDITIONAL_ITEMS_CASES],
    ['allOf, anyOf, oneOf', COMBINATOR_CASES],
    ['required, closed models and unevaluatedProperties', OBJECT_CASES],
  ])('%s', (_group, cases) => {
    it.each(cases)('%s', (_rule, oldSchema, newSchema, backward, forward) => {
      const result = verdicts(oldSchema, newSchema);
      expect({ backward: result.backward.length === 0, forward: result.forward.length === 0 }).toEqual({ backward, forward });
    });
  });

  it('names what changed in every incompatibility message', () => {
    expect(verdicts(at({ not: S }), at({ not: I })).backward.join('\n')).toMatch(/not/);
    expect(verdicts(obj({ a: S, b: S }), obj({ a: S, b: S }, { dependencies: { a: ['b'] } })).backward.join('\n')).toMatch(/dependenc/);
    expect(verdicts(at({ type: 'array', additionalItems: S }), at({ type: 'array', additionalItems: I })).backward.join('\n')).toMatch(/additionalItems/);
  });

  describe('generated edits with a known verdict', () => {
    const scalar = fc.constantFrom<Record<string, unknown>>(
      { type: 'string' },
      { type: 'string', maxLength: 16 },
      { type: 'integer', minimum: 0 },
      { type: 'boolean' },
      { enum: ['a', 'b', 'c'] },
    );
    const base = fc
      .record({
        names: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 2, maxLength: 6 }),
        isClosed: fc.boolean(),
        seed: fc.array(scalar, { minLength: 6, maxLength: 6 }),
      })
      .map(({ names, isClosed, seed }) => ({
        properties: Object.fromEntries(names.map((name, i) => [name, seed[i % seed.length]!])),
        isClosed,
      }));
    const build = (properties: Record<string, unknown>, isClosed: boolean, extra: Record<string, unknown> = {}) =>
      ({ type: 'object', properties, ...(isClosed ? { additionalProperties: false } : {}), ...extra });

    // Each edit returns [old, new, backward, forward] with the verdict known by construction.
    type Edit = (p: Record<string, Record<string, unknown>>, isClosed: boolean, pick: string) => [unknown, unknown, boolean, boolean];
    const EDITS: Record<string, Edit> = {
      'wrap a property in allOf and reorder its branches': (p, c, k) => {
        const branches = Object.entries(p[k]!).map(([key, value]) => ({ [key]: value }));
        return [build({ ...p, [k]: { allOf: branches } }, c), build({ ...p, [k]: { allOf: [...branches].reverse() } }, c), true, true];
      },
      'reorder and duplicate anyOf branches': (p, c, k) =>
        [build({ ...p, [k]: { anyOf: [p[k], { type: 'null' }] } }, c), build({ ...p, [k]: { anyOf: [{ type: 'null' }, p[k], { type: 'null' }] } }, c), true, true],
      'widen a property into an anyOf with null': (p, c, k) => [build(p, c), build({ ...p, [k]: { anyOf: [p[k], { type: 'null' }] } }, c), true, false],
      'exclude more values with `not`': (p, c, k) =>
        [build({ ...p, [k]: { ...p[k], not: { const: 'x' } } }, c), build({ ...p, [k]: { ...p[k], not: { enum: ['x', 'y'] } } }, c), false, true],
      'add a dependentRequired entry': (p, c, k) => {
        const other = Object.keys(p).find((name) => name !== k)!;
        return [build(p, c), build(p, c, { dependencies: { [k]: [other] } }), false, true];
      },
      'change a property to an unrelated type': (p, c, k) => [build(p, c), build({ ...p, [k]: { type: 'array', items: { type: 'number' } } }, c), false, false],
      'reverse the declaration order of properties': (p, c) => [build(p, c), build(Object.fromEntries(Object.entries(p).reverse()), c), true, true],
    };

    it.each(Object.keys(EDITS))('%s', (name) => {
      const edit = EDITS[name]!;
      fc.assert(
        fc.property(base, fc.nat(), ({ properties, isClosed }, index) => {
          const names = Object.keys(properties);
          const pick = names[index % names.length]!;
          const [oldSchema, newSchema, backward, forward] = edit(properties as Record<string, Record<string, unknown>>, isClosed, pick);
          const result = verdicts(oldSchema, newSchema);
          expect({ backward: result.backward, forward: result.forward }).toEqual({
            backward: backward ? [] : expect.arrayContaining([expect.any(String)]),
            forward: forward ? [] : expect.arrayContaining([expect.any(String)]),
          });
        }),
        { numRuns: 25 },
      );
    });
  });
});
