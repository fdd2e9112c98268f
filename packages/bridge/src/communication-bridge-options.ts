import type { ProtocolCircuitBreaker } from '@onex/spi-types';
import type { BridgeAdapter } from './adapters/bridge-adapter.js';
import { BridgeConfigError } from './errors/bridge-errors.js';
import { bridgeCheck } from './internal/bridge-check.js';
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
    throw bridgeCheck.fail('options', 'an object', options);
  }
  const breaker = options.circuitBreaker;
  if (breaker !== undefined && typeof breaker?.executeWithCircuitBreaker !== 'function') {
    throw new BridgeConfigError('`circuitBreaker` must implement ProtocolCircuitBreaker (executeWithCircuitBreaker missing)');
  }
  if (options.now !== undefined) bridgeCheck.function('now', options.now);
  if (options.telemetry !== undefined) bridgeCheck.boolean('telemetry', options.telemetry);
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
  return bridgeCheck.integer('maxJsonDepth', value, { min: 1, max: MAX_JSON_DEPTH_LIMIT, fallback: DEFAULT_MAX_JSON_DEPTH });
}

/** @throws BridgeConfigError unless `value` is a positive integer */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  return bridgeCheck.integer(name, value, { min: 1, max: Number.POSITIVE_INFINITY, fallback });
}

/** @throws BridgeConfigError unless `value` is a finite number >= 0 */
export function nonNegative(name: string, value: unknown, fallback: number): number {
  return bridgeCheck.number(name, value, { min: 0, fallback });
}
