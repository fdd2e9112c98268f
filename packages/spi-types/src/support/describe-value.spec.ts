import { describeValue } from './describe-value.js';

describe('describeValue', () => {
  it.each([
    ['abc', '"abc"'],
    ['x'.repeat(61), JSON.stringify(`${'x'.repeat(60)}…`)],
    [12.5, '12.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n'],
    [[1, 2, 3], 'an array of length 3'],
    [new Uint8Array(4), '4 bytes'],
    [{ secret: 'p' }, 'an object'],
    [() => 1, 'a function'],
    [Symbol('s'), 'Symbol(s)'],
  ])('renders %p as %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});
