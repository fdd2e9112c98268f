import type { ProtocolCircuitBreaker } from './circuit-breaker.js';
import type { ContextValue, ProtocolLatencySummary } from './common.js';

/** Request headers; names are case-insensitive. */
export type ProtocolHttpHeaders = Readonly<Record<string, string>>;

/** Query parameters; arrays repeat the key (`a=1&a=2`). */
export type ProtocolHttpQueryParams = Readonly<
  Record<string, string | number | boolean | readonly (string | number | boolean)[]>
>;

/**
 * A request body: a string (sent as is), bytes, a JSON-like object (sent as a form, see the
 * implementation's README for the exact mapping) or a stream of bytes (sent once, never replayed).
 */
export type ProtocolHttpBody = ContextValue | AsyncIterable<Uint8Array>;

/** Options every HTTP call accepts (the seed's defaulted parameters plus what undici users expect). */
export interface ProtocolHttpRequestOptions {
  /** Request headers, case-insensitive. */
  readonly headers?: ProtocolHttpHeaders;
  /** Query parameters appended to the URL's existing query. */
  readonly params?: ProtocolHttpQueryParams;
  /** Total deadline for the call including retries, in seconds. */
  readonly timeoutSeconds?: number;
  /** Caller's cancellation signal. */
  readonly signal?: AbortSignal;
  /** Reject with a typed error on 4xx/5xx instead of resolving. @default false */
  readonly throwOnStatus?: boolean;
  /** Circuit name for the injected breaker. @default the request origin */
  readonly circuitName?: string;
}

/** Options of calls that carry a body. */
export interface ProtocolHttpBodyRequestOptions extends ProtocolHttpRequestOptions {
  /** Body sent per its type (string, bytes, form object, stream). */
  readonly data?: ProtocolHttpBody;
  /** Body serialised as JSON with `content-type: application/json`. */
  readonly json?: unknown;
}

/** A complete, buffered HTTP response. */
export interface ProtocolHttpResponse {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Response headers with lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The response body bytes (after content decoding, if any). */
  readonly body: Uint8Array;
  /** Final URL of the request (with query parameters). */
  readonly url: string;
  /** Wall time of the whole call, retries included, in ms. */
  readonly elapsedMs: number;
  /** Attempts made (1 when no retry happened). */
  readonly attempts: number;
  /** True for 2xx status codes. */
  readonly ok: boolean;
  /** The body decoded as UTF-8. */
  text(): string;
  /**
   * The body parsed as JSON.
   * @throws OnexError with code `HTTP_INVALID_JSON` when the body is not valid JSON.
   */
  json<T = unknown>(): T;
}

/** Retry policy of an HTTP client (the seed's `ProtocolRetryPolicy` plus the usual knobs). */
export interface ProtocolRetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Backoff base in seconds: retry n waits `backoffFactor × 2^(n−1)` s before jitter and cap. */
  readonly backoffFactor: number;
  /** Status codes that are retried. */
  readonly retryOnStatusCodes: readonly number[];
  /** Cap on a single wait (backoff or Retry-After), in milliseconds (give this or `maxDelaySeconds`, not both). @default 30000 */
  readonly maxDelayMs?: number;
  /**
   * Cap on a single wait (backoff or Retry-After), in seconds. @default 30
   * @deprecated use `maxDelayMs` (same cap in milliseconds); kept for one release.
   */
  readonly maxDelaySeconds?: number;
  /** Randomisation of the backoff: `full` (0..delay), `equal` (delay/2..delay) or `none`. @default 'full' */
  readonly jitter?: 'none' | 'full' | 'equal';
  /** Network error codes that are retried (e.g. `ECONNRESET`, `HTTP_TIMEOUT_CONNECT`). */
  readonly retryOnErrorCodes?: readonly string[];
  /** Methods retried without an `Idempotency-Key` header. @default GET HEAD OPTIONS PUT DELETE TRACE */
  readonly retryMethods?: readonly string[];
  /** Honour `Retry-After` on retried responses. @default true */
  readonly respectRetryAfter?: boolean;
}

/** Connection counters of one pool, as undici reports them. */
export interface ProtocolPoolCounters {
  /** Open sockets. */
  readonly connected: number;
  /** Open sockets with nothing in flight. */
  readonly free: number;
  /** Requests waiting for a socket. */
  readonly pending: number;
  /** Requests queued on sockets (pending + running). */
  readonly queued: number;
  /** Requests being processed. */
  readonly running: number;
  /** Requests owned by the pool (pending + running). */
  readonly size: number;
}

/** Connection pool statistics: totals and per origin, with cumulative connection events. */
export interface ProtocolConnectionPoolStats {
  /** Sum over every origin, plus cumulative connection events. */
  readonly totals: ProtocolPoolCounters & {
    /** Connections opened since the client was created. */
    readonly connects: number;
    /** Connections closed since the client was created. */
    readonly disconnects: number;
    /** Connection errors since the client was created. */
    readonly connectionErrors: number;
  };
  /** Counters keyed by origin (`http://127.0.0.1:8080`). */
  readonly origins: Readonly<Record<string, ProtocolPoolCounters>>;
}

/** Snapshot of an HTTP client's metrics (names follow OpenTelemetry HTTP conventions). */
export interface ProtocolHttpClientMetrics {
  /** Calls that finished (with a response or an error). */
  readonly requestsTotal: number;
  /** Calls that ended with a response of status < 400. */
  readonly requestsSucceeded: number;
  /** Calls that ended with status >= 400 or an error. */
  readonly requestsFailed: number;
  /** Finished calls by outcome (`success`, `http_error`, `network_error`, `timeout`, `circuit_open`, `aborted`, …). */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** Final responses by status class (`1xx` … `5xx`). */
  readonly byStatusClass: Readonly<Record<string, number>>;
  /** Attempts sent, retries included. */
  readonly attemptsTotal: number;
  /** Retries made. */
  readonly retriesTotal: number;
  /** Timeouts by kind (`connect`, `headers`, `body`, `total`). */
  readonly timeouts: Readonly<Record<'connect' | 'headers' | 'body' | 'total', number>>;
  /** Attempts rejected by an open circuit. */
  readonly circuitRejections: number;
  /** Calls in flight now. */
  readonly inFlight: number;
  /** Request body bytes sent. */
  readonly bytesSent: number;
  /** Response body bytes received. */
  readonly bytesReceived: number;
  /** Call latency over a sliding window. */
  readonly latency: ProtocolLatencySummary;
  /** Pool statistics per origin. */
  readonly pool: ProtocolConnectionPoolStats;
}

/** The seed's `ProtocolHttpClient`: HTTP calls with pooling, retries, breaker and metrics. */
export interface ProtocolHttpClient {
  /** Sends a GET request. */
  get(url: string, options?: ProtocolHttpRequestOptions): Promise<ProtocolHttpResponse>;
  /** Sends a POST request. */
  post(url: string, options?: ProtocolHttpBodyRequestOptions): Promise<ProtocolHttpResponse>;
  /** Sends a PUT request. */
  put(url: string, options?: ProtocolHttpBodyRequestOptions): Promise<ProtocolHttpResponse>;
  /** Sends a DELETE request. */
  delete(url: string, options?: ProtocolHttpRequestOptions): Promise<ProtocolHttpResponse>;
  /** Sends a PATCH request. */
  patch(url: string, options?: ProtocolHttpBodyRequestOptions): Promise<ProtocolHttpResponse>;
  /** Sends a request with any method. */
  request(method: string, url: string, options?: ProtocolHttpBodyRequestOptions): Promise<ProtocolHttpResponse>;
  /** Returns a snapshot of the client's metrics. */
  getClientMetrics(): Promise<ProtocolHttpClientMetrics>;
  /** Replaces the retry policy; resolves true when applied. */
  configureRetryPolicy(policy: ProtocolRetryPolicy): Promise<boolean>;
  /** Routes every attempt through the given breaker; resolves true when applied. */
  configureCircuitBreaker(breaker: ProtocolCircuitBreaker): Promise<boolean>;
}
