import type { LiteralCircuitState, ProtocolCircuitTransition } from '@onex/spi-types';

/** Consecutive-count settings the model follows. */
export interface ModelConfig {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly successThreshold: number;
}

/** What a finished call meant to the circuit. */
export type ModelOutcome = 'success' | 'failure' | 'timeout' | 'slow' | 'excused';

/**
 * The circuit breaker state machine written as plainly as possible, independent of the
 * implementation, for property tests: it is what the README promises, rule by rule.
 */
export class ReferenceCircuit {
  state: LiteralCircuitState = 'closed';
  forced = false;
  openedAt = 0;
  failureRun = 0;
  successRun = 0;
  readonly log: ProtocolCircuitTransition[] = [];
  readonly counts = { total: 0, success: 0, failure: 0, timeout: 0, slow: 0, rejected: 0, ignored: 0 };

  constructor(private readonly config: ModelConfig) {}

  /** Open → half-open once the open period is over (never while forced). */
  refresh(now: number): void {
    if (this.state === 'open' && !this.forced && now >= this.openedAt + this.config.openMs) {
      this.move('half_open', false, 'timeout_elapsed', this.openedAt + this.config.openMs);
    }
  }

  /** A call arrives at `now`; true when it runs, false when rejected. */
  admit(now: number): boolean {
    this.counts.total++;
    this.refresh(now);
    if (this.state === 'open') {
      this.counts.rejected++;
      return false;
    }
    return true;
  }

  /** A call that ran finishes at `now` (sequential calls only: no stale results). */
  finish(outcome: ModelOutcome, now: number): void {
    if (outcome === 'success' || outcome === 'excused') {
      if (outcome === 'success') this.counts.success++;
      else this.counts.ignored++;
      this.successRun++;
      this.failureRun = 0;
      if (this.state === 'half_open' && this.successRun >= this.config.successThreshold) {
        this.move('closed', false, 'success_threshold', now);
      }
      return;
    }
    this.counts.failure++;
    if (outcome === 'timeout') this.counts.timeout++;
    if (outcome === 'slow') this.counts.slow++;
    this.failureRun++;
    this.successRun = 0;
    if (this.state === 'half_open') {
      this.openedAt = now;
      this.move('open', false, 'half_open_failure', now);
    } else if (this.state === 'closed' && !this.forced && this.failureRun >= this.config.failureThreshold) {
      this.openedAt = now;
      this.move('open', false, 'failure_threshold', now);
    }
  }

  forceOpen(now: number): void {
    if (!(this.forced && this.state === 'open')) this.move('open', true, 'forced_open', now);
  }

  forceClosed(now: number): void {
    if (!(this.forced && this.state === 'closed')) this.move('closed', true, 'forced_closed', now);
  }

  reset(now: number): void {
    if (this.state === 'closed' && !this.forced) {
      this.failureRun = 0;
      this.successRun = 0;
      return;
    }
    this.move('closed', false, 'reset', now);
  }

  private move(to: LiteralCircuitState, forced: boolean, reason: string, at: number): void {
    this.log.push({ from: this.state, to, at, reason });
    this.state = to;
    this.forced = forced;
    this.failureRun = 0;
    this.successRun = 0;
  }
}
