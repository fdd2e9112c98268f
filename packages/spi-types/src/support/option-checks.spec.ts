import { OptionChecks, optionMessage } from './option-checks.js';

class TestOptionError extends Error {
  constructor(
    readonly option: string,
    readonly expectation: string,
    readonly value: unknown,
  ) {
    super(optionMessage(option, expectation, value));
  }
}

const check = new OptionChecks((option, expectation, value) => new TestOptionError(option, expectation, value));

function failure(run: () => unknown): TestOptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof TestOptionError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe(OptionChecks, () => {
  it('words every failure as "`option` must be expectation, got value" with the shared renderer', () => {
    expect(failure(() => check.integer('retries', -1, { min: 0 })).message).toBe('`retries` must be a non-negative integer, got -1');
    expect(failure(() => check.integer('size', { a: 1 }, { min: 1 })).message).toBe('`size` must be a positive integer, got an object');
    expect(failure(() => check.string('id', '')).message).toBe('`id` must be a non-empty string, got ""');
  });

  it.each([
    ['an integer below min', () => check.integer('n', 0, { min: 1 }), 'a positive integer'],
    ['an integer above max', () => check.integer('n', 11, { min: 1, max: 10 }), 'an integer from 1 to 10'],
    ['a fraction', () => check.integer('n', 1.5, { min: 2 }), 'an integer >= 2'],
    ['an unsafe integer', () => check.integer('n', 2 ** 60), 'an integer'],
    ['a string for an integer', () => check.integer('n', '3'), 'an integer'],
    ['zero for a positive number', () => check.number('n', 0, { min: 0, minExclusive: true }), 'a positive number'],
    ['a negative number', () => check.number('n', -1, { min: 0 }), 'a non-negative number'],
    ['Infinity', () => check.number('n', Number.POSITIVE_INFINITY), 'a finite number'],
    ['a number above max', () => check.number('n', 2, { min: 0, max: 1 }), 'a number >= 0 and <= 1'],
    ['a custom expectation', () => check.number('n', -1, { min: 0, expectation: 'a number of seconds' }), 'a number of seconds'],
    ['a string for a boolean', () => check.boolean('b', 'yes'), 'a boolean'],
    ['a blank string', () => check.string('s', '  '), 'a non-empty string'],
    ['a value outside a list', () => check.oneOf('j', 'half', ['none', 'full']), 'one of "none", "full"'],
    ['a non-function', () => check.function('f', 1), 'a function'],
  ])('refuses %s', (_name, run, expectation) => {
    const error = failure(run);
    expect(error.expectation).toBe(expectation);
    expect(error.option).toMatch(/^[nbsjf]$/);
  });

  it('returns accepted values unchanged and the fallback only for undefined', () => {
    expect(check.integer('n', 5, { min: 1, fallback: 3 })).toBe(5);
    expect(check.integer('n', 2 ** 60, { min: 1, max: Number.POSITIVE_INFINITY })).toBe(2 ** 60);
    expect(check.integer('n', undefined, { min: 1, fallback: 3 })).toBe(3);
    expect(check.number('n', 0.25, { min: 0 })).toBe(0.25);
    expect(check.boolean('b', false, true)).toBe(false);
    expect(check.boolean('b', undefined, true)).toBe(true);
    expect(check.string('s', undefined, 'x')).toBe('x');
    expect(check.oneOf('j', 'full', ['none', 'full'] as const)).toBe('full');
    const fn = (): number => 1;
    expect(check.function('f', fn)).toBe(fn);
    // Control: without a fallback, undefined is refused.
    expect(failure(() => check.integer('n', undefined, { min: 1 })).value).toBeUndefined();
    expect(failure(() => check.boolean('b', undefined)).message).toBe('`b` must be a boolean, got undefined');
  });

  it('hands the package the error its factory builds', () => {
    expect(check.fail('x', 'a thing', 1)).toBeInstanceOf(TestOptionError);
  });
});
