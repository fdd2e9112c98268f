import { backoffDelay } from '@onex/spi-types/support';

/** Resolved reconnect settings. */
export interface BackoffSettings {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based), whole ms: the shared exponential backoff with equal jitter,
 * so clients that lost the same server spread out without ever retrying immediately.
 */
export function reconnectDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  return Math.round(backoffDelay(attempt, { initialDelayMs: settings.initialDelayMs, maxDelayMs: settings.maxDelayMs, jitter: 'equal', random }));
}
