import { JsonSchemaFormat } from './json-schema-format.js';

const json = new JsonSchemaFormat();
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => obj(properties, { additionalProperties: false, ...extra });
const S = { type: 'string' };
const I = { type: 'integer' };

// [rule, old, new, new reads old (BACKWARD), old reads new (FORWARD)]
const CASES: [string, unknown, unknown, boolean, boolean][] = [
  ['identical schemas are compatible both ways', obj({ a: S }), obj({ a: S }), true, true],
  ['an optional property added to a closed model is unknown to old closed readers', closed({ a: S }), closed({ a: S, b: S }), true, false],
  ['an optional property added to an open model may clash with old data', obj({ a: S }), obj({ a: S, b: S }), false, true],
  ['a property removed from an open model is still accepted by the new reader', obj({ a: S, b: S }), obj({ a: S }), true, false],
  ['a property removed from a closed model rejects old data', closed({ a: S, b: S }), closed({ a: S }), false, true],
  ['a required property added without default rejects old data', closed({ a: S, b: S }), closed({ a: S, b: S }, { required: ['b'] }), false, true],
  ['a required property added with a default is accepted', closed({ a: S, b: S }), closed({ a: S, b: { type: 'string', default: 'x' } }, { required: ['b'] }), true, true],
  ['a required property made optional breaks old readers', closed({ a: S }, { required: ['a'] }), closed({ a: S }), true, false],
  ['integer widened to number', obj({ n: I }), obj({ n: { type: 'number' } }), true, false],
  ['number narrowed to integer', obj({ n: { type: 'number' } }), obj({ n: I }), false, true],
  ['a type made nullable is widened', obj({ a: S }), obj({ a: { type: ['string', 'null'] } }), true, false],
  ['string changed to integer is incompatible', obj({ a: S }), obj({ a: I }), false, false],
  ['an enum value added widens', obj({ c: { enum: ['R', 'G'] } }), obj({ c: { enum: ['R', 'G', 'B'] } }), true, false],
  ['an enum value removed narrows', obj({ c: { enum: ['R', 'G', 'B'] } }), obj({ c: { enum: ['R', 'G'] } }), false, true],
  ['maxLength increased widens', obj({ a: { type: 'string', maxLength: 10 } }), obj({ a: { type: 'string', maxLength: 20 } }), true, false],
  ['maxLength decreased narrows', obj({ a: { type: 'string', maxLength: 20 } }), obj({ a: { type: 'string', maxLength: 10 } }), false, true],
  ['minimum increased narrows', obj({ n: { type: 'integer', minimum: 0 } }), obj({ n: { type: 'integer', minimum: 5 } }), false, true],
  ['minimum removed widens', obj({ n: { type: 'integer', minimum: 0 } }), obj({ n: I }), true, false],
  ['maxItems added narrows', obj({ l: { type: 'array', items: S } }), obj({ l: { type: 'array', items: S, maxItems: 3 } }), false, true],
  ['a pattern added narrows', obj({ a: S }), obj({ a: { type: 'string', pattern: '^[a-z]+$' } }), false, true],
  ['a closed model opened widens', closed({ a: S }), obj({ a: S }), true, false],
  ['an open model closed narrows', obj({ a: S }), closed({ a: S }), false, true],
  ['array items changed from string to number are incompatible', obj({ l: { type: 'array', items: S } }), obj({ l: { type: 'array', items: { type: 'number' } } }), false, false],
  ['an anyOf branch added widens', obj({ v: { anyOf: [S, I] } }), obj({ v: { anyOf: [S, I, { type: 'boolean' }] } }), true, false],
  ['a widening behind a $ref is found', { definitions: { n: I }, type: 'object', properties: { n: { $ref: '#/definitions/n' } } }, { definitions: { n: { type: 'number' } }, type: 'object', properties: { n: { $ref: '#/definitions/n' } } }, true, false],
  ['a 2020-12 tuple item changed is incompatible', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [S, I] }, { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [S, S] }, false, false],
  ['a const relaxed into an enum widens', obj({ k: { const: 'A' } }), obj({ k: { enum: ['A', 'B'] } }), true, false],
];

describe(JsonSchemaFormat, () => {
  it('has at least 20 compatibility cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('%s', (_rule, oldSchema, newSchema, backward, forward) => {
    const oldParsed = json.parse(JSON.stringify(oldSchema), []);
    const newParsed = json.parse(JSON.stringify(newSchema), []);
    expect(json.readerAccepts(newParsed, oldParsed)).toEqual(backward ? [] : expect.arrayContaining([expect.any(String)]));
    expect(json.readerAccepts(oldParsed, newParsed)).toEqual(forward ? [] : expect.arrayContaining([expect.any(String)]));
  });

  it('validates data with draft-07 and 2020-12 dialects', () => {
    const draft7 = json.parse(JSON.stringify(closed({ a: I }, { required: ['a'] })), []);
    expect(draft7.validate({ a: 1 })).toBe(true);
    expect(draft7.validate({ a: 'x' })).toBe(false);
    const d2020 = json.parse(JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [S], items: false }), []);
    expect(d2020.validate(['a'])).toBe(true);
    expect(d2020.validate(['a', 'b'])).toBe(false);
  });

  it('resolves $ref to a referenced schema by its reference name', () => {
    const address = closed({ city: S }, { required: ['city'] });
    const parsed = json.parse(JSON.stringify(obj({ home: { $ref: 'address.json' } })), [
      { name: 'address.json', subject: 'address', version: 1, schema: JSON.stringify(address) },
    ]);
    expect(parsed.validate({ home: { city: 'Oslo' } })).toBe(true);
    expect(parsed.validate({ home: { town: 'Oslo' } })).toBe(false);
  });

  it('rejects an invalid schema with SCHEMA_INVALID', () => {
    expect(() => json.parse('{"type": 12}', [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    expect(() => json.parse('not json', [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });

  it('rejects a deeply nested schema with SCHEMA_INVALID, not a stack overflow', () => {
    const format = new JsonSchemaFormat();
    for (const text of ['['.repeat(20_000) + ']'.repeat(20_000), '{"items":'.repeat(20_000) + '{}' + '}'.repeat(20_000)]) {
      expect(() => format.parse(text, [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    }
  });

  it('gives one canonical form regardless of key order', () => {
    expect(json.canonical(json.parse('{"type":"object","title":"T"}', []))).toBe(json.canonical(json.parse('{ "title": "T", "type": "object" }', [])));
  });
});
