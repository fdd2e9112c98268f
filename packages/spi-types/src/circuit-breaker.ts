import type { LiteralCircuitState, ProtocolLatencySummary } from './common.js';

/** The seed's `ProtocolCircuitBreakerConfig`. */
export interface ProtocolCircuitBreakerConfig {
  /** Consecutive failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** Time open before half-open, in seconds. @default 60 */
  readonly timeoutSeconds?: number;
  /** Consecutive successes in half-open that close the circuit. @default 1 */
  readonly successThreshold?: number;
  /** Per-call timeout in seconds (0 or absent: none). */
  readonly callTimeoutSeconds?: number;
  /** Trial calls allowed at once in half-open; others are rejected. @default 1 */
  readonly halfOpenMaxConcurrent?: number;
  /** Percentage mode: open when the error % over the rolling window exceeds this (opossum's mode, strict `>`). */
  readonly errorThresholdPercentage?: number;
  /** Rolling window length for percentage mode, in seconds. @default 10 */
  readonly rollingWindowSeconds?: number;
  /** Minimum calls in the window before percentage mode may open. @default 10 */
  readonly volumeThreshold?: number;
  /** Calls slower than this (seconds) count as failures. */
  readonly slowCallDurationSeconds?: number;
  /** Decides whether an error counts as a failure (`CircuitBreakerFailure` always does). @default every error */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Decides whether a value the operation resolved with counts as a failure (resilience4j's
   * `recordResult`); the caller still gets the value unchanged. A call's own
   * {@link ProtocolExecuteOptions.isFailureResult} takes its place for that call. Extends the seed.
   * @default no result counts
   */
  readonly isFailureResult?: (result: unknown) => boolean;
}

/** One state transition of a circuit. */
export interface ProtocolCircuitTransition {
  /** Previous state. */
  readonly from: LiteralCircuitState;
  /** New state. */
  readonly to: LiteralCircuitState;
  /** When, epoch ms. */
  readonly at: number;
  /** Why (`failure_threshold`, `timeout_elapsed`, `success_threshold`, `half_open_failure`, `forced`, `reset`, …). */
  readonly reason: string;
}

/** The seed's `ProtocolCircuitBreakerMetrics`. */
export interface ProtocolCircuitBreakerMetrics {
  /** Circuit name. */
  readonly circuitName: string;
  /** Current state. */
  readonly state: LiteralCircuitState;
  /** Whether the state is forced (sticky until reset). */
  readonly forced: boolean;
  /** Calls attempted, rejections included. */
  readonly totalCalls: number;
  /** Successful calls. */
  readonly successCount: number;
  /** Failed calls (timeouts and slow calls included). */
  readonly failureCount: number;
  /** Calls that timed out. */
  readonly timeoutCount: number;
  /** Calls rejected without running (open, or half-open full). */
  readonly rejectionCount: number;
  /** Calls slower than the slow-call threshold. */
  readonly slowCallCount: number;
  /** Errors the `isFailure` predicate excused (the caller got the error; the circuit counted a success). */
  readonly ignoredErrorCount?: number;
  /** Current run of failures. */
  readonly consecutiveFailures: number;
  /** Current run of successes. */
  readonly consecutiveSuccesses: number;
  /** Number of state transitions so far. */
  readonly stateTransitions: number;
  /** Recent transitions, oldest first (bounded). */
  readonly transitionLog: readonly ProtocolCircuitTransition[];
  /** Latency of executed calls over a window. */
  readonly latency: ProtocolLatencySummary;
  /** The last failure. */
  readonly lastFailure?: { readonly at: number; readonly message: string; readonly code?: string };
  /** When the circuit may next try a call (open state), epoch ms. */
  readonly nextAttemptAt?: number;
  /** Calls and failures in the current rolling window of the current period (percentage mode reads this). */
  readonly rollingWindow?: {
    /** Executed calls in the window. */
    readonly calls: number;
    /** Calls counted as failures in the window. */
    readonly failures: number;
    /** `failures / calls * 100` (0 with no calls). */
    readonly errorPercentage: number;
  };
}

/** Options of {@link ProtocolCircuitBreaker.executeWithCircuitBreaker}. */
export interface ProtocolExecuteOptions<T = unknown> {
  /** Per-call timeout in seconds (overrides the circuit's `callTimeoutSeconds`). */
  readonly timeoutSeconds?: number;
  /**
   * A result filter for this call (overrides the circuit's `isFailureResult`): when it returns true for
   * the value the operation resolved with, the call counts as a failure with the same effect on state,
   * metrics, events and half-open trials as a thrown failure, and the caller still gets the value
   * unchanged, so an operation need not throw to report a failed result (a 5xx response). Extends the
   * seed, whose breaker learns of a failure only by a rejection: an implementation that honours it says
   * so with {@link ProtocolCircuitBreaker.supportsResultFilter}.
   */
  readonly isFailureResult?: (result: T) => boolean;
}

/** The seed's `ProtocolCircuitBreaker`: named circuits guarding operations. */
export interface ProtocolCircuitBreaker {
  /**
   * True when `executeWithCircuitBreaker` honours {@link ProtocolExecuteOptions.isFailureResult}. Extends
   * the seed: an implementation written before the option lacks it, so a caller that needs a failed
   * result counted by one must still reject its operation (with a `CircuitBreakerFailure`).
   */
  readonly supportsResultFilter?: boolean;
  /**
   * Runs an operation through a circuit. The operation receives an AbortSignal that fires on timeout.
   * @throws CircuitBreakerOpenError (code `CIRCUIT_OPEN`) while the circuit rejects calls.
   */
  executeWithCircuitBreaker<T>(
    operation: (signal: AbortSignal) => Promise<T> | T,
    circuitName: string,
    options?: ProtocolExecuteOptions<T>,
  ): Promise<T>;
  /** Current state of a circuit. */
  getCircuitState(circuitName: string): Promise<LiteralCircuitState>;
  /** Creates or reconfigures a circuit (state kept); resolves true when applied. */
  configureCircuitBreaker(circuitName: string, config: ProtocolCircuitBreakerConfig): Promise<boolean>;
  /** Returns a circuit to closed and clears the current period's counters. */
  resetCircuitBreaker(circuitName: string): Promise<boolean>;
  /** Metrics of a circuit. */
  getCircuitMetrics(circuitName: string): Promise<ProtocolCircuitBreakerMetrics>;
  /** States of every circuit by name. */
  getAllCircuitStates(): Promise<Record<string, LiteralCircuitState>>;
  /** Forces a circuit open until reset. */
  forceCircuitOpen(circuitName: string): Promise<boolean>;
  /** Forces a circuit closed until reset. */
  forceCircuitClosed(circuitName: string): Promise<boolean>;
}
