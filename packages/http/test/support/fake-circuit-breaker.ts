import {
  CircuitBreakerOpenError,
  type LiteralCircuitState,
  type ProtocolCircuitBreaker,
  type ProtocolCircuitBreakerConfig,
  type ProtocolCircuitBreakerMetrics,
} from '@onex/spi-types';

interface Circuit {
  state: LiteralCircuitState;
  consecutiveFailures: number;
  successes: number;
  failures: number;
  rejections: number;
  failureErrors: unknown[];
}

/**
 * A small, honest ProtocolCircuitBreaker for tests: opens after `threshold` consecutive failures
 * (any thrown error), stays open until reset, records every call and the errors it counted.
 */
export class FakeCircuitBreaker implements ProtocolCircuitBreaker {
  readonly calls: string[] = [];
  readonly circuits = new Map<string, Circuit>();

  constructor(private readonly threshold = 3) {}

  #circuit(name: string): Circuit {
    let circuit = this.circuits.get(name);
    if (!circuit) {
      circuit = { state: 'closed', consecutiveFailures: 0, successes: 0, failures: 0, rejections: 0, failureErrors: [] };
      this.circuits.set(name, circuit);
    }
    return circuit;
  }

  async executeWithCircuitBreaker<T>(operation: (signal: AbortSignal) => Promise<T> | T, circuitName: string): Promise<T> {
    this.calls.push(circuitName);
    const circuit = this.#circuit(circuitName);
    if (circuit.state === 'open') {
      circuit.rejections += 1;
      throw new CircuitBreakerOpenError(circuitName, 60_000);
    }
    try {
      const value = await operation(new AbortController().signal);
      circuit.successes += 1;
      circuit.consecutiveFailures = 0;
      return value;
    } catch (error) {
      circuit.failures += 1;
      circuit.failureErrors.push(error);
      circuit.consecutiveFailures += 1;
      if (circuit.consecutiveFailures >= this.threshold) circuit.state = 'open';
      throw error;
    }
  }

  async getCircuitState(circuitName: string): Promise<LiteralCircuitState> {
    return this.#circuit(circuitName).state;
  }

  async configureCircuitBreaker(_name: string, _config: ProtocolCircuitBreakerConfig): Promise<boolean> {
    return true;
  }

  async resetCircuitBreaker(circuitName: string): Promise<boolean> {
    const circuit = this.#circuit(circuitName);
    circuit.state = 'closed';
    circuit.consecutiveFailures = 0;
    return true;
  }

  async getCircuitMetrics(circuitName: string): Promise<ProtocolCircuitBreakerMetrics> {
    const c = this.#circuit(circuitName);
    return {
      circuitName,
      state: c.state,
      forced: false,
      totalCalls: c.successes + c.failures + c.rejections,
      successCount: c.successes,
      failureCount: c.failures,
      timeoutCount: 0,
      rejectionCount: c.rejections,
      slowCallCount: 0,
      consecutiveFailures: c.consecutiveFailures,
      consecutiveSuccesses: 0,
      stateTransitions: 0,
      transitionLog: [],
      latency: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
    };
  }

  async getAllCircuitStates(): Promise<Record<string, LiteralCircuitState>> {
    return Object.fromEntries([...this.circuits].map(([name, c]) => [name, c.state]));
  }

  async forceCircuitOpen(circuitName: string): Promise<boolean> {
    this.#circuit(circuitName).state = 'open';
    return true;
  }

  async forceCircuitClosed(circuitName: string): Promise<boolean> {
    this.#circuit(circuitName).state = 'closed';
    return true;
  }
}
