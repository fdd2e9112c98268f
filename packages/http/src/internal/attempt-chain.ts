import { HttpAbortedError, HttpTimeoutError, type HttpError } from '../errors/http-errors.js';
import type { HttpResponse } from '../http-response.js';
import type { CallSettings } from './client-settings.js';
import type { MetricsRecorder } from './metrics-recorder.js';
import type { PreparedRequest } from './prepare-request.js';

/** What one attempt (or a whole chain of them) ended with; the chain never throws an HttpError. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly response: HttpResponse }
  | { readonly kind: 'error'; readonly error: HttpError };

/**
 * Performs an attempt of `call`: `attempt` is its 1-based number, `signal` an extra cancellation
 * (the breaker's), `headers` what goes on the wire. Only errors that are not the client's own (a
 * breaker's rejection) are thrown; everything else is an {@link AttemptOutcome}.
 */
export type AttemptFn = (
  call: HttpCall,
  attempt: number,
  signal: AbortSignal | undefined,
  headers: Readonly<Record<string, string>>,
) => Promise<AttemptOutcome>;

/** Takes the next attempt function and returns one that adds a concern around it. */
export type AttemptWrapper = (next: AttemptFn) => AttemptFn;

/** Composes wrappers around a core, outermost first: `composeAttempt(core, a, b)` is `a(b(core))`. */
export function composeAttempt(core: AttemptFn, ...wrappers: readonly AttemptWrapper[]): AttemptFn {
  return wrappers.reduceRight<AttemptFn>((next, wrap) => wrap(next), core);
}

/** Per-call state the wrappers share: the prepared request, its deadline and cancellation, attempts made. */
export class HttpCall {
  readonly method: string;
  readonly href: string;
  /** Set by the deadline wrapper when the call has a deadline or a caller signal. */
  controller: AbortController | undefined = undefined;
  /** `performance.now()` by which the call must end, when it has a total deadline. */
  deadline: number | undefined = undefined;
  abortReason: 'total' | 'caller' | undefined = undefined;
  /** True once a stream body has been handed to the socket. */
  streamConsumed = false;
  /** Attempts started so far (an attempt the breaker refused included). */
  attempts = 0;

  readonly totalMs: number | undefined;
  readonly callerSignal: AbortSignal | undefined;
  readonly headersTimeout: number | undefined;
  readonly bodyTimeout: number | undefined;

  constructor(
    readonly requestId: number,
    readonly request: PreparedRequest,
    readonly startedAt: number,
    settings: CallSettings,
    readonly metrics: MetricsRecorder,
  ) {
    this.method = request.method;
    this.href = request.url.href;
    this.totalMs = settings.totalMs;
    this.callerSignal = settings.signal;
    this.headersTimeout = settings.headersTimeout;
    this.bodyTimeout = settings.bodyTimeout;
  }

  /** The error for a cancelled call: the total deadline's timeout, or the caller's abort. */
  abortError(cause: unknown): HttpError {
    if (this.abortReason === 'total') {
      this.metrics.timeout('total');
      return new HttpTimeoutError('total', this.method, this.href, this.totalMs ?? 0, { cause });
    }
    return new HttpAbortedError(this.method, this.href, { cause });
  }
}
