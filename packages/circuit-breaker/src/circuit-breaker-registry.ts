import type {
  LiteralCircuitState,
  ProtocolCircuitBreaker,
  ProtocolCircuitBreakerMetrics,
  ProtocolExecuteOptions,
} from '@onex/spi-types';
import type { CircuitBreakerConfig } from './circuit-breaker-config.js';
import type { CircuitBreakerEvents } from './circuit-events.js';
import type { CircuitBreakerRegistryMetrics } from './circuit-breaker-registry-metrics.js';
import type { CircuitBreakerRegistryOptions } from './circuit-breaker-registry-options.js';
import { CircuitBreakerArgumentError } from './errors/circuit-breaker-argument-error.js';
import { CircuitBreakerConfigError } from './errors/circuit-breaker-config-error.js';
import { CircuitNotFoundError } from './errors/circuit-not-found-error.js';
import { CircuitRegistryClosedError } from './errors/circuit-registry-closed-error.js';
import { BucketRotation } from './internal/bucket-rotation.js';
import { Circuit, type CircuitContext, type CircuitOperation, type ResultFilter } from './internal/circuit.js';
import { CircuitObservers, type CircuitEventListener } from './internal/circuit-observers.js';
import { configCheck } from './internal/config-check.js';
import { MAX_TIMER_MS, resolveConfig, type ResolvedCircuitConfig } from './internal/resolved-config.js';

function checkName(circuitName: unknown): asserts circuitName is string {
  if (typeof circuitName !== 'string' || circuitName.length === 0) {
    throw new CircuitBreakerArgumentError('circuitName', 'a non-empty string', circuitName);
  }
}

/**
 * Named circuit breakers on opossum 9 with the SPI's consecutive-count semantics: `failureThreshold`
 * consecutive failures open a circuit, after `timeoutSeconds` it is half-open (checked lazily, when its
 * state is read or a call arrives: no timer per open circuit), `successThreshold` consecutive successes
 * close it and any failure in half-open reopens it.
 */
export class CircuitBreakerRegistry implements ProtocolCircuitBreaker {
  /** `executeWithCircuitBreaker` honours `isFailureResult` (the caller need not throw to report a failed result). */
  readonly supportsResultFilter = true;
  private readonly circuits = new Map<string, Circuit>();
  private readonly defaults: ResolvedCircuitConfig;
  private readonly context: CircuitContext;
  private readonly observers = new CircuitObservers();
  private readonly rotation = new BucketRotation();
  private closed = false;
  /** 0: eviction off. */
  private readonly idleTtlMs: number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt = 0;
  private evictedCircuits = 0;

  /**
   * Creates an empty registry.
   * @throws CircuitBreakerConfigError (code `CIRCUIT_INVALID_CONFIG`) when an option or a default has a bad value
   */
  constructor(options: CircuitBreakerRegistryOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new CircuitBreakerConfigError('options', 'an object', options);
    }
    this.defaults = resolveConfig(options.defaults ?? {}, 'defaults.');
    this.context = {
      rotation: this.rotation,
      observers: this.observers,
      transitionLogSize: configCheck.integer('transitionLogSize', options.transitionLogSize, { min: 1, max: 100_000, fallback: 100 }),
      latencyWindowSize: configCheck.integer('latencyWindowSize', options.latencyWindowSize, { min: 1, max: 1_000_000, fallback: 512 }),
    };
    const ttl = options.idleCircuitTtlSeconds ?? 300;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new CircuitBreakerConfigError('idleCircuitTtlSeconds', 'a finite number of seconds >= 0 (0: never evict)', ttl);
    }
    this.idleTtlMs = ttl * 1000;
    // Sweeps a quarter TTL apart: an idle circuit goes within 1.25 TTL of its last call, and a burst of new
    // names costs one pass over the circuits per interval, not one per name.
    this.sweepIntervalMs = Math.max(1, this.idleTtlMs / 4);
  }

  /**
   * Runs `operation` through the named circuit (created with the defaults on first use). The operation
   * receives an AbortSignal that aborts when the per-call timeout elapses. With `options.isFailureResult`
   * (or the circuit's), a value it returns true for counts as a failure and is still returned; a filter
   * that throws counts the call as a failure and rejects with its error (resilience4j's decorators do the same).
   * @throws CircuitBreakerOpenError (code `CIRCUIT_OPEN`) without calling the operation while the circuit is open
   * @throws CircuitHalfOpenFullError (code `CIRCUIT_HALF_OPEN_FULL`) when half-open trials are all taken
   * @throws CircuitBreakerTimeoutError (code `CIRCUIT_TIMEOUT`) when the call outlives its timeout
   * @throws CircuitBreakerArgumentError (code `CIRCUIT_INVALID_ARGUMENT`) for a bad name, operation, timeout or result filter
   */
  executeWithCircuitBreaker<T>(
    operation: (signal: AbortSignal) => Promise<T> | T,
    circuitName: string,
    options?: ProtocolExecuteOptions<T>,
  ): Promise<T> {
    try {
      this.checkOpen('executeWithCircuitBreaker');
      checkName(circuitName);
      if (typeof operation !== 'function') {
        throw new CircuitBreakerArgumentError('operation', 'a function (signal) => value | Promise', operation);
      }
      const timeoutSeconds = options?.timeoutSeconds;
      let timeoutMs: number | undefined;
      if (timeoutSeconds !== undefined) {
        if (typeof timeoutSeconds !== 'number' || !(timeoutSeconds >= 0) || timeoutSeconds * 1000 > MAX_TIMER_MS) {
          throw new CircuitBreakerArgumentError(
            'options.timeoutSeconds',
            `a number of seconds >= 0 and at most ${MAX_TIMER_MS / 1000}`,
            timeoutSeconds,
          );
        }
        timeoutMs = timeoutSeconds === 0 ? 0 : Math.max(1, Math.round(timeoutSeconds * 1000));
      }
      const isFailureResult = options?.isFailureResult;
      if (isFailureResult !== undefined && typeof isFailureResult !== 'function') {
        throw new CircuitBreakerArgumentError('options.isFailureResult', 'a function (result) => boolean', isFailureResult);
      }
      const circuit = this.circuits.get(circuitName) ?? this.createOnDemand(circuitName);
      return circuit.execute(
        operation as CircuitOperation<T>,
        timeoutMs ?? circuit.resolvedConfig.callTimeoutMs,
        isFailureResult as ResultFilter | undefined,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Current state of a circuit; an open circuit whose `timeoutSeconds` elapsed reads `half_open`.
   * @throws CircuitNotFoundError (code `CIRCUIT_NOT_FOUND`) for a circuit that does not exist
   */
  async getCircuitState(circuitName: string): Promise<LiteralCircuitState> {
    return this.get(circuitName).state();
  }

  /**
   * Creates a circuit with `config` (over the registry defaults) or reconfigures it, keeping its state.
   * Every field is validated first; a bad one changes nothing.
   * @throws CircuitBreakerConfigError (code `CIRCUIT_INVALID_CONFIG`) naming the field and the bad value
   */
  async configureCircuitBreaker(circuitName: string, config: CircuitBreakerConfig): Promise<boolean> {
    this.checkOpen('configureCircuitBreaker');
    checkName(circuitName);
    resolveConfig(config); // validate the fields as given, with their own names
    const resolved = resolveConfig({ ...this.defaults.source, ...config });
    const circuit = this.circuits.get(circuitName);
    if (circuit === undefined) {
      this.create(circuitName, resolved);
    } else {
      circuit.autoCreated = false; // configured by name: kept however long it idles
      circuit.reconfigure(resolved);
    }
    return true;
  }

  /**
   * Returns a circuit to closed, ending a forced state and clearing the current period's counters
   * (consecutive runs, rolling window); lifetime metrics are kept. Resolves false for an unknown circuit.
   */
  async resetCircuitBreaker(circuitName: string): Promise<boolean> {
    this.checkOpen('resetCircuitBreaker');
    checkName(circuitName);
    const circuit = this.circuits.get(circuitName);
    if (circuit === undefined) return false;
    circuit.reset();
    return true;
  }

  /**
   * A snapshot of a circuit's metrics.
   * @throws CircuitNotFoundError (code `CIRCUIT_NOT_FOUND`) for a circuit that does not exist
   */
  async getCircuitMetrics(circuitName: string): Promise<ProtocolCircuitBreakerMetrics> {
    return this.get(circuitName).metrics();
  }

  /** States of every circuit by name. */
  async getAllCircuitStates(): Promise<Record<string, LiteralCircuitState>> {
    const states: Record<string, LiteralCircuitState> = {};
    for (const [name, circuit] of this.circuits) states[name] = circuit.state();
    return states;
  }

  /** Forces a circuit open (creating it if needed): every call is rejected until `resetCircuitBreaker`. */
  async forceCircuitOpen(circuitName: string): Promise<boolean> {
    this.checkOpen('forceCircuitOpen');
    checkName(circuitName);
    this.pinned(circuitName).forceOpen();
    return true;
  }

  /** Forces a circuit closed (creating it if needed): failures never open it until `resetCircuitBreaker`. */
  async forceCircuitClosed(circuitName: string): Promise<boolean> {
    this.checkOpen('forceCircuitClosed');
    checkName(circuitName);
    this.pinned(circuitName).forceClosed();
    return true;
  }

  /** Removes a circuit and shuts its opossum instance down; calls in flight still settle. Resolves false when unknown. */
  async removeCircuit(circuitName: string): Promise<boolean> {
    checkName(circuitName);
    const circuit = this.circuits.get(circuitName);
    if (circuit === undefined) return false;
    circuit.shutdown();
    this.circuits.delete(circuitName);
    CircuitObservers.lifecycle('removed', circuitName);
    return true;
  }

  /** Names of every circuit. */
  circuitNames(): string[] {
    return [...this.circuits.keys()];
  }

  /** Number of circuits. */
  get size(): number {
    return this.circuits.size;
  }

  /** A plain snapshot of the registry's own counters: live circuits, idle circuits evicted so far, shared timers. */
  registryMetrics(): CircuitBreakerRegistryMetrics {
    return { circuits: this.circuits.size, evictedCircuits: this.evictedCircuits, activeTimers: this.rotation.activeTimers };
  }

  /** Number of shared bucket timers running (one per distinct rolling-window bucket length in use). */
  get activeTimers(): number {
    return this.rotation.activeTimers;
  }

  /**
   * Subscribes to an event; returns the unsubscribe function.
   * @example registry.on('stateChange', (e) => log(e.circuitName, e.from, '→', e.to, e.reason))
   */
  on<K extends keyof CircuitBreakerEvents>(event: K, listener: (payload: CircuitBreakerEvents[K]) => void): () => void {
    this.observers.add(event, listener as CircuitEventListener<K>);
    return () => {
      this.observers.delete(event, listener as CircuitEventListener<K>);
    };
  }

  /** Unsubscribes a listener; true when it was subscribed. */
  off<K extends keyof CircuitBreakerEvents>(event: K, listener: (payload: CircuitBreakerEvents[K]) => void): boolean {
    return this.observers.delete(event, listener as CircuitEventListener<K>);
  }

  /** Shuts every circuit down and stops the shared timers; later calls reject with `CIRCUIT_REGISTRY_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const circuit of this.circuits.values()) circuit.shutdown();
    this.circuits.clear();
    this.rotation.stopAll();
  }

  private checkOpen(method: string): void {
    if (this.closed) throw new CircuitRegistryClosedError(method);
  }

  private get(circuitName: string): Circuit {
    checkName(circuitName);
    const circuit = this.circuits.get(circuitName);
    if (circuit === undefined) throw new CircuitNotFoundError(circuitName);
    return circuit;
  }

  /** A circuit addressed by name (configure, force): created if needed and never evicted. */
  private pinned(circuitName: string): Circuit {
    const circuit = this.circuits.get(circuitName);
    if (circuit === undefined) return this.create(circuitName, this.defaults);
    circuit.autoCreated = false;
    return circuit;
  }

  /** A circuit a call creates: first evicts idle ones when a sweep is due, so on-demand names stay bounded. */
  private createOnDemand(circuitName: string): Circuit {
    if (this.idleTtlMs > 0) {
      const now = Date.now();
      if (now >= this.nextSweepAt) {
        this.nextSweepAt = now + this.sweepIntervalMs;
        this.evictIdle(now);
      }
    }
    return this.create(circuitName, this.defaults, true);
  }

  private evictIdle(now: number): void {
    for (const [name, circuit] of this.circuits) {
      if (!circuit.idleFor(this.idleTtlMs, now)) continue;
      circuit.shutdown();
      this.circuits.delete(name);
      this.evictedCircuits++;
      CircuitObservers.lifecycle('removed', name, 'evicted');
    }
  }

  private create(circuitName: string, config: ResolvedCircuitConfig, autoCreated = false): Circuit {
    const circuit = new Circuit(circuitName, config, this.context, autoCreated);
    this.circuits.set(circuitName, circuit);
    CircuitObservers.lifecycle('created', circuitName);
    return circuit;
  }
}
