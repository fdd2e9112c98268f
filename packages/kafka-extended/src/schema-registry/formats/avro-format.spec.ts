import { AvroFormat } from './avro-format.js';

const avro = new AvroFormat();
const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'record', name: 'User', namespace: 'acme', fields, ...extra });
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });
const one = (type: unknown) => rec([field('v', type)]);
const enumOf = (symbols: string[], extra: Record<string, unknown> = {}) => one({ type: 'enum', name: 'Color', symbols, ...extra });

// [rule, old (writer of existing data), new, new reads old (BACKWARD), old reads new (FORWARD)]
const CASES: [string, unknown, unknown, boolean, boolean][] = [
  ['identical records resolve both ways', rec([field('a', 'int')]), rec([field('a', 'int')]), true, true],
  ['a field added with a default is filled from the default', rec([field('a', 'int')]), rec([field('a', 'int'), field('b', 'string', { default: '' })]), true, true],
  ['a field added without default cannot be filled', rec([field('a', 'int')]), rec([field('a', 'int'), field('b', 'string')]), false, true],
  ['a field removed that had a default is ignored by the new reader', rec([field('a', 'int'), field('b', 'int', { default: 0 })]), rec([field('a', 'int')]), true, true],
  ['a field removed without default breaks old readers', rec([field('a', 'int'), field('b', 'int')]), rec([field('a', 'int')]), true, false],
  ['int is promotable to long', one('int'), one('long'), true, false],
  ['int is promotable to float', one('int'), one('float'), true, false],
  ['int is promotable to double', one('int'), one('double'), true, false],
  ['long is promotable to float', one('long'), one('float'), true, false],
  ['long is promotable to double', one('long'), one('double'), true, false],
  ['float is promotable to double', one('float'), one('double'), true, false],
  ['string and bytes are promotable to each other', one('string'), one('bytes'), true, true],
  ['long is not demotable to int', one('long'), one('int'), false, true],
  ['string and int do not match', one('string'), one('int'), false, false],
  ['boolean and int do not match', one('boolean'), one('int'), false, false],
  ['an enum symbol added is unknown to old readers', enumOf(['RED', 'GREEN']), enumOf(['RED', 'GREEN', 'BLUE']), true, false],
  ['an enum symbol removed is unknown to the new reader', enumOf(['RED', 'GREEN', 'BLUE']), enumOf(['RED', 'GREEN']), false, true],
  ['an enum default absorbs a removed symbol', enumOf(['RED', 'GREEN', 'BLUE']), enumOf(['RED', 'GREEN'], { default: 'RED' }), true, true],
  ['enum symbols may be reordered', enumOf(['RED', 'GREEN']), enumOf(['GREEN', 'RED']), true, true],
  ['enum names must match', one({ type: 'enum', name: 'Color', symbols: ['A'] }), one({ type: 'enum', name: 'Shade', symbols: ['A'] }), false, false],
  ['fixed sizes must match', one({ type: 'fixed', name: 'Hash', size: 16 }), one({ type: 'fixed', name: 'Hash', size: 32 }), false, false],
  ['fixed names must match', one({ type: 'fixed', name: 'Hash', size: 16 }), one({ type: 'fixed', name: 'Digest', size: 16 }), false, false],
  ['fixed is not promotable to bytes', one({ type: 'fixed', name: 'Hash', size: 16 }), one('bytes'), false, false],
  ['record names must match without alias', rec([field('a', 'int')]), rec([field('a', 'int')], { name: 'Person' }), false, false],
  ['a reader alias matches the old record name', rec([field('a', 'int')]), rec([field('a', 'int')], { name: 'Person', aliases: ['User'] }), true, false],
  ['names are compared without namespace', rec([field('a', 'int')]), rec([field('a', 'int')], { namespace: 'other.ns' }), true, true],
  ['a field alias matches the old field name', rec([field('name', 'string')]), rec([field('fullName', 'string', { aliases: ['name'] })]), true, false],
  ['fields may be reordered', rec([field('a', 'int'), field('b', 'string')]), rec([field('b', 'string'), field('a', 'int')]), true, true],
  ['array items are resolved recursively', one({ type: 'array', items: 'int' }), one({ type: 'array', items: 'long' }), true, false],
  ['map values are resolved recursively', one({ type: 'map', values: 'int' }), one({ type: 'map', values: 'long' }), true, false],
  ['an array does not match a map', one({ type: 'array', items: 'int' }), one({ type: 'map', values: 'int' }), false, false],
  ['a union branch added is unknown to old readers', one(['null', 'string']), one(['null', 'string', 'int']), true, false],
  ['a union branch removed is unknown to the new reader', one(['null', 'string', 'int']), one(['null', 'string']), false, true],
  ['a reader union reads a non-union writer through a matching branch', one('string'), one(['null', 'string']), true, false],
  ['a non-union reader cannot read every branch of a union', one(['null', 'string']), one('string'), false, true],
  ['a field made nullable with a null default is backward compatible', one('int'), rec([field('v', ['null', 'int'], { default: null })]), true, false],
  ['a nested record gains a defaulted field', one(rec([field('x', 'int')], { name: 'Inner' })), one(rec([field('x', 'int'), field('y', 'int', { default: 1 })], { name: 'Inner' })), true, true],
  ['recursive schemas resolve', { type: 'record', name: 'Node', fields: [field('next', ['null', 'Node'])] }, { type: 'record', name: 'Node', fields: [field('next', ['null', 'Node'])] }, true, true],
  ['top-level primitive promotion follows the same rules', 'int', 'long', true, false],
  ['an empty union is a schema whose (absent) data any reader reads', one([]), one(['null', 'int']), true, false],
  ['an empty union reads no data', one('int'), one([]), false, true],
  ['a reader alias without namespace is qualified with the reader namespace', { ...rec([field('a', 'int')]), name: 'Old', namespace: 'other' }, { ...rec([field('a', 'int')]), name: 'New', namespace: 'ns', aliases: ['Old'] }, false, false],
  ['a reader alias with the writer full name matches', { ...rec([field('a', 'int')]), name: 'Old', namespace: 'other' }, { ...rec([field('a', 'int')]), name: 'New', namespace: 'ns', aliases: ['other.Old'] }, true, false],
  ['an enum alias is qualified the same way', enumOf(['A']), one({ type: 'enum', name: 'Shade', namespace: 'x', symbols: ['A'], aliases: ['Color'] }), false, false],
];

describe(AvroFormat, () => {
  it('has at least 30 resolution cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('%s', (_rule, oldSchema, newSchema, backward, forward) => {
    const oldParsed = avro.parse(JSON.stringify(oldSchema), []);
    const newParsed = avro.parse(JSON.stringify(newSchema), []);
    expect(avro.readerAccepts(newParsed, oldParsed).length === 0).toBe(backward);
    expect(avro.readerAccepts(oldParsed, newParsed).length === 0).toBe(forward);
  });

  it('gives one canonical form to schemas that differ only in key order and whitespace', () => {
    const a = avro.parse('{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}', []);
    const b = avro.parse('{ "fields": [ { "type": "int", "name": "x" } ], "name": "A", "type": "record" }', []);
    expect(avro.canonical(a)).toBe(avro.canonical(b));
  });

  it('keeps defaults in the canonical form so schemas differing only by a default stay distinct', () => {
    const a = avro.parse(JSON.stringify(rec([field('x', 'int', { default: 1 })])), []);
    const b = avro.parse(JSON.stringify(rec([field('x', 'int', { default: 2 })])), []);
    expect(avro.canonical(a)).not.toBe(avro.canonical(b));
  });

  it('resolves named types from references', () => {
    const address = { type: 'record', name: 'Address', namespace: 'acme', fields: [field('city', 'string')] };
    const parsed = avro.parse(JSON.stringify(rec([field('home', 'acme.Address')])), [
      { name: 'acme.Address', subject: 'address', version: 1, schema: JSON.stringify(address) },
    ]);
    expect(parsed.type.toBuffer({ home: { city: 'Oslo' } }).length).toBeGreaterThan(0);
  });

  it('rejects a schema with an unknown type with SCHEMA_INVALID', () => {
    expect(() => avro.parse(JSON.stringify(one('acme.Missing')), [])).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });

  it('reports the record name used by record-name strategies', () => {
    expect(avro.recordName(avro.parse(JSON.stringify(rec([field('a', 'int')])), []))).toBe('acme.User');
  });
});
