import { LatencyWindow } from './latency-window.js';

describe(LatencyWindow, () => {
  it('reports zeros before the first sample and allocates nothing', () => {
    const window = new LatencyWindow(8);
    expect(window.summary()).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('keeps only the last capacity samples, by nearest rank', () => {
    const window = new LatencyWindow(4);
    for (const ms of [100, 100, 1, 2, 3, 4]) window.record(ms);
    expect(window.summary()).toEqual({ count: 4, p50Ms: 2, p95Ms: 4, p99Ms: 4, maxMs: 4 });
    window.clear();
    expect(window.summary().count).toBe(0);
  });
});
