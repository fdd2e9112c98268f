/**
 * Runs tasks with bounded concurrency, optionally one at a time per key (in arrival order), and
 * reports how many tasks are waiting or running so callers can shed load.
 *
 * A finishing task hands its slot straight to the oldest waiter, so a task arriving in between can
 * never take it first and the running count never exceeds the limit. An unkeyed task that finds a
 * free slot starts at once, without waiting for a microtask.
 */
export class WorkQueue {
  readonly #concurrency: number;
  #running = 0;
  #pending = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #tails = new Map<string, Promise<void>>();
  #idle: (() => void)[] = [];
  #room: { readonly below: number; readonly resolve: () => void }[] = [];

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
  run<T>(key: string | null, task: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    if (key === null && this.#running < this.#concurrency) {
      // The common case, a free slot: one settle step releases the slot and counts the task done.
      this.#running += 1;
      return afterSettling(call(task), () => {
        this.#release();
        this.#settled();
      });
    }
    return afterSettling(key === null ? this.#inSlot(task) : this.#afterKey(key, task), () => this.#settled());
  }

  /** Resolves when no task is pending. */
  onIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Resolves once fewer than `limit` tasks are pending (at once when that is already so). */
  whenBelow(limit: number): Promise<void> {
    if (this.#pending < limit) return Promise.resolve();
    return new Promise((resolve) => this.#room.push({ below: limit, resolve }));
  }

  /** Runs `task` in a slot: now when one is free, else when a finishing task hands its slot over. */
  #inSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#concurrency) {
      this.#running += 1;
      return this.#invoke(task);
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() => this.#invoke(task));
  }

  /** Calls `task` in the slot already taken, and passes the slot on when it settles. */
  #invoke<T>(task: () => Promise<T>): Promise<T> {
    return afterSettling(call(task), () => this.#release());
  }

  async #afterKey<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.#tails.set(key, tail);
    try {
      if (previous) await previous;
      return await this.#inSlot(task);
    } finally {
      done();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#running -= 1;
  }

  #settled(): void {
    this.#pending -= 1;
    if (this.#room.length > 0) {
      const waiting = this.#room;
      this.#room = [];
      for (const waiter of waiting) {
        if (this.#pending < waiter.below) waiter.resolve();
        else this.#room.push(waiter);
      }
    }
    if (this.#pending === 0 && this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}

/** `task()`, with a synchronous throw turned into a rejection. */
function call<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `promise`, after running `effect` once it settles either way (`finally` would add a promise for the callback's result). */
function afterSettling<T>(promise: Promise<T>, effect: () => void): Promise<T> {
  return promise.then(
    (value) => {
      effect();
      return value;
    },
    (error: unknown) => {
      effect();
      throw error;
    },
  );
}
