import { LatencyWindow } from './latency-window.js';

describe(LatencyWindow, () => {
  it('reports nearest-rank percentiles of the samples in the window', () => {
    const window = new LatencyWindow(1000, 60_000);
    for (let i = 1; i <= 100; i += 1) window.record(i, 1000);
    expect(window.summary(1000)).toEqual({ count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('keeps only the newest samples when the ring buffer is full', () => {
    const window = new LatencyWindow(10, 60_000);
    for (let i = 1; i <= 25; i += 1) window.record(i, 1000);
    expect(window.summary(1000)).toMatchObject({ count: 10, maxMs: 25, p50Ms: 20 });
  });

  it('drops samples older than the maximum age', () => {
    const window = new LatencyWindow(10, 1000);
    window.record(500, 0);
    window.record(7, 1500);
    expect(window.summary(1600)).toMatchObject({ count: 1, maxMs: 7 });
    expect(window.summary(10_000)).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});
