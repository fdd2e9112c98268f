/** How a backoff delay is randomised: `'full'` in [0, base], `'equal'` in [base/2, base], `'none'` exactly base. */
export type BackoffJitter = 'none' | 'full' | 'equal';

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Delay of the first retry before jitter, in ms; doubled on each further retry. */
  readonly initialDelayMs: number;
  /** Cap of the exponential delay (applied before jitter), in ms. @default Infinity */
  readonly maxDelayMs?: number;
  /** How the capped delay is randomised. @default 'none' */
  readonly jitter?: BackoffJitter;
  /** Source of randomness in [0, 1), for jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * A wait the other side asked for (a `Retry-After` header, an open breaker's `retryAfterMs`), in ms: the
   * result is never shorter, whatever the jitter and the cap. @default 0
   */
  readonly retryAfterMs?: number;
}

/**
 * The wait in ms before retry number `attempt` (1-based): `initialDelayMs × 2^(attempt−1)`, capped at
 * `maxDelayMs`, jittered as `jitter` says, and never below `retryAfterMs`. An attempt below 1 counts as 1.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { initialDelayMs, maxDelayMs = Number.POSITIVE_INFINITY, jitter = 'none', random = Math.random, retryAfterMs = 0 } = options;
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  let delay: number;
  switch (jitter) {
    case 'none':
      delay = base;
      break;
    case 'full':
      delay = random() * base;
      break;
    case 'equal':
      delay = base / 2 + random() * (base / 2);
      break;
  }
  return Math.max(delay, retryAfterMs);
}
