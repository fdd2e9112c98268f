// A ProtocolCircuitBreaker with the seed's consecutive-failure semantics, for unit tests.
import {
  CircuitBreakerOpenError,
  type LiteralCircuitState,
  type ProtocolCircuitBreaker,
  type ProtocolCircuitBreakerConfig,
  type ProtocolCircuitBreakerMetrics,
  type ProtocolCircuitTransition,
} from '@onex/spi-types';

interface Circuit {
  state: LiteralCircuitState;
  failures: number;
  successes: number;
  openedAt: number;
  config: Required<Pick<ProtocolCircuitBreakerConfig, 'failureThreshold' | 'timeoutSeconds' | 'successThreshold'>>;
  calls: number;
  ok: number;
  failed: number;
  rejected: number;
  log: ProtocolCircuitTransition[];
}

export class FakeCircuitBreaker implements ProtocolCircuitBreaker {
  readonly #circuits = new Map<string, Circuit>();

  constructor(private readonly defaults: ProtocolCircuitBreakerConfig = {}) {}

  async executeWithCircuitBreaker<T>(operation: (signal: AbortSignal) => Promise<T> | T, circuitName: string): Promise<T> {
    const c = this.#circuit(circuitName);
    c.calls += 1;
    if (c.state === 'open') {
      const left = c.openedAt + c.config.timeoutSeconds * 1000 - Date.now();
      if (left > 0) {
        c.rejected += 1;
        throw new CircuitBreakerOpenError(circuitName, left);
      }
      this.#move(c, 'half_open', 'timeout_elapsed');
    }
    try {
      const result = await operation(new AbortController().signal);
      c.ok += 1;
      c.failures = 0;
      if (c.state === 'half_open' && ++c.successes >= c.config.successThreshold) this.#move(c, 'closed', 'success_threshold');
      return result;
    } catch (error) {
      c.failed += 1;
      c.failures += 1;
      if (c.state === 'half_open' || c.failures >= c.config.failureThreshold) this.#move(c, 'open', 'failure_threshold');
      throw error;
    }
  }

  async getCircuitState(name: string): Promise<LiteralCircuitState> {
    return this.#circuit(name).state;
  }

  async configureCircuitBreaker(name: string, config: ProtocolCircuitBreakerConfig): Promise<boolean> {
    Object.assign(this.#circuit(name).config, config);
    return true;
  }

  async resetCircuitBreaker(name: string): Promise<boolean> {
    const c = this.#circuit(name);
    this.#move(c, 'closed', 'reset');
    c.failures = 0;
    return true;
  }

  async getCircuitMetrics(name: string): Promise<ProtocolCircuitBreakerMetrics> {
    const c = this.#circuit(name);
    return {
      circuitName: name, state: c.state, forced: false, totalCalls: c.calls, successCount: c.ok, failureCount: c.failed,
      timeoutCount: 0, rejectionCount: c.rejected, slowCallCount: 0, consecutiveFailures: c.failures,
      consecutiveSuccesses: c.successes, stateTransitions: c.log.length, transitionLog: c.log,
      latency: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
    };
  }

  async getAllCircuitStates(): Promise<Record<string, LiteralCircuitState>> {
    return Object.fromEntries([...this.#circuits].map(([n, c]) => [n, c.state]));
  }

  async forceCircuitOpen(name: string): Promise<boolean> {
    this.#move(this.#circuit(name), 'open', 'forced');
    return true;
  }

  async forceCircuitClosed(name: string): Promise<boolean> {
    this.#move(this.#circuit(name), 'closed', 'forced');
    return true;
  }

  #move(c: Circuit, to: LiteralCircuitState, reason: string): void {
    if (c.state !== to) c.log.push({ from: c.state, to, at: Date.now(), reason });
    c.state = to;
    c.successes = 0;
    if (to === 'open') c.openedAt = Date.now();
  }

  #circuit(name: string): Circuit {
    let c = this.#circuits.get(name);
    if (!c) {
      c = {
        state: 'closed', failures: 0, successes: 0, openedAt: 0, calls: 0, ok: 0, failed: 0, rejected: 0, log: [],
        config: {
          failureThreshold: this.defaults.failureThreshold ?? 5,
          timeoutSeconds: this.defaults.timeoutSeconds ?? 60,
          successThreshold: this.defaults.successThreshold ?? 1,
        },
      };
      this.#circuits.set(name, c);
    }
    return c;
  }
}
