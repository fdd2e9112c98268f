import type { ProtocolConnectionPoolStats, ProtocolHttpClientMetrics } from '@onex/spi-types';
import { LatencyWindow } from '@onex/spi-types/support';
import type { HttpCallOutcome } from '../http-call-outcome.js';

// Public (src/http-call-outcome.ts); classify-outcome.ts takes it from here.
export type { HttpCallOutcome };

type TimeoutKind = 'connect' | 'headers' | 'body' | 'total';

/** Mutable counters behind `getClientMetrics`; the snapshot is a plain object. */
export class MetricsRecorder {
  readonly #latency: LatencyWindow;
  readonly #byOutcome: Record<string, number> = {};
  readonly #byStatusClass: Record<string, number> = {};
  readonly #timeouts: Record<TimeoutKind, number> = { connect: 0, headers: 0, body: 0, total: 0 };
  #requestsTotal = 0;
  #succeeded = 0;
  #failed = 0;
  #attempts = 0;
  #retries = 0;
  #circuitRejections = 0;
  #bytesSent = 0;
  #bytesReceived = 0;
  inFlight = 0;

  constructor(windowSize: number, windowMs: number) {
    this.#latency = new LatencyWindow({ capacity: windowSize, maxAgeMs: windowMs });
  }

  attempt(bytesSent: number): void {
    this.#attempts += 1;
    this.#bytesSent += bytesSent;
  }

  addBytesSent(bytes: number): void {
    this.#bytesSent += bytes;
  }

  received(bytes: number): void {
    this.#bytesReceived += bytes;
  }

  retry(): void {
    this.#retries += 1;
  }

  timeout(kind: TimeoutKind): void {
    this.#timeouts[kind] += 1;
  }

  circuitRejection(): void {
    this.#circuitRejections += 1;
  }

  /** Records the end of a call. */
  finish(outcome: HttpCallOutcome, statusCode: number | undefined, elapsedMs: number): void {
    this.#requestsTotal += 1;
    this.#byOutcome[outcome] = (this.#byOutcome[outcome] ?? 0) + 1;
    if (statusCode !== undefined) {
      const cls = `${Math.floor(statusCode / 100)}xx`;
      this.#byStatusClass[cls] = (this.#byStatusClass[cls] ?? 0) + 1;
    }
    if (outcome === 'success') this.#succeeded += 1;
    else this.#failed += 1;
    this.#latency.record(elapsedMs);
  }

  snapshot(pool: ProtocolConnectionPoolStats): ProtocolHttpClientMetrics {
    return {
      requestsTotal: this.#requestsTotal,
      requestsSucceeded: this.#succeeded,
      requestsFailed: this.#failed,
      byOutcome: { ...this.#byOutcome },
      byStatusClass: { ...this.#byStatusClass },
      attemptsTotal: this.#attempts,
      retriesTotal: this.#retries,
      timeouts: { ...this.#timeouts },
      circuitRejections: this.#circuitRejections,
      inFlight: this.inFlight,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
      latency: this.#latency.summary(),
      pool,
    };
  }
}
