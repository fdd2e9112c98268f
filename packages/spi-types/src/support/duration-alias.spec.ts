import { readDurationOption } from './duration-alias.js';
import { optionMessage } from './option-checks.js';

const fail = (option: string, expectation: string, value: unknown): Error => new RangeError(optionMessage(option, expectation, value));

describe('readDurationOption', () => {
  it('reads the …Ms name at 1 ms per unit', () => {
    expect(readDurationOption({ headersTimeoutMs: 250 }, 'headersTimeoutMs', 'headersTimeoutSeconds', fail)).toEqual({
      option: 'headersTimeoutMs',
      value: 250,
      msPerUnit: 1,
    });
  });

  it('reads the deprecated …Seconds alias at 1000 ms per unit, named as given', () => {
    expect(readDurationOption({ headersTimeoutSeconds: 0.25 }, 'headersTimeoutMs', 'headersTimeoutSeconds', fail, 'retry.')).toEqual({
      option: 'retry.headersTimeoutSeconds',
      value: 0.25,
      msPerUnit: 1000,
    });
  });

  it('returns undefined when neither name is given', () => {
    expect(readDurationOption({}, 'aMs', 'aSeconds', fail)).toBeUndefined();
  });

  it('refuses both names together, naming both', () => {
    expect(() => readDurationOption({ aMs: 5, aSeconds: 1 }, 'aMs', 'aSeconds', fail, 'x.')).toThrow(
      new RangeError('`x.aMs` must be given alone, not together with its deprecated alias `x.aSeconds`, got 5'),
    );
  });
});
