import type { CircuitBreakerConfig } from '../circuit-breaker-config.js';
import { CircuitBreakerConfigError } from '../errors/circuit-breaker-config-error.js';
import { configCheck } from './config-check.js';

/** Percentage-mode settings handed to opossum. */
export interface PercentageMode {
  readonly errorThresholdPercentage: number;
  readonly rollingWindowMs: number;
  readonly volumeThreshold: number;
}

/** A validated circuit configuration in milliseconds, ready for the hot path. */
export interface ResolvedCircuitConfig {
  /** The config as given (merged with defaults), for reporting. */
  readonly source: CircuitBreakerConfig;
  /** Consecutive failures that open the circuit (Infinity: rule off). */
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly successThreshold: number;
  /** 0: no per-call timeout. */
  readonly callTimeoutMs: number;
  readonly halfOpenMaxConcurrent: number;
  /** Longest a half-open trial may run before it counts as a failure. */
  readonly halfOpenTrialTimeoutMs: number;
  /** Rolling window length (also used outside percentage mode for the window metrics). */
  readonly rollingWindowMs: number;
  readonly percentage: PercentageMode | undefined;
  /** Infinity: slow-call counting off. */
  readonly slowCallMs: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  /** The circuit's result filter (a call's own `isFailureResult` takes its place). */
  readonly isFailureResult: ((result: unknown) => boolean) | undefined;
  /**
   * Slow-call counting, `isFailure` or `isFailureResult` is on: outcomes may travel through opossum as markers that the
   * caller's promise unwraps. False keeps the hot path free of that extra step.
   */
  readonly marksOutcomes: boolean;
}

/** Keys a config may carry; anything else is a typo and is rejected. */
const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'failureThreshold',
  'timeoutSeconds',
  'successThreshold',
  'callTimeoutSeconds',
  'halfOpenMaxConcurrent',
  'halfOpenTrialTimeoutSeconds',
  'errorThresholdPercentage',
  'rollingWindowSeconds',
  'volumeThreshold',
  'slowCallDurationSeconds',
  'isFailure',
  'isFailureResult',
]);

/** Largest delay Node's timers accept (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

function positiveInteger(prefix: string, key: string, value: unknown): number {
  return configCheck.integer(`${prefix}${key}`, value, { min: 1, max: Number.POSITIVE_INFINITY });
}

function nonNegativeInteger(prefix: string, key: string, value: unknown): number {
  return configCheck.integer(`${prefix}${key}`, value, { min: 0, max: Number.POSITIVE_INFINITY });
}

function seconds(prefix: string, key: string, value: unknown, allowZero: boolean): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && value * 1000 <= MAX_TIMER_MS;
  if (!ok) {
    throw new CircuitBreakerConfigError(
      `${prefix}${key}`,
      `a finite number of seconds ${allowZero ? '>= 0' : '> 0'} and at most ${MAX_TIMER_MS / 1000}`,
      value,
    );
  }
  return value * 1000;
}

/** Seconds to whole milliseconds, never rounding a positive duration down to 0. */
function toMs(ms: number): number {
  return ms === 0 ? 0 : Math.max(1, Math.round(ms));
}

/**
 * Validates every field of a circuit config and converts it to milliseconds.
 * @param prefix prepended to option names in messages (`defaults.` for registry defaults)
 * @throws CircuitBreakerConfigError (code `CIRCUIT_INVALID_CONFIG`) naming the option and the bad value
 */
export function resolveConfig(config: unknown, prefix = ''): ResolvedCircuitConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CircuitBreakerConfigError(prefix ? prefix.slice(0, -1) : 'config', 'an object', config);
  }
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new CircuitBreakerConfigError(`${prefix}${key}`, `one of the known options (${[...KNOWN_KEYS].join(', ')})`, key);
    }
  }
  const percentageGiven = c['errorThresholdPercentage'] !== undefined;
  const failureThreshold =
    c['failureThreshold'] !== undefined
      ? positiveInteger(prefix, 'failureThreshold', c['failureThreshold'])
      : percentageGiven
        ? Number.POSITIVE_INFINITY
        : 5;
  const openMs = toMs(c['timeoutSeconds'] !== undefined ? seconds(prefix, 'timeoutSeconds', c['timeoutSeconds'], false) : 60_000);
  const successThreshold =
    c['successThreshold'] !== undefined ? positiveInteger(prefix, 'successThreshold', c['successThreshold']) : 1;
  const callTimeoutMs = toMs(
    c['callTimeoutSeconds'] !== undefined ? seconds(prefix, 'callTimeoutSeconds', c['callTimeoutSeconds'], true) : 0,
  );
  const halfOpenMaxConcurrent =
    c['halfOpenMaxConcurrent'] !== undefined ? positiveInteger(prefix, 'halfOpenMaxConcurrent', c['halfOpenMaxConcurrent']) : 1;
  const halfOpenTrialTimeoutMs = toMs(
    c['halfOpenTrialTimeoutSeconds'] !== undefined
      ? seconds(prefix, 'halfOpenTrialTimeoutSeconds', c['halfOpenTrialTimeoutSeconds'], false)
      : 60_000,
  );
  const rollingWindowMs = toMs(
    c['rollingWindowSeconds'] !== undefined ? seconds(prefix, 'rollingWindowSeconds', c['rollingWindowSeconds'], false) : 10_000,
  );
  if (rollingWindowMs < 10) {
    throw new CircuitBreakerConfigError(`${prefix}rollingWindowSeconds`, 'at least 0.01 (10 buckets of 1 ms)', c['rollingWindowSeconds']);
  }
  const volumeThreshold =
    c['volumeThreshold'] !== undefined ? nonNegativeInteger(prefix, 'volumeThreshold', c['volumeThreshold']) : 10;
  let percentage: PercentageMode | undefined;
  if (percentageGiven) {
    const value = c['errorThresholdPercentage'];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 100) {
      throw new CircuitBreakerConfigError(`${prefix}errorThresholdPercentage`, 'a number >= 0 and < 100', value);
    }
    percentage = { errorThresholdPercentage: value, rollingWindowMs, volumeThreshold };
  }
  const slowCallMs =
    c['slowCallDurationSeconds'] !== undefined
      ? toMs(seconds(prefix, 'slowCallDurationSeconds', c['slowCallDurationSeconds'], false))
      : Number.POSITIVE_INFINITY;
  const isFailure = c['isFailure'];
  if (isFailure !== undefined && typeof isFailure !== 'function') {
    throw new CircuitBreakerConfigError(`${prefix}isFailure`, 'a function (error) => boolean', isFailure);
  }
  const isFailureResult = c['isFailureResult'];
  if (isFailureResult !== undefined && typeof isFailureResult !== 'function') {
    throw new CircuitBreakerConfigError(`${prefix}isFailureResult`, 'a function (result) => boolean', isFailureResult);
  }
  return {
    source: { ...(c as CircuitBreakerConfig) },
    failureThreshold,
    openMs,
    successThreshold,
    callTimeoutMs,
    halfOpenMaxConcurrent,
    halfOpenTrialTimeoutMs,
    rollingWindowMs,
    percentage,
    slowCallMs,
    isFailure: isFailure as ((error: unknown) => boolean) | undefined,
    isFailureResult: isFailureResult as ((result: unknown) => boolean) | undefined,
    marksOutcomes: slowCallMs !== Number.POSITIVE_INFINITY || isFailure !== undefined || isFailureResult !== undefined,
  };
}
