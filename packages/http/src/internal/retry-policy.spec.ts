import fc from 'fast-check';
import { computeRetryDelay, normalizeRetryPolicy, parseRetryAfter } from './retry-policy.js';

describe(computeRetryDelay, () => {
  const arbitraryPolicy = fc.record({
    maxRetries: fc.nat(10),
    backoffFactor: fc.double({ min: 0, max: 100, noNaN: true }),
    retryOnStatusCodes: fc.constant([503]),
    maxDelaySeconds: fc.double({ min: 0, max: 120, noNaN: true }),
    jitter: fc.constantFrom('none' as const, 'full' as const, 'equal' as const),
  });

  it('keeps jittered backoff within its documented bounds and under the cap', () => {
    fc.assert(
      fc.property(arbitraryPolicy, fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (raw, retry, r) => {
        const policy = normalizeRetryPolicy(raw);
        const base = Math.min(policy.maxDelayMs, raw.backoffFactor * 1000 * 2 ** (retry - 1));
        const delay = computeRetryDelay(policy, retry, undefined, () => r);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs + 1e-9);
        expect(delay).toBeGreaterThanOrEqual(0);
        if (raw.jitter === 'none') expect(delay).toBe(base);
        if (raw.jitter === 'full') expect(delay).toBeLessThanOrEqual(base);
        if (raw.jitter === 'equal') {
          expect(delay).toBeGreaterThanOrEqual(base / 2);
          expect(delay).toBeLessThanOrEqual(base);
        }
      }),
    );
  });

  it('waits a Retry-After exactly: neither jitter nor maxDelaySeconds ever shortens it', () => {
    fc.assert(
      fc.property(arbitraryPolicy, fc.integer({ min: 1, max: 20 }), fc.nat(600_000), fc.double({ min: 0, max: 0.999999, noNaN: true }), (raw, retry, retryAfterMs, r) => {
        const policy = normalizeRetryPolicy(raw);
        expect(computeRetryDelay(policy, retry, retryAfterMs, () => r)).toBe(retryAfterMs);
      }),
    );
  });

  it('limits Retry-After waits to maxRetryAfterSeconds, which defaults to maxDelaySeconds', () => {
    const base = { maxRetries: 1, backoffFactor: 1, retryOnStatusCodes: [503] };
    expect(normalizeRetryPolicy(base).maxRetryAfterMs).toBe(30_000);
    expect(normalizeRetryPolicy({ ...base, maxDelaySeconds: 5 }).maxRetryAfterMs).toBe(5_000);
    expect(normalizeRetryPolicy({ ...base, maxDelaySeconds: 5, maxRetryAfterSeconds: 120 })).toMatchObject({ maxDelayMs: 5_000, maxRetryAfterMs: 120_000 });
  });

  it('ignores Retry-After when respectRetryAfter is false', () => {
    const policy = normalizeRetryPolicy({ maxRetries: 1, backoffFactor: 1, retryOnStatusCodes: [503], jitter: 'none', respectRetryAfter: false });
    expect(computeRetryDelay(policy, 1, 9000, Math.random)).toBe(1000);
  });
});

describe(parseRetryAfter, () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['Tue, 01 Jan 2030 00:00:10 GMT', 10_000],
    ['Tuesday, 01-Jan-30 00:00:10 GMT', 10_000],
    ['Tue Jan  1 00:00:10 2030', 10_000],
    ['Mon, 31 Dec 2029 23:59:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2030-01-01T00:00:10Z', undefined],
  ])('parses %p as %p ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe(normalizeRetryPolicy, () => {
  it.each([
    [{ maxRetries: 1.5 }, '`retry.maxRetries` must be a non-negative integer, got 1.5'],
    [{ backoffFactor: Number.NaN }, '`retry.backoffFactor` must be a non-negative finite number, got NaN'],
    [{ retryOnStatusCodes: [99] }, '`retry.retryOnStatusCodes` must be status codes between 100 and 599, got 99'],
    [{ maxDelaySeconds: -2 }, '`retry.maxDelaySeconds` must be a non-negative finite number of seconds at most 2147483.647, got -2'],
    [{ maxDelaySeconds: 1e10 }, '`retry.maxDelaySeconds` must be a non-negative finite number of seconds at most 2147483.647, got 10000000000'],
    [{ jitter: 'random' }, '`retry.jitter` must be one of "none", "full", "equal", got "random"'],
    [{ retryOnErrorCodes: [''] }, '`retry.retryOnErrorCodes` must be an array of non-empty strings, got an array of length 1'],
    [{ retryMethods: 'GET' }, '`retry.retryMethods` must be an array of method names, got "GET"'],
    [{ respectRetryAfter: 'yes' }, '`retry.respectRetryAfter` must be a boolean, got "yes"'],
    [{ maxRetryAfterSeconds: -1 }, '`retry.maxRetryAfterSeconds` must be a non-negative finite number of seconds at most 2147483.647, got -1'],
    [{ maxRetryAfterSeconds: 1e10 }, '`retry.maxRetryAfterSeconds` must be a non-negative finite number of seconds at most 2147483.647, got 10000000000'],
  ])('rejects %p', (patch, message) => {
    const policy = { maxRetries: 1, backoffFactor: 1, retryOnStatusCodes: [503], ...patch } as never;
    expect(() => normalizeRetryPolicy(policy)).toThrow(expect.objectContaining({ code: 'HTTP_INVALID_OPTION', message }));
  });
});
