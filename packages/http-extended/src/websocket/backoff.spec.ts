import fc from 'fast-check';
import { reconnectDelay } from './backoff.js';

describe(reconnectDelay, () => {
  it('stays within [base/2, base] of the capped exponential delay for any attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelayMs, extra, r) => {
          const settings = { maxAttempts: 100, initialDelayMs, maxDelayMs: initialDelayMs + extra };
          const base = Math.min(settings.maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
          const delay = reconnectDelay(attempt, settings, () => r);
          return delay >= Math.floor(base / 2) && delay <= Math.ceil(base) && delay <= settings.maxDelayMs;
        },
      ),
    );
  });

  it('waits whole milliseconds', () => {
    const settings = { maxAttempts: 10, initialDelayMs: 3, maxDelayMs: 1000 };
    // The shared backoffDelay gives 2.2 here; a reconnect timer gets a whole number.
    expect(reconnectDelay(1, settings, () => 0.4666)).toBe(2);
  });

  it('doubles the ceiling per attempt until the cap', () => {
    const settings = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(a, settings, () => 1 - Number.EPSILON))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => reconnectDelay(a, settings, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
