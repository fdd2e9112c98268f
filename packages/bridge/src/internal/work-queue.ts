/**
 * Runs tasks with bounded concurrency, optionally one at a time per key (in arrival order), and
 * reports how many tasks are waiting or running so callers can shed load.
 */
export class WorkQueue {
  readonly #concurrency: number;
  #running = 0;
  #pending = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #tails = new Map<string, Promise<void>>();
  #idle: (() => void)[] = [];

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  /** Tasks accepted and not finished (waiting for a key, waiting for a slot, or running). */
  get size(): number {
    return this.#pending;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Runs `task` when a slot is free and, with a key, after every earlier task of the same key. */
  async run<T>(key: string | null, task: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    try {
      if (key === null) return await this.#slot(task);
      const previous = this.#tails.get(key);
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous ? previous.then(() => mine) : mine;
      this.#tails.set(key, tail);
      try {
        if (previous) await previous;
        return await this.#slot(task);
      } finally {
        release();
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      }
    } finally {
      this.#pending -= 1;
      if (this.#pending === 0) {
        const idle = this.#idle;
        this.#idle = [];
        for (const resolve of idle) resolve();
      }
    }
  }

  /** Resolves when no task is pending. */
  onIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #slot<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#running += 1;
    try {
      return await task();
    } finally {
      this.#running -= 1;
      this.#waiters.shift()?.();
    }
  }
}
