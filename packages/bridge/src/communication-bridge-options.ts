import type { ProtocolCircuitBreaker } from '@onex/spi-types';
import type { BridgeAdapter } from './adapters/bridge-adapter.js';
import { BridgeConfigError } from './errors/bridge-errors.js';
import { DEFAULT_MAX_JSON_DEPTH } from './format/bounded-json.js';
import { otelEnabledByEnv } from './internal/otel.js';
import type { RuleLimits } from './rules/rule-limits.js';

/** Options of {@link CommunicationBridge}. */
export interface CommunicationBridgeOptions {
  /** Adapters to register; a {@link MemoryAdapter} is added when none has protocol `memory`. */
  readonly adapters?: readonly BridgeAdapter[];
  /** Breaker every delivery attempt goes through (circuit `config.circuitName`, default the bridge name). */
  readonly circuitBreaker?: ProtocolCircuitBreaker;
  /** Size and complexity limits of routing expressions. */
  readonly ruleLimits?: RuleLimits;
  /** Messages one bridge holds (waiting + in flight) before `sendMessageThroughBridge` throws `BRIDGE_OVERLOADED`. @default 10000 */
  readonly maxQueuedMessages?: number;
  /** How long `destroyBridge` waits for in-flight messages before aborting their retries, in ms. @default 30000 */
  readonly drainTimeoutMs?: number;
  /** Source lag above which `monitorBridgeHealth` says degraded. @default 10000 */
  readonly maxHealthyLag?: number;
  /** Timeout of each reachability check in `monitorBridgeHealth`, in ms. @default 5000 */
  readonly healthCheckTimeoutMs?: number;
  /**
   * Deepest nesting of a `json` payload decoded from bytes or text (Kafka values, WebSocket frames,
   * ingress bodies); deeper documents are a `BRIDGE_FORMAT` error and are dead-lettered. At most 1000.
   * @default 256
   */
  readonly maxJsonDepth?: number;
  /**
   * OpenTelemetry process spans, trace context carried to every target, webhook CLIENT spans and the
   * bridge's metrics, when the application registers an SDK (`false`, or env `ONEX_OTEL_DISABLED=true`,
   * turns them off; see README, Telemetry). @default true
   */
  readonly telemetry?: boolean;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** {@link CommunicationBridgeOptions} after validation. */
export interface ResolvedBridgeOptions {
  readonly circuitBreaker: ProtocolCircuitBreaker | undefined;
  readonly ruleLimits: RuleLimits;
  readonly maxQueuedMessages: number;
  readonly drainTimeoutMs: number;
  readonly maxHealthyLag: number;
  readonly healthCheckTimeoutMs: number;
  readonly maxJsonDepth: number;
  readonly telemetry: boolean;
  readonly now: () => number;
}

/** Highest accepted `maxJsonDepth`: much deeper documents overflow the stack of `JSON.stringify`. */
const MAX_JSON_DEPTH_LIMIT = 1000;

/**
 * Validates the options once.
 * @throws BridgeConfigError naming the option and the bad value
 */
export function resolveBridgeOptions(options: CommunicationBridgeOptions): ResolvedBridgeOptions {
  if (typeof options !== 'object' || options === null) {
    throw new BridgeConfigError(`\`options\` must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const breaker = options.circuitBreaker;
  if (breaker !== undefined && typeof breaker?.executeWithCircuitBreaker !== 'function') {
    throw new BridgeConfigError('`circuitBreaker` must implement ProtocolCircuitBreaker (executeWithCircuitBreaker missing)');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new BridgeConfigError(`\`now\` must be a function, got ${typeof options.now}`);
  }
  if (options.telemetry !== undefined && typeof options.telemetry !== 'boolean') {
    throw new BridgeConfigError(`\`telemetry\` must be a boolean, got ${show(options.telemetry)}`);
  }
  return {
    circuitBreaker: breaker,
    ruleLimits: options.ruleLimits ?? {},
    maxQueuedMessages: positiveInteger('maxQueuedMessages', options.maxQueuedMessages, 10_000),
    drainTimeoutMs: nonNegative('drainTimeoutMs', options.drainTimeoutMs, 30_000),
    maxHealthyLag: nonNegative('maxHealthyLag', options.maxHealthyLag, 10_000),
    healthCheckTimeoutMs: positiveInteger('healthCheckTimeoutMs', options.healthCheckTimeoutMs, 5_000),
    maxJsonDepth: jsonDepth(options.maxJsonDepth),
    telemetry: (options.telemetry ?? true) && otelEnabledByEnv(),
    now: options.now ?? Date.now,
  };
}

function jsonDepth(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_JSON_DEPTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_JSON_DEPTH_LIMIT) {
    throw new BridgeConfigError(`\`maxJsonDepth\` must be an integer from 1 to ${MAX_JSON_DEPTH_LIMIT}, got ${show(value)}`);
  }
  return value;
}

/** @throws BridgeConfigError unless `value` is a positive integer */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BridgeConfigError(`\`${name}\` must be a positive integer, got ${show(value)}`);
  }
  return value;
}

/** @throws BridgeConfigError unless `value` is a finite number >= 0 */
export function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new BridgeConfigError(`\`${name}\` must be a non-negative number, got ${show(value)}`);
  }
  return value;
}

/** Renders a bad value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
