import fc from 'fast-check';
import { backoffDelay } from './backoff-delay.js';

describe(backoffDelay, () => {
  it('doubles from the initial delay without jitter', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { initialDelayMs: 100 }))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(0, { initialDelayMs: 100 })).toBe(100);
  });

  it('caps the exponential delay at maxDelayMs', () => {
    expect(backoffDelay(30, { initialDelayMs: 100, maxDelayMs: 5000 })).toBe(5000);
    expect(backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 5000 })).toBe(400);
  });

  it('draws full jitter in [0, base] and equal jitter in [base/2, base]', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000 } as const;
    expect(backoffDelay(2, { ...options, jitter: 'full', random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { ...options, jitter: 'full', random: () => 0.5 })).toBe(100);
    expect(backoffDelay(2, { ...options, jitter: 'equal', random: () => 0 })).toBe(100);
    expect(backoffDelay(2, { ...options, jitter: 'equal', random: () => 0.5 })).toBe(150);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const base = Math.min(1000, 100 * 2 ** (attempt - 1));
        const full = backoffDelay(attempt, { ...options, jitter: 'full', random: () => r });
        const equal = backoffDelay(attempt, { ...options, jitter: 'equal', random: () => r });
        expect(full).toBeGreaterThanOrEqual(0);
        expect(full).toBeLessThanOrEqual(base);
        expect(equal).toBeGreaterThanOrEqual(base / 2);
        expect(equal).toBeLessThanOrEqual(base);
      }),
    );
  });

  it('never waits less than retryAfterMs, whatever the jitter and the cap', () => {
    expect(backoffDelay(1, { initialDelayMs: 100, maxDelayMs: 1000, jitter: 'full', random: () => 0, retryAfterMs: 3000 })).toBe(3000);
    // Control: the same draw without the floor is shorter.
    expect(backoffDelay(1, { initialDelayMs: 100, maxDelayMs: 1000, jitter: 'full', random: () => 0 })).toBe(0);
    // A floor below the backoff changes nothing.
    expect(backoffDelay(3, { initialDelayMs: 100, retryAfterMs: 50 })).toBe(400);
  });
});
