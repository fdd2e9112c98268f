import type { ProtocolLatencySummary } from '@onex/spi-types';

/**
 * Latency samples over a sliding window bounded both by count (a ring buffer) and by age, so
 * memory stays constant however many calls are made.
 */
export class LatencyWindow {
  readonly #values: Float64Array;
  readonly #times: Float64Array;
  readonly #maxAgeMs: number;
  #next = 0;
  #size = 0;

  constructor(capacity: number, maxAgeMs: number) {
    this.#values = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
    this.#maxAgeMs = maxAgeMs;
  }

  /** Adds a sample (ms) taken at `now` (epoch ms). */
  record(valueMs: number, now: number): void {
    this.#values[this.#next] = valueMs;
    this.#times[this.#next] = now;
    this.#next = (this.#next + 1) % this.#values.length;
    if (this.#size < this.#values.length) this.#size += 1;
  }

  /** Percentiles (nearest-rank) of the samples younger than the maximum age. */
  summary(now: number): ProtocolLatencySummary {
    const cutoff = now - this.#maxAgeMs;
    const live: number[] = [];
    for (let i = 0; i < this.#size; i += 1) {
      if ((this.#times[i] ?? 0) >= cutoff) live.push(this.#values[i] ?? 0);
    }
    if (live.length === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    live.sort((a, b) => a - b);
    const rank = (p: number): number => live[Math.min(live.length - 1, Math.max(0, Math.ceil(p * live.length) - 1))] ?? 0;
    return { count: live.length, p50Ms: rank(0.5), p95Ms: rank(0.95), p99Ms: rank(0.99), maxMs: live[live.length - 1] ?? 0 };
  }
}
