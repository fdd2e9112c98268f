import { backoffDelay, describeValue } from '@onex/spi-types/support';
import type { HttpRetryPolicy } from '../http-client-options.js';
import { DEFAULT_RETRY_ERROR_CODES, DEFAULT_RETRY_METHODS } from '../retry-defaults.js';
import { check, durationOption } from './option-checks.js';

/** A validated retry policy with every default applied. */
export interface NormalizedRetryPolicy {
  readonly maxRetries: number;
  readonly backoffFactor: number;
  readonly retryOnStatusCodes: ReadonlySet<number>;
  readonly maxDelayMs: number;
  /** Longest `Retry-After` waited; a longer one ends the call with `HTTP_RETRY_AFTER_TOO_LONG`. */
  readonly maxRetryAfterMs: number;
  readonly jitter: 'none' | 'full' | 'equal';
  readonly retryOnErrorCodes: ReadonlySet<string>;
  readonly retryMethods: ReadonlySet<string>;
  readonly respectRetryAfter: boolean;
}

/** Largest delay Node's timers accept (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** The policy in effect before `configureRetryPolicy`: no retries. */
export const NO_RETRY_POLICY: NormalizedRetryPolicy = {
  maxRetries: 0,
  backoffFactor: 0,
  retryOnStatusCodes: new Set(),
  maxDelayMs: 30_000,
  maxRetryAfterMs: 30_000,
  jitter: 'full',
  retryOnErrorCodes: new Set(DEFAULT_RETRY_ERROR_CODES),
  retryMethods: new Set(DEFAULT_RETRY_METHODS),
  respectRetryAfter: true,
};

/**
 * Renders a bad value for an error message (the shared renderer).
 * @deprecated import `describeValue` from `@onex/spi-types/support`
 */
export const describe = describeValue;

const invalid = (option: string, expectation: string, value: unknown): Error => check.fail(option, expectation, value);

/**
 * Validates a retry policy and applies its defaults.
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`) naming the bad field and value.
 */
export function normalizeRetryPolicy(policy: HttpRetryPolicy, prefix = 'retry'): NormalizedRetryPolicy {
  if (typeof policy !== 'object' || policy === null) throw invalid(prefix, 'an object', policy);
  const { retryOnStatusCodes } = policy;
  const maxRetries = check.integer(`${prefix}.maxRetries`, policy.maxRetries, { min: 0 });
  const backoffFactor = check.number(`${prefix}.backoffFactor`, policy.backoffFactor, { min: 0, expectation: 'a non-negative finite number' });
  if (!Array.isArray(retryOnStatusCodes)) throw invalid(`${prefix}.retryOnStatusCodes`, 'an array of status codes', retryOnStatusCodes);
  for (const code of retryOnStatusCodes) {
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw invalid(`${prefix}.retryOnStatusCodes`, 'status codes between 100 and 599', code);
    }
  }
  // Beyond what a Node timer holds, a wait would fire after 1 ms: a retry far earlier than asked.
  const maxDelayMs = durationOption(policy, 'maxDelayMs', 'maxDelaySeconds', { allowZero: true, maxMs: MAX_TIMER_MS, prefix: `${prefix}.` }) ?? 30_000;
  const maxRetryAfterMs =
    durationOption(policy, 'maxRetryAfterMs', 'maxRetryAfterSeconds', { allowZero: true, maxMs: MAX_TIMER_MS, prefix: `${prefix}.` }) ?? maxDelayMs;
  const jitter = check.oneOf(`${prefix}.jitter`, policy.jitter, ['none', 'full', 'equal'] as const, 'full');
  const errorCodes = policy.retryOnErrorCodes ?? DEFAULT_RETRY_ERROR_CODES;
  if (!Array.isArray(errorCodes) || errorCodes.some((c) => typeof c !== 'string' || c === '')) {
    throw invalid(`${prefix}.retryOnErrorCodes`, 'an array of non-empty strings', errorCodes);
  }
  const methods = policy.retryMethods ?? DEFAULT_RETRY_METHODS;
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || m === '')) {
    throw invalid(`${prefix}.retryMethods`, 'an array of method names', methods);
  }
  const respectRetryAfter = check.boolean(`${prefix}.respectRetryAfter`, policy.respectRetryAfter, true);
  return {
    maxRetries,
    backoffFactor,
    retryOnStatusCodes: new Set(retryOnStatusCodes),
    maxDelayMs,
    maxRetryAfterMs,
    jitter,
    retryOnErrorCodes: new Set(errorCodes),
    retryMethods: new Set(methods.map((m) => m.toUpperCase())),
    respectRetryAfter,
  };
}

/**
 * Parses a `Retry-After` header value into milliseconds from `now`: delta-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Anything else is treated as absent (undefined); a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP-date: IMF-fixdate or the obsolete forms; all carry a weekday name and a GMT zone.
  if (!/^[A-Za-z]{3,9}, .+ GMT$|^[A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (1-based). Without `Retry-After`: exponential backoff
 * (`backoffFactor × 2^(retry−1)` s) capped by `maxDelayMs`, then jittered downwards. With a
 * `Retry-After` (and `respectRetryAfter`): exactly the server's value, never shortened by jitter or a
 * cap (a retry before it would be refused again); 0 means "now". The caller gives up instead when it
 * exceeds `maxRetryAfterMs`.
 */
export function computeRetryDelay(
  policy: NormalizedRetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined && policy.respectRetryAfter) return retryAfterMs;
  return backoffDelay(retry, { initialDelayMs: policy.backoffFactor * 1000, maxDelayMs: policy.maxDelayMs, jitter: policy.jitter, random });
}
