import type { ProtocolLatencySummary } from '@onex/spi-types';

/** Latency samples over a bounded ring, summarised as percentiles on demand. */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size = 2048) {
    this.#samples = new Float64Array(size);
  }

  /** Adds one sample in ms. */
  record(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count += 1;
  }

  /** Percentiles of the samples in the window. */
  summary(): ProtocolLatencySummary {
    if (this.#count === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.#samples.slice(0, this.#count).sort();
    const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
    return { count: this.#count, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: round(sorted[sorted.length - 1] ?? 0) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
