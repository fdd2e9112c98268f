import type { ProtocolLatencySummary } from '@onex/spi-types';

const EMPTY: ProtocolLatencySummary = { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };

/**
 * The last `capacity` latency samples in a ring buffer: O(1) to record, sorted only when read, and
 * allocated on the first sample so idle circuits cost nothing.
 */
export class LatencyWindow {
  private samples: Float32Array | undefined;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {}

  /** Records one sample in ms. */
  record(ms: number): void {
    const samples = (this.samples ??= new Float32Array(this.capacity));
    samples[this.next] = ms;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** Percentiles (nearest rank) of the samples in the window. */
  summary(): ProtocolLatencySummary {
    if (this.count === 0 || this.samples === undefined) return EMPTY;
    const sorted = this.samples.slice(0, this.count).sort();
    const rank = (p: number): number => round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0);
    return {
      count: this.count,
      p50Ms: rank(0.5),
      p95Ms: rank(0.95),
      p99Ms: rank(0.99),
      maxMs: round(sorted[sorted.length - 1] ?? 0),
    };
  }

  /** Drops every sample and frees the buffer. */
  clear(): void {
    this.samples = undefined;
    this.next = 0;
    this.count = 0;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
