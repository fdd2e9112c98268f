import avro from 'avsc';
import { AvroCursor } from './avro-cursor.js';

const USER = avro.Type.forSchema({
  type: 'record',
  name: 'User',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
});
const VALUE = { id: 42, name: 'Ada', email: 'ada@example.com', tags: ['x', 'y'] };

describe(AvroCursor, () => {
  it('uses the reused avsc cursor with the installed avsc', () => {
    // If an avsc upgrade drops the internals, this fails instead of silently going slower.
    expect(new AvroCursor().fast).toBe(true);
    expect(new AvroCursor(false).fast).toBe(false);
  });

  describe.each([
    ['reused cursor', true],
    ['public API', false],
  ])('through the %s', (_label, fast) => {
    const cursor = new AvroCursor(fast);

    it('writes the bytes toBuffer writes, at an offset, and reads them back', () => {
      const target = Buffer.alloc(64, 0xee);
      const end = cursor.write(USER, VALUE, target, 7);
      const plain = USER.toBuffer(VALUE);
      expect(end).toBe(7 + plain.length);
      expect(target.subarray(7, end).equals(plain)).toBe(true);
      expect(target[6]).toBe(0xee);
      expect(cursor.read(USER, undefined, target.subarray(0, end), 7)).toEqual(VALUE);
      expect(cursor.end).toBe(end);
    });

    it('returns minus the missing byte count when the target is too small', () => {
      const plain = USER.toBuffer(VALUE);
      expect(cursor.write(USER, VALUE, Buffer.alloc(10), 2)).toBe(10 - (2 + plain.length));
    });

    it('reports a truncated read through end, and a resolver reads into the reader type', () => {
      const plain = USER.toBuffer(VALUE);
      cursor.read(USER, undefined, plain.subarray(0, plain.length - 2), 0);
      expect(cursor.end).toBeGreaterThan(plain.length - 2);
      const reader = avro.Type.forSchema({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int', default: 7 }] });
      expect(cursor.read(reader, reader.createResolver(USER), plain, 0)).toEqual({ name: 'Ada', age: 7 });
      expect(cursor.end).toBe(plain.length);
    });
  });
});
