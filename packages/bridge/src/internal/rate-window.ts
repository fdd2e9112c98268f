/** Counts events in one-second buckets over the last minute. */
export class RateWindow {
  readonly #buckets = new Float64Array(60);
  readonly #stamps = new Float64Array(60);
  readonly #startedAt: number;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#startedAt = now();
  }

  /** Counts `n` events now. */
  add(n = 1): void {
    const second = Math.floor(this.#now() / 1000);
    const slot = second % 60;
    if (this.#stamps[slot] !== second) {
      this.#stamps[slot] = second;
      this.#buckets[slot] = 0;
    }
    this.#buckets[slot] = (this.#buckets[slot] ?? 0) + n;
  }

  /** Events per second over the last minute (or since creation when younger). */
  perSecond(): number {
    const now = this.#now();
    const second = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i += 1) {
      if (second - (this.#stamps[i] ?? 0) < 60) total += this.#buckets[i] ?? 0;
    }
    const span = Math.min(60, Math.max(1, (now - this.#startedAt) / 1000));
    return Math.round((total / span) * 100) / 100;
  }
}
