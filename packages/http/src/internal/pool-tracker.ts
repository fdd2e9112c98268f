import type { ProtocolConnectionPoolStats, ProtocolPoolCounters } from '@onex/spi-types';
import { Pool, type Dispatcher } from 'undici';

type Counters = { -readonly [K in keyof ProtocolPoolCounters]: number };

const zero = (): Counters => ({ connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 });

/**
 * Creates undici pools for an Agent (its `factory`) and remembers them, so pool counters and
 * connection events can be reported per origin even behind a proxy agent.
 */
export class PoolTracker {
  readonly #pools = new Map<Pool, string>();
  #connects = 0;
  #disconnects = 0;
  #connectionErrors = 0;

  /** The `factory` to hand to undici's Agent/ProxyAgent/EnvHttpProxyAgent. */
  readonly factory = (origin: string | URL, options: object): Dispatcher => {
    const pool = new Pool(origin, options as Pool.Options);
    pool.on('connect', () => {
      this.#connects += 1;
    });
    pool.on('disconnect', () => {
      this.#disconnects += 1;
    });
    pool.on('connectionError', () => {
      this.#connectionErrors += 1;
    });
    this.#pools.set(pool, new URL(String(origin)).origin);
    return pool;
  };

  /** Totals and per-origin counters; pools undici closed and that hold nothing are forgotten. */
  snapshot(): ProtocolConnectionPoolStats {
    const origins: Record<string, Counters> = {};
    const totals = zero();
    for (const [pool, origin] of this.#pools) {
      const stats = pool.stats;
      if ((pool.closed || pool.destroyed) && stats.connected === 0 && stats.size === 0) {
        this.#pools.delete(pool);
        continue;
      }
      const entry = (origins[origin] ??= zero());
      for (const key of Object.keys(totals) as (keyof Counters)[]) {
        entry[key] += stats[key];
        totals[key] += stats[key];
      }
    }
    return {
      totals: { ...totals, connects: this.#connects, disconnects: this.#disconnects, connectionErrors: this.#connectionErrors },
      origins,
    };
  }
}
