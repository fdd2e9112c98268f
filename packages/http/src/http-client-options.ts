import type { ProtocolCircuitBreaker, ProtocolHttpBody, ProtocolHttpBodyRequestOptions, ProtocolHttpResponse, ProtocolRetryPolicy } from '@onex/spi-types';

/** TLS settings for https origins (passed to `tls.connect`). */
export interface HttpTlsOptions {
  /** Trusted CA certificates (PEM). @default Node's bundled roots */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate chain (PEM) for mutual TLS. */
  readonly cert?: string | Uint8Array;
  /** Client private key (PEM) for mutual TLS. */
  readonly key?: string | Uint8Array;
  /** Verify the server certificate. @default true */
  readonly rejectUnauthorized?: boolean;
  /** SNI server name. @default the URL host */
  readonly servername?: string;
}

/** An explicit proxy. */
export interface HttpProxyOptions {
  /** Proxy URL (`http://host:port`; credentials in the URL become Basic auth). */
  readonly uri: string;
  /** Value of the `Proxy-Authorization` header (e.g. `Bearer …`). */
  readonly token?: string;
}

/** The request as interceptors see it: a fresh object per call, replaced (not mutated) by an interceptor. */
export interface HttpInterceptedRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Absolute URL, query parameters included. */
  readonly url: string;
  /** Headers with lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body per its type, when the call has `data`. */
  readonly data?: ProtocolHttpBody;
  /** Value to send as JSON, when the call has `json`. */
  readonly json?: unknown;
  /** Circuit name used with the breaker. */
  readonly circuitName: string;
}

/**
 * Runs before the request is sent: returns a replacement request, a response (short-circuit: no
 * network I/O), or nothing to keep the request unchanged. May throw to fail the call.
 */
export type HttpRequestInterceptor = (
  request: HttpInterceptedRequest,
) => HttpInterceptedRequest | ProtocolHttpResponse | undefined | void | Promise<HttpInterceptedRequest | ProtocolHttpResponse | undefined | void>;

/** Runs on the final response (after retries): returns a replacement or nothing; may throw to fail the call. */
export type HttpResponseInterceptor = (
  response: ProtocolHttpResponse,
  request: HttpInterceptedRequest,
) => ProtocolHttpResponse | undefined | void | Promise<ProtocolHttpResponse | undefined | void>;

/** The SPI's retry policy plus the options this client adds. */
export interface HttpRetryPolicy extends ProtocolRetryPolicy {
  /**
   * Longest `Retry-After` the client waits, in milliseconds (give this or `maxRetryAfterSeconds`, not both). A
   * retried response that asks for longer is not retried early: the call fails with `HttpRetryAfterTooLongError`
   * (`HTTP_RETRY_AFTER_TOO_LONG`), which carries the response and the requested delay. @default `maxDelayMs`
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Longest `Retry-After` the client waits, in seconds.
   * @deprecated use `maxRetryAfterMs` (same limit in milliseconds); kept for one release.
   */
  readonly maxRetryAfterSeconds?: number;
}

/** Options of {@link HttpClient}, validated once by its constructor. */
export interface HttpClientOptions {
  /** Base for relative URLs (`/users` → `${baseUrl}/users`). */
  readonly baseUrl?: string;
  /** Headers sent with every request (a request's own headers win, case-insensitively). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default total deadline of a call, retries and waits included, in seconds. @default none */
  readonly timeoutSeconds?: number;
  /** Deadline for establishing a TCP (and TLS) connection, in milliseconds. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** The connect deadline in seconds. @deprecated use `connectTimeoutMs` (same deadline in milliseconds); kept for one release. */
  readonly connectTimeoutSeconds?: number;
  /** Deadline for the response headers once the request is sent, in milliseconds (0 disables). @default 30000 */
  readonly headersTimeoutMs?: number;
  /** The headers deadline in seconds. @deprecated use `headersTimeoutMs` (same deadline in milliseconds); kept for one release. */
  readonly headersTimeoutSeconds?: number;
  /** Longest silence between two body chunks, in milliseconds (0 disables). @default 30000 */
  readonly bodyTimeoutMs?: number;
  /** The body idle limit in seconds. @deprecated use `bodyTimeoutMs` (same limit in milliseconds); kept for one release. */
  readonly bodyTimeoutSeconds?: number;
  /** Maximum sockets per origin. @default 32 */
  readonly connections?: number;
  /** Requests pipelined on one socket (1 = no pipelining). @default 1 */
  readonly pipelining?: number;
  /** How long an idle keep-alive socket is kept, in milliseconds (the server's `Keep-Alive: timeout` wins when shorter). @default 4000 */
  readonly keepAliveTimeoutMs?: number;
  /** The idle keep-alive time in seconds. @deprecated use `keepAliveTimeoutMs` (same time in milliseconds); kept for one release. */
  readonly keepAliveTimeoutSeconds?: number;
  /** Largest response body accepted, in bytes. @default 67108864 (64 MiB) */
  readonly maxResponseSize?: number;
  /** TLS settings for https origins. */
  readonly tls?: HttpTlsOptions;
  /** `'env'` uses HTTP_PROXY/HTTPS_PROXY/NO_PROXY (undici `EnvHttpProxyAgent`); a URL or object uses that proxy. @default none */
  readonly proxy?: 'env' | string | HttpProxyOptions;
  /** Retry policy (same as calling `configureRetryPolicy`). @default no retries */
  readonly retry?: HttpRetryPolicy;
  /** Breaker every attempt runs through (same as calling `configureCircuitBreaker`). @default none */
  readonly circuitBreaker?: ProtocolCircuitBreaker;
  /** Reject with `HttpStatusError` on 4xx/5xx by default. @default false */
  readonly throwOnStatus?: boolean;
  /** Latency samples kept for percentiles (ring buffer). @default 1024 */
  readonly latencyWindowSize?: number;
  /** Age after which a latency sample leaves the window, in milliseconds. @default 60000 */
  readonly latencyWindowMs?: number;
  /** The latency sample age limit in seconds. @deprecated use `latencyWindowMs` (same age in milliseconds); kept for one release. */
  readonly latencyWindowSeconds?: number;
  /** Request interceptors, in order. @default [] */
  readonly requestInterceptors?: readonly HttpRequestInterceptor[];
  /** Response interceptors, in order. @default [] */
  readonly responseInterceptors?: readonly HttpResponseInterceptor[];
  /** Source of randomness for backoff jitter, returning [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * OpenTelemetry spans, `traceparent` injection and metrics for this client's attempts, when the
   * application registers an SDK (`false`, or env `ONEX_OTEL_DISABLED=true`, turns them off). @default true
   */
  readonly telemetry?: boolean;
}

/** Per-call options: the SPI's options plus per-call timeouts. */
export interface HttpRequestOptions extends ProtocolHttpBodyRequestOptions {
  /** Overrides the client's `headersTimeoutMs` for this call, in milliseconds (0 disables). */
  readonly headersTimeoutMs?: number;
  /** The headers deadline in seconds. @deprecated use `headersTimeoutMs` (same deadline in milliseconds); kept for one release. */
  readonly headersTimeoutSeconds?: number;
  /** Overrides the client's `bodyTimeoutMs` for this call, in milliseconds (0 disables). */
  readonly bodyTimeoutMs?: number;
  /** The body idle limit in seconds. @deprecated use `bodyTimeoutMs` (same limit in milliseconds); kept for one release. */
  readonly bodyTimeoutSeconds?: number;
}
