import type { LiteralCircuitState } from '@onex/spi-types';

/** Payload of the `stateChange` event and of the `onex:circuit-breaker:state-change` channel. */
export interface CircuitStateChangeEvent {
  /** The circuit that changed. */
  readonly circuitName: string;
  /** Previous state. */
  readonly from: LiteralCircuitState;
  /** New state. */
  readonly to: LiteralCircuitState;
  /** When the transition took effect, epoch ms (for a lazy open → half-open: when the open period ended). */
  readonly at: number;
  /** Why: `failure_threshold`, `error_percentage`, `timeout_elapsed`, `success_threshold`, `half_open_failure`, `half_open_timeout`, `forced_open`, `forced_closed` or `reset`. */
  readonly reason: CircuitTransitionReason;
  /** Whether the new state is forced (sticky until reset). */
  readonly forced: boolean;
}

/** Why a circuit changed state. */
export type CircuitTransitionReason =
  | 'failure_threshold'
  | 'error_percentage'
  | 'timeout_elapsed'
  | 'success_threshold'
  | 'half_open_failure'
  | 'half_open_timeout'
  | 'forced_open'
  | 'forced_closed'
  | 'reset';

/** Payload of the `rejection` event and of the `onex:circuit-breaker:rejection` channel. */
export interface CircuitRejectionEvent {
  /** The circuit that rejected the call. */
  readonly circuitName: string;
  /** The state that rejected it. */
  readonly state: LiteralCircuitState;
  /** The error the caller received (`CIRCUIT_OPEN` or `CIRCUIT_HALF_OPEN_FULL`). */
  readonly error: Error;
}

/** Payload of the `failure` event and of the `onex:circuit-breaker:failure` channel. */
export interface CircuitFailureEvent {
  /** The circuit the call ran through. */
  readonly circuitName: string;
  /** `error`, `timeout`, `slow` (a slow call that succeeded) or `result` (a value `isFailureResult` counted). */
  readonly kind: 'error' | 'timeout' | 'slow' | 'result';
  /** The error (for `slow` and `result`, undefined). */
  readonly error: unknown;
  /** For `result`: the value the caller got back. */
  readonly result?: unknown;
  /** Duration of the call in ms. */
  readonly durationMs: number;
}

/** Events of {@link CircuitBreakerRegistry}, by name. */
export interface CircuitBreakerEvents {
  /** A circuit changed state (every entry of the transition log). */
  stateChange: CircuitStateChangeEvent;
  /** A call was rejected without running. */
  rejection: CircuitRejectionEvent;
  /** A call counted as a failure. */
  failure: CircuitFailureEvent;
}
