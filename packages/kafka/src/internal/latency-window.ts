import type { ProtocolLatencySummary } from '@onex/spi-types';

/** A fixed-size ring of latency samples, so percentiles cost bounded memory. */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size = 1024) {
    this.#samples = new Float64Array(size);
  }

  /** Adds one sample in milliseconds, evicting the oldest when full. */
  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
  }

  /** Percentiles of the samples in the window. */
  summary(): ProtocolLatencySummary {
    if (this.#count === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = Array.from(this.#samples.subarray(0, this.#count)).sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { count: this.#count, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1]! };
  }
}
