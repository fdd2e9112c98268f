import type { ProtocolLatencySummary } from '@onex/spi-types';

/** A fixed-size ring of latency samples with percentile snapshots. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private size = 0;
  private next = 0;

  constructor(capacity = 1024) {
    this.samples = new Float64Array(capacity);
  }

  /** Adds one sample in ms. */
  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.size < this.samples.length) this.size++;
  }

  /** Percentiles of the samples currently in the window. */
  summary(): ProtocolLatencySummary {
    if (this.size === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.samples.slice(0, this.size).sort();
    const at = (q: number): number => round(sorted[Math.min(this.size - 1, Math.max(0, Math.ceil(q * this.size) - 1))] ?? 0);
    return { count: this.size, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: round(sorted[this.size - 1] ?? 0) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
