import { EventEmitter } from 'node:events';

interface Ticker {
  readonly emitter: EventEmitter;
  readonly timer: NodeJS.Timeout;
  users: number;
}

/**
 * One shared timer per bucket length that rotates the rolling windows of every opossum instance
 * (opossum's `rotateBucketController`), instead of one interval per circuit; a timer stops when
 * its last circuit lets go.
 */
export class BucketRotation {
  private readonly tickers = new Map<number, Ticker>();

  /** Returns the emitter rotating buckets of `bucketMs`, starting its timer when it is the first user. */
  acquire(bucketMs: number): EventEmitter {
    let ticker = this.tickers.get(bucketMs);
    if (ticker === undefined) {
      const emitter = new EventEmitter();
      emitter.setMaxListeners(0);
      const timer = setInterval(() => emitter.emit('rotate'), bucketMs);
      timer.unref();
      ticker = { emitter, timer, users: 0 };
      this.tickers.set(bucketMs, ticker);
    }
    ticker.users++;
    return ticker.emitter;
  }

  /** Gives back one use of `bucketMs`; the last release stops its timer. */
  release(bucketMs: number): void {
    const ticker = this.tickers.get(bucketMs);
    if (ticker === undefined) return;
    if (--ticker.users === 0) {
      clearInterval(ticker.timer);
      this.tickers.delete(bucketMs);
    }
  }

  /** Number of timers running (one per distinct bucket length in use). */
  get activeTimers(): number {
    return this.tickers.size;
  }

  /** Stops every timer. */
  stopAll(): void {
    for (const ticker of this.tickers.values()) clearInterval(ticker.timer);
    this.tickers.clear();
  }
}
