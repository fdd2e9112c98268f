import fc from 'fast-check';
import { LatencyWindow } from './latency-window.js';

/** Nearest rank, computed the plain way: sort a copy, take the ceil(p·n)-th smallest. */
function oracle(samples: readonly number[]): { count: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number } {
  if (samples.length === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => Math.round(sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]! * 1000) / 1000;
  return { count: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: at(1) };
}

describe(LatencyWindow, () => {
  it('reports zeros before the first sample', () => {
    expect(new LatencyWindow({ capacity: 8 }).summary()).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('reports nearest-rank percentiles of 1..100', () => {
    const window = new LatencyWindow({ capacity: 1000 });
    for (let i = 100; i >= 1; i -= 1) window.record(i);
    expect(window.summary()).toEqual({ count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('agrees with a sorted-array oracle over the newest capacity samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 300 }),
        (capacity, samples) => {
          const window = new LatencyWindow({ capacity });
          for (const ms of samples) window.record(ms);
          expect(window.summary()).toEqual(oracle(samples.slice(Math.max(0, samples.length - capacity))));
        },
      ),
    );
  });

  it('keeps only the last capacity samples', () => {
    const window = new LatencyWindow({ capacity: 4 });
    for (const ms of [100, 100, 1, 2, 3, 4]) window.record(ms);
    expect(window.summary()).toEqual({ count: 4, p50Ms: 2, p95Ms: 4, p99Ms: 4, maxMs: 4 });
    window.clear();
    expect(window.summary().count).toBe(0);
  });

  it('rounds every figure to the microsecond', () => {
    const window = new LatencyWindow({ capacity: 4 });
    window.record(1.23456789);
    expect(window.summary()).toEqual({ count: 1, p50Ms: 1.235, p95Ms: 1.235, p99Ms: 1.235, maxMs: 1.235 });
  });

  it('stores 32-bit samples on request and still reports the microsecond', () => {
    const window = new LatencyWindow({ capacity: 4, float32: true });
    window.record(1.1);
    window.record(2.000_4);
    // A float32 holds 1.1 as 1.100000023841858: without rounding the summary would show that.
    expect(window.summary()).toEqual({ count: 2, p50Ms: 1.1, p95Ms: 2, p99Ms: 2, maxMs: 2 });
  });

  it('leaves samples older than maxAgeMs out of the summary', () => {
    let now = 0;
    const window = new LatencyWindow({ capacity: 10, maxAgeMs: 1000, now: () => now });
    window.record(500);
    now = 1500;
    window.record(7);
    now = 1600;
    expect(window.summary()).toMatchObject({ count: 1, maxMs: 7 });
    now = 10_000;
    expect(window.summary()).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('keeps every sample of the ring without an age bound (control of the age test)', () => {
    let now = 0;
    const window = new LatencyWindow({ capacity: 10, now: () => now });
    window.record(500);
    now = 1_000_000;
    expect(window.summary()).toMatchObject({ count: 1, maxMs: 500 });
  });

  it.each([[{ capacity: 0 }], [{ capacity: 1.5 }], [{ maxAgeMs: 0 }], [{ maxAgeMs: Number.NaN }]])('refuses %p', (options) => {
    expect(() => new LatencyWindow(options)).toThrow(RangeError);
  });
});
