/** Names of the `node:diagnostics_channel` channels the registry publishes to. */
export const CIRCUIT_BREAKER_CHANNELS = {
  /** Every state transition (`CircuitStateChangeEvent`). */
  stateChange: 'onex:circuit-breaker:state-change',
  /** Every call rejected without running (`CircuitRejectionEvent`). */
  rejection: 'onex:circuit-breaker:rejection',
  /** Every call counted as a failure (`CircuitFailureEvent`). */
  failure: 'onex:circuit-breaker:failure',
  /** A circuit was created (`{ circuitName }`). */
  created: 'onex:circuit-breaker:created',
  /** A circuit was removed (`{ circuitName }`), or evicted while idle (`{ circuitName, reason: 'evicted' }`). */
  removed: 'onex:circuit-breaker:removed',
} as const;
