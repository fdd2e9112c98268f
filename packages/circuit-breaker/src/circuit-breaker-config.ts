import type { ProtocolCircuitBreakerConfig } from '@onex/spi-types';

/** The SPI's circuit configuration plus the options this implementation adds. */
export interface CircuitBreakerConfig extends ProtocolCircuitBreakerConfig {
  /**
   * Longest a half-open trial may run before it counts as a failure (the circuit reopens and the trial's
   * slot is freed; its caller still gets its own outcome, which the circuit then ignores), in seconds.
   * Without it, a trial that never settles would keep the circuit half-open forever (resilience4j's
   * `maxWaitDurationInHalfOpenState`). @default 60
   */
  readonly halfOpenTrialTimeoutSeconds?: number;
}
