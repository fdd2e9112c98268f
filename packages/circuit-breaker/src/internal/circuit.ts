import OpossumBreaker from 'opossum';
import { LatencyWindow, withTimeout } from '@onex/spi-types/support';
import {
  CircuitBreakerOpenError,
  isCircuitBreakerFailure,
  type LiteralCircuitState,
  type ProtocolCircuitBreakerMetrics,
  type ProtocolCircuitTransition,
} from '@onex/spi-types';
import type { CircuitFailureEvent, CircuitTransitionReason } from '../circuit-events.js';
import { CircuitHalfOpenFullError } from '../errors/circuit-half-open-full-error.js';
import { CircuitBreakerTimeoutError, isCircuitBreakerTimeoutError } from '../errors/circuit-breaker-timeout-error.js';
import type { BucketRotation } from './bucket-rotation.js';
import { ExcusedError, ExpiredTrial, FailedResult, SlowCall } from './call-outcome.js';
import type { CircuitObservers } from './circuit-observers.js';
import { publicState, type CircuitPhase } from './circuit-phase.js';
import { NEVER_ABORTED_SIGNAL } from './never-aborted-signal.js';
import { recordStateChange } from './otel.js';
import type { ResolvedCircuitConfig } from './resolved-config.js';

/** An operation as the SPI takes it. */
export type CircuitOperation<T> = (signal: AbortSignal) => Promise<T> | T;

/** A result filter (`isFailureResult`): true counts the value as a failure. */
export type ResultFilter = (result: unknown) => boolean;

/** What a circuit shares with its registry. */
export interface CircuitContext {
  readonly rotation: BucketRotation;
  readonly observers: CircuitObservers;
  readonly transitionLogSize: number;
  readonly latencyWindowSize: number;
}

/** What opossum's `success` and `failure` events carry (the failure event also carries the call's arguments). */
type SettleListener = (outcome: unknown, latencyMs: number) => void;

const BUCKETS = 10;

/** A half-open trial bounded by `halfOpenTrialTimeoutSeconds`. */
interface Trial {
  /** The half-open period it started in. */
  readonly epoch: number;
  /** It outlived its bound and was counted as a failure then; its settlement is not counted again. */
  expired: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** The caller's value from what opossum resolved: an excused error is thrown again. */
function unwrapValue(value: unknown): unknown {
  if (value instanceof ExcusedError) throw value.error;
  return value;
}

/** The caller's outcome from what opossum rejected with: a slow success or a failed result still returns its value. */
function unwrapError(error: unknown): unknown {
  if (error instanceof SlowCall || error instanceof FailedResult) return error.value;
  throw error;
}

/** The caller's outcome of a bounded trial, which may come back as an {@link ExpiredTrial}. */
function unwrapTrialValue(value: unknown): unknown {
  if (value instanceof ExpiredTrial) return value.failed ? unwrapError(value.outcome) : unwrapValue(value.outcome);
  return unwrapValue(value);
}

/**
 * One named circuit: the consecutive-count state machine (owned here, because opossum's own is
 * percentage-based and not sticky) around an opossum instance per period that executes the calls,
 * keeps the rolling window and decides percentage-mode trips.
 */
export class Circuit {
  private phase: CircuitPhase = { kind: 'closed' };
  /** Bumped by every transition and reset; a call settling in another period only feeds lifetime metrics. */
  private epoch = 0;
  private breaker: OpossumBreaker | undefined;
  private bucketMs = 0;
  /** Listeners of the current opossum instance's `success` and `failure` events (they know its epoch). */
  private heardSuccess: SettleListener | undefined;
  private heardFailure: SettleListener | undefined;
  /** Half-open trials whose bound timer is running. */
  private readonly trials = new Set<Trial>();

  private totalCalls = 0;
  private successCount = 0;
  private failureCount = 0;
  private timeoutCount = 0;
  private rejectionCount = 0;
  private slowCallCount = 0;
  private ignoredErrorCount = 0;
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private stateTransitions = 0;
  private transitionLog: ProtocolCircuitTransition[] = [];
  private lastFailure: ProtocolCircuitBreakerMetrics['lastFailure'];
  private readonly latency: LatencyWindow;
  /** Created on demand by a call (not configured or forced): the registry may evict it once idle. */
  autoCreated: boolean;
  /** Idle sweeps: `totalCalls` when last looked at, and a time since which no call came (never too early). */
  private sweptCalls: number;
  private quietSince: number;

  private readonly classify = (error: unknown): unknown => this.classifyError(error);

  constructor(
    readonly name: string,
    private config: ResolvedCircuitConfig,
    private readonly context: CircuitContext,
    autoCreated = false,
  ) {
    // 4-byte samples: a registry may hold thousands of circuits, and Date.now latencies are whole ms.
    this.latency = new LatencyWindow({ capacity: context.latencyWindowSize, float32: true });
    this.autoCreated = autoCreated;
    // An auto-created circuit's first call is counted right after it is created, at this moment.
    this.sweptCalls = autoCreated ? 1 : 0;
    this.quietSince = Date.now();
  }

  /** Current configuration. */
  get resolvedConfig(): ResolvedCircuitConfig {
    return this.config;
  }

  /** Applies a new configuration, keeping state; a changed rolling window restarts the window. */
  reconfigure(config: ResolvedCircuitConfig): void {
    const previous = this.config;
    this.config = config;
    const p = previous.percentage;
    const n = config.percentage;
    if (
      previous.rollingWindowMs !== config.rollingWindowMs ||
      p?.errorThresholdPercentage !== n?.errorThresholdPercentage ||
      p?.volumeThreshold !== n?.volumeThreshold
    ) {
      this.endPeriod();
    }
  }

  /** Runs an operation through the circuit or rejects it without calling it; a call's own result filter replaces the circuit's. */
  execute<T>(operation: CircuitOperation<T>, timeoutMs: number, isFailureResult?: ResultFilter): Promise<T> {
    this.totalCalls++;
    let phase = this.phase;
    if (phase.kind === 'open') {
      const now = Date.now();
      const halfOpenAt = phase.openedAt + this.config.openMs;
      if (now < halfOpenAt) return this.reject(new CircuitBreakerOpenError(this.name, halfOpenAt - now), 'open');
      this.transition({ kind: 'half_open', trialsInFlight: 0 }, 'timeout_elapsed', halfOpenAt);
      phase = this.phase;
    }
    let trial: Trial | undefined;
    switch (phase.kind) {
      case 'closed':
      case 'forced_closed':
        break;
      case 'half_open':
        if (phase.trialsInFlight >= this.config.halfOpenMaxConcurrent) {
          return this.reject(new CircuitHalfOpenFullError(this.name, this.config.halfOpenMaxConcurrent), 'half_open');
        }
        phase.trialsInFlight++;
        trial = this.startTrial(timeoutMs);
        break;
      case 'forced_open':
        return this.reject(new CircuitBreakerOpenError(this.name, 0, { forced: true }), 'open');
      case 'open':
        throw new Error('unreachable: open was handled above');
    }
    // The outcome is counted by this period's listeners of opossum's `success`/`failure` events, which
    // opossum emits just before it settles the promise: no reaction, closure or promise of our own per
    // call. Only markers (slow calls, excused errors) need one step to give the caller its outcome.
    const breaker = this.breaker ?? this.startPeriod();
    const filter = isFailureResult ?? this.config.isFailureResult;
    if (trial !== undefined) {
      return (breaker.call(this, operation, timeoutMs, trial, filter) as Promise<unknown>).then(unwrapTrialValue, unwrapError) as Promise<T>;
    }
    // `call(context, …)` is `fire` with the action's `this` given: opossum runs `run` as a method of this
    // circuit, with no bound function or arrow in between.
    if (filter !== undefined) {
      return (breaker.call(this, operation, timeoutMs, undefined, filter) as Promise<unknown>).then(unwrapValue, unwrapError) as Promise<T>;
    }
    const call = breaker.call(this, operation, timeoutMs) as Promise<T>;
    return this.config.marksOutcomes ? (call.then(unwrapValue, unwrapError) as Promise<T>) : call;
  }

  /** Current SPI state (an elapsed open period becomes half-open here). */
  state(): LiteralCircuitState {
    this.refresh();
    return publicState(this.phase);
  }

  /** True while forced (sticky until reset). */
  get forced(): boolean {
    return this.phase.kind === 'forced_open' || this.phase.kind === 'forced_closed';
  }

  /** Back to closed with the current period's counters (runs, rolling window) cleared; lifetime metrics kept. */
  reset(): void {
    if (this.phase.kind === 'closed') {
      this.epoch++;
      this.consecutiveFailures = 0;
      this.consecutiveSuccesses = 0;
      this.endPeriod();
      return;
    }
    this.transition({ kind: 'closed' }, 'reset', Date.now());
  }

  /** Forces the circuit open until reset. */
  forceOpen(): void {
    if (this.phase.kind !== 'forced_open') this.transition({ kind: 'forced_open' }, 'forced_open', Date.now());
  }

  /** Forces the circuit closed until reset. */
  forceClosed(): void {
    if (this.phase.kind !== 'forced_closed') this.transition({ kind: 'forced_closed' }, 'forced_closed', Date.now());
  }

  /** A snapshot of the circuit's metrics. */
  metrics(): ProtocolCircuitBreakerMetrics {
    this.refresh();
    const phase = this.phase;
    const stats = this.breaker?.stats;
    const calls = stats?.fires ?? 0;
    const failures = stats?.failures ?? 0;
    return {
      circuitName: this.name,
      state: publicState(phase),
      forced: this.forced,
      totalCalls: this.totalCalls,
      successCount: this.successCount,
      failureCount: this.failureCount,
      timeoutCount: this.timeoutCount,
      rejectionCount: this.rejectionCount,
      slowCallCount: this.slowCallCount,
      ignoredErrorCount: this.ignoredErrorCount,
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      stateTransitions: this.stateTransitions,
      transitionLog: this.transitionLog.slice(),
      latency: this.latency.summary(),
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
      ...(phase.kind === 'open' ? { nextAttemptAt: phase.openedAt + this.config.openMs } : {}),
      rollingWindow: { calls, failures, errorPercentage: calls === 0 ? 0 : (failures / calls) * 100 },
    };
  }

  /** Stops the opossum instance of the current period (no timer or listener stays behind). */
  shutdown(): void {
    this.epoch++;
    this.endPeriod();
    this.stopTrialTimers();
  }

  /**
   * True when the registry may drop this circuit: auto-created, closed (not forced), nothing in flight and
   * no call for at least `idleMs`. Tracked without a clock read per call: a sweep that sees new calls
   * moves the start of the quiet period to its own time, so idleness is never overestimated.
   */
  idleFor(idleMs: number, now: number): boolean {
    if (this.totalCalls !== this.sweptCalls) {
      this.sweptCalls = this.totalCalls;
      this.quietSince = now;
      return false;
    }
    if (!this.autoCreated || this.phase.kind !== 'closed' || now - this.quietSince < idleMs) return false;
    const executed = this.totalCalls - this.rejectionCount;
    const settled = this.successCount + this.ignoredErrorCount + this.failureCount;
    return executed === settled;
  }

  /** Whether an opossum instance is alive (tests and memory accounting). */
  get hasActivePeriod(): boolean {
    return this.breaker !== undefined;
  }

  // --- internals -------------------------------------------------------------------------------

  private refresh(): void {
    const phase = this.phase;
    if (phase.kind === 'open') {
      const halfOpenAt = phase.openedAt + this.config.openMs;
      if (Date.now() >= halfOpenAt) this.transition({ kind: 'half_open', trialsInFlight: 0 }, 'timeout_elapsed', halfOpenAt);
    }
  }

  private reject<T>(error: Error, state: LiteralCircuitState): Promise<T> {
    this.rejectionCount++;
    const observers = this.context.observers;
    if (observers.wants('rejection')) observers.emit('rejection', { circuitName: this.name, state, error });
    return Promise.reject(error);
  }

  /**
   * The action opossum runs (as a method of this circuit): calls the operation, applies the timeout,
   * marks slow, excused and failed-result outcomes, and expired trials.
   */
  private run(op: CircuitOperation<unknown>, timeoutMs: number, trial?: Trial, filter?: ResultFilter): Promise<unknown> {
    const result = this.runOperation(op, timeoutMs, filter);
    return trial === undefined ? result : this.watchTrial(result, trial);
  }

  private runOperation(op: CircuitOperation<unknown>, timeoutMs: number, filter: ResultFilter | undefined): Promise<unknown> {
    const config = this.config;
    if (!config.marksOutcomes && filter === undefined) {
      if (timeoutMs !== 0) return this.runWithTimeout(op, timeoutMs);
      try {
        // Promise.resolve returns a native promise as is and adopts any other thenable or value.
        return Promise.resolve(op(NEVER_ABORTED_SIGNAL));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Date.now (1 ms resolution) rather than performance.now: it costs a third as much.
    const startedAt = Date.now();
    let promise: Promise<unknown>;
    if (timeoutMs === 0) {
      try {
        promise = Promise.resolve(op(NEVER_ABORTED_SIGNAL));
      } catch (error) {
        promise = Promise.reject(error);
      }
    } else {
      promise = this.runWithTimeout(op, timeoutMs);
    }
    const slowCallMs = config.slowCallMs;
    const checkSlow =
      slowCallMs === Number.POSITIVE_INFINITY
        ? undefined
        : (value: unknown): unknown => (Date.now() - startedAt > slowCallMs ? Promise.reject(new SlowCall(value)) : value);
    if (filter === undefined) return promise.then(checkSlow, this.classify);
    // A failed result counts like a thrown failure (never also as slow); a filter that throws rejects the
    // call with its error, which counts as a failure whatever `isFailure` says (it is not the operation's).
    const checkResult = (value: unknown): unknown => {
      if (filter(value) === true) return Promise.reject(new FailedResult(value));
      return checkSlow === undefined ? value : checkSlow(value);
    };
    return promise.then(checkResult, this.classify);
  }

  /**
   * Bounds a half-open trial, unless its own call timeout already does: without a bound, a trial that
   * never settles would hold its slot, and the circuit would stay half-open, forever.
   */
  private startTrial(timeoutMs: number): Trial | undefined {
    const boundMs = this.config.halfOpenTrialTimeoutMs;
    if (timeoutMs !== 0 && timeoutMs <= boundMs) return undefined;
    const trial: Trial = { epoch: this.epoch, expired: false, timer: undefined };
    trial.timer = setTimeout(() => this.expireTrial(trial, boundMs), boundMs);
    trial.timer.unref();
    this.trials.add(trial);
    return trial;
  }

  /** The bound of a trial elapsed: count it as a failure now, which reopens the circuit and frees its slot. */
  private expireTrial(trial: Trial, boundMs: number): void {
    trial.timer = undefined;
    this.trials.delete(trial);
    if (trial.epoch !== this.epoch || this.phase.kind !== 'half_open') return;
    trial.expired = true;
    this.timeoutCount++;
    const error = new CircuitBreakerTimeoutError(this.name, boundMs, { details: { halfOpenTrial: true } });
    this.onFailure(trial.epoch, 'timeout', error, boundMs, 'half_open_timeout');
  }

  /** Settles a bounded trial: stops its timer, and turns the outcome of an expired one into a marker. */
  private watchTrial(result: Promise<unknown>, trial: Trial): Promise<unknown> {
    const settled = (): void => {
      if (trial.timer !== undefined) {
        clearTimeout(trial.timer);
        trial.timer = undefined;
        this.trials.delete(trial);
      }
    };
    return result.then(
      (value) => {
        settled();
        return trial.expired ? new ExpiredTrial(value, false) : value;
      },
      (error: unknown) => {
        settled();
        if (trial.expired) return new ExpiredTrial(error, true);
        throw error;
      },
    );
  }

  private stopTrialTimers(): void {
    for (const trial of this.trials) {
      clearTimeout(trial.timer);
      trial.timer = undefined;
    }
    this.trials.clear();
  }

  private runWithTimeout(op: CircuitOperation<unknown>, timeoutMs: number): Promise<unknown> {
    const name = this.name;
    return withTimeout((signal) => op(signal), timeoutMs, () => new CircuitBreakerTimeoutError(name, timeoutMs));
  }

  /** Decides whether an error counts; excused errors travel as values so opossum counts a success. */
  private classifyError(error: unknown): unknown {
    const isFailure = this.config.isFailure;
    if (isFailure === undefined || isCircuitBreakerFailure(error) || isCircuitBreakerTimeoutError(error)) throw error;
    let counts: boolean;
    try {
      counts = isFailure(error) !== false;
    } catch {
      counts = true; // a broken predicate must not hide failures
    }
    if (counts) throw error;
    return new ExcusedError(error);
  }

  /**
   * Counts a call opossum resolved, from its `success` event (latency measured by opossum with Date.now,
   * like ours). Runs inside opossum's own callback, so it must not throw.
   */
  private settleValue(value: unknown, ms: number, epoch: number): void {
    if (value instanceof ExpiredTrial) return; // counted as a failure when its bound elapsed
    this.latency.record(ms);
    if (value instanceof ExcusedError) this.ignoredErrorCount++;
    else this.successCount++;
    this.onSuccess(epoch);
  }

  /** Counts a call opossum rejected, from its `failure` event (before opossum decides a percentage trip). */
  private settleError(error: unknown, ms: number, epoch: number): void {
    this.latency.record(ms);
    if (error instanceof SlowCall) {
      this.slowCallCount++;
      this.onFailure(epoch, 'slow', undefined, ms);
      return;
    }
    if (error instanceof FailedResult) {
      this.onFailure(epoch, 'result', undefined, ms, 'half_open_failure', error.value);
      return;
    }
    const timedOut = isCircuitBreakerTimeoutError(error);
    if (timedOut) this.timeoutCount++;
    this.onFailure(epoch, timedOut ? 'timeout' : 'error', error, ms);
  }

  private onSuccess(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.consecutiveSuccesses++;
    this.consecutiveFailures = 0;
    const phase = this.phase;
    if (phase.kind === 'half_open') {
      phase.trialsInFlight--;
      if (this.consecutiveSuccesses >= this.config.successThreshold) {
        this.transition({ kind: 'closed' }, 'success_threshold', Date.now());
      }
    }
  }

  private onFailure(
    epoch: number,
    kind: CircuitFailureEvent['kind'],
    error: unknown,
    durationMs: number,
    halfOpenReason: CircuitTransitionReason = 'half_open_failure',
    result?: unknown,
  ): void {
    this.failureCount++;
    const now = Date.now();
    this.lastFailure = describeFailure(kind, error, now, this.config.slowCallMs);
    const observers = this.context.observers;
    if (observers.wants('failure')) {
      observers.emit(
        'failure',
        kind === 'result' ? { circuitName: this.name, kind, error, durationMs, result } : { circuitName: this.name, kind, error, durationMs },
      );
    }
    if (epoch !== this.epoch) return;
    this.consecutiveFailures++;
    this.consecutiveSuccesses = 0;
    const phase = this.phase;
    switch (phase.kind) {
      case 'closed':
        // A percentage trip is decided by opossum right after this, in its `open` listener (startPeriod).
        if (this.consecutiveFailures >= this.config.failureThreshold) {
          this.transition({ kind: 'open', openedAt: now }, 'failure_threshold', now);
        }
        break;
      case 'half_open':
        phase.trialsInFlight--;
        this.transition({ kind: 'open', openedAt: now }, halfOpenReason, now);
        break;
      case 'forced_closed':
      case 'open':
      case 'forced_open':
        break;
    }
  }

  private transition(next: CircuitPhase, reason: CircuitTransitionReason, at: number): void {
    const from = publicState(this.phase);
    this.phase = next;
    this.epoch++;
    // Trials of the period that ends here can no longer move the state: their bound is moot.
    if (this.trials.size > 0) this.stopTrialTimers();
    this.consecutiveFailures = 0;
    this.consecutiveSuccesses = 0;
    this.endPeriod();
    this.stateTransitions++;
    const entry: ProtocolCircuitTransition = { from, to: publicState(next), at, reason };
    if (this.transitionLog.length >= this.context.transitionLogSize) this.transitionLog.shift();
    this.transitionLog.push(entry);
    recordStateChange(this.name, from, entry.to, reason);
    this.context.observers.emit('stateChange', {
      circuitName: this.name,
      ...entry,
      reason,
      forced: next.kind === 'forced_open' || next.kind === 'forced_closed',
    });
  }

  /** Creates the opossum instance of a new period, rotated by the registry's shared bucket timer. */
  private startPeriod(): OpossumBreaker {
    const config = this.config;
    const percentage = config.percentage;
    const bucketMs = Math.max(1, Math.floor(config.rollingWindowMs / BUCKETS));
    // Opossum applies `run` with this circuit as `this` (see execute).
    const breaker = new OpossumBreaker(this.run as (...args: unknown[]) => Promise<unknown>, {
      name: this.name,
      timeout: false,
      resetTimeout: config.openMs,
      // 100 can never be exceeded: outside percentage mode opossum never opens on its own.
      errorThresholdPercentage: percentage?.errorThresholdPercentage ?? 100,
      volumeThreshold: percentage?.volumeThreshold ?? 0,
      rollingCountTimeout: bucketMs * BUCKETS,
      rollingCountBuckets: BUCKETS,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.context.rotation.acquire(bucketMs),
    });
    // Every call fired on this instance started in this epoch: each transition or reset ends the period.
    const epoch = this.epoch;
    const heardSuccess: SettleListener = (value, ms) => this.settleValue(value, ms, epoch);
    const heardFailure: SettleListener = (error, ms) => this.settleError(error, ms, epoch);
    breaker.on('success', heardSuccess);
    breaker.on('failure', heardFailure);
    if (percentage !== undefined) {
      // Opossum decided, just after counting a failure, that the window's error rate is too high. Close
      // it at once so its own reset timer never runs (this wrapper owns the state) and open the circuit,
      // unless that failure already opened it on the consecutive rule (then this instance is shut down).
      breaker.on('open', () => {
        breaker.close();
        if (this.breaker === breaker && this.phase.kind === 'closed') {
          const now = Date.now();
          this.transition({ kind: 'open', openedAt: now }, 'error_percentage', now);
        }
      });
    }
    this.breaker = breaker;
    this.bucketMs = bucketMs;
    this.heardSuccess = heardSuccess;
    this.heardFailure = heardFailure;
    return breaker;
  }

  private endPeriod(): void {
    const breaker = this.breaker;
    if (breaker === undefined) return;
    this.breaker = undefined;
    breaker.shutdown(); // removes every listener
    // Calls still in flight settle through the shut-down instance: keep counting them in the lifetime
    // metrics. Nothing else refers to it, so it is collected once they have settled.
    if (this.heardSuccess) breaker.on('success', this.heardSuccess);
    if (this.heardFailure) breaker.on('failure', this.heardFailure);
    this.heardSuccess = undefined;
    this.heardFailure = undefined;
    this.context.rotation.release(this.bucketMs);
  }
}

function describeFailure(
  kind: CircuitFailureEvent['kind'],
  error: unknown,
  at: number,
  slowCallMs: number,
): NonNullable<ProtocolCircuitBreakerMetrics['lastFailure']> {
  if (kind === 'slow') return { at, message: `call slower than the slow-call threshold of ${slowCallMs} ms` };
  if (kind === 'result') return { at, message: 'result counted as a failure by isFailureResult' };
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? { at, message, code } : { at, message };
}
