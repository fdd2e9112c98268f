import type { ProtocolLatencySummary } from '../common.js';
import { describeValue } from './describe-value.js';

/** Options of a {@link LatencyWindow}. */
export interface LatencyWindowOptions {
  /** Samples kept: the newest `capacity` ones, in a ring buffer. @default 1024 */
  readonly capacity?: number;
  /**
   * Samples older than this (by `now`) are left out of the summary. @default Infinity (a sample stays until
   * the ring overwrites it)
   */
  readonly maxAgeMs?: number;
  /** Clock read when a sample is recorded and when the window is summarised, only with a finite `maxAgeMs`. @default Date.now */
  readonly now?: () => number;
  /**
   * Keep samples as 32-bit floats (4 bytes each instead of 8), for windows kept by the thousand; about 7
   * significant digits survive, which is below the microsecond only for samples under 10 s. @default false
   */
  readonly float32?: boolean;
}

const EMPTY: ProtocolLatencySummary = Object.freeze({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });

/**
 * Latency samples (ms) over a bounded sliding window: the newest `capacity` samples, optionally only those
 * younger than `maxAgeMs`. Recording is O(1) and allocation-free; the buffer is allocated on the first sample
 * so an idle window costs nothing. `summary()` reports nearest-rank percentiles (the smallest sample with at
 * least p % of the samples at or below it) and the maximum, each rounded to the microsecond (3 decimals of a
 * millisecond), so every package reports the same p99 for the same data.
 */
export class LatencyWindow {
  readonly #capacity: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #float32: boolean;
  #samples: Float64Array | Float32Array | undefined;
  #times: Float64Array | undefined;
  #next = 0;
  #count = 0;

  /** @throws RangeError when `capacity` is not a positive safe integer or `maxAgeMs` is not a positive number */
  constructor(options: LatencyWindowOptions = {}) {
    const { capacity = 1024, maxAgeMs = Number.POSITIVE_INFINITY, now = Date.now, float32 = false } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${describeValue(capacity)}`);
    if (typeof maxAgeMs !== 'number' || Number.isNaN(maxAgeMs) || maxAgeMs <= 0) {
      throw new RangeError(`maxAgeMs must be a positive number, got ${describeValue(maxAgeMs)}`);
    }
    this.#capacity = capacity;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
    this.#float32 = float32;
  }

  /** Samples the window holds at most. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Records one sample in ms, replacing the oldest when the window is full. */
  record(ms: number): void {
    const samples = (this.#samples ??= this.#float32 ? new Float32Array(this.#capacity) : new Float64Array(this.#capacity));
    samples[this.#next] = ms;
    if (this.#maxAgeMs !== Number.POSITIVE_INFINITY) (this.#times ??= new Float64Array(this.#capacity))[this.#next] = this.#now();
    this.#next = this.#next + 1 === this.#capacity ? 0 : this.#next + 1;
    if (this.#count < this.#capacity) this.#count += 1;
  }

  /** Nearest-rank p50/p95/p99 and the maximum of the samples in the window, in ms rounded to the microsecond. */
  summary(): ProtocolLatencySummary {
    const samples = this.#samples;
    if (this.#count === 0 || samples === undefined) return EMPTY;
    let live: Float64Array | Float32Array;
    if (this.#times === undefined) {
      live = samples.slice(0, this.#count);
    } else {
      const cutoff = this.#now() - this.#maxAgeMs;
      live = samples.slice(0, this.#count);
      let kept = 0;
      for (let i = 0; i < this.#count; i += 1) {
        if ((this.#times[i] ?? 0) >= cutoff) live[kept++] = samples[i] ?? 0;
      }
      if (kept === 0) return EMPTY;
      live = live.subarray(0, kept);
    }
    live.sort();
    const n = live.length;
    const rank = (p: number): number => roundToMicros(live[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] ?? 0);
    return { count: n, p50Ms: rank(0.5), p95Ms: rank(0.95), p99Ms: rank(0.99), maxMs: roundToMicros(live[n - 1] ?? 0) };
  }

  /** Drops every sample and frees the buffer. */
  clear(): void {
    this.#samples = undefined;
    this.#times = undefined;
    this.#next = 0;
    this.#count = 0;
  }
}

function roundToMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
