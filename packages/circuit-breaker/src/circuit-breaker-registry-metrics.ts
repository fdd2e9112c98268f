/** The registry's own counters ({@link CircuitBreakerRegistry.registryMetrics}), for gauges and counters of an exporter. */
export interface CircuitBreakerRegistryMetrics {
  /** Circuits alive now (a gauge). */
  readonly circuits: number;
  /** Idle auto-created circuits evicted since the registry was created (a counter). */
  readonly evictedCircuits: number;
  /** Shared bucket timers running. */
  readonly activeTimers: number;
}
