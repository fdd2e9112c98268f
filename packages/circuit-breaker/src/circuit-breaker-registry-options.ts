import type { CircuitBreakerConfig } from './circuit-breaker-config.js';

/** Options of {@link CircuitBreakerRegistry}. */
export interface CircuitBreakerRegistryOptions {
  /** Config of circuits created on first use; `configureCircuitBreaker` fields override it per circuit. @default the SPI defaults (5 failures, 60 s open, 1 success) */
  readonly defaults?: CircuitBreakerConfig;
  /** Entries kept in each circuit's transition log (oldest dropped first). @default 100 */
  readonly transitionLogSize?: number;
  /** Latency samples kept per circuit for p50/p95/p99 (4 bytes each, allocated on a circuit's first call). @default 512 */
  readonly latencyWindowSize?: number;
  /**
   * Seconds without a call after which a circuit that calls created on demand (not configured, not forced)
   * is evicted, if it is closed with nothing in flight; `0` never evicts. Idle circuits are swept when a
   * new circuit is created on demand (no timer), so the number of circuits stays bounded by the names
   * used recently, e.g. one per request origin in `@onex/http`. @default 300
   */
  readonly idleCircuitTtlSeconds?: number;
}
