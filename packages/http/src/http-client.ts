import type {
  ProtocolCircuitBreaker,
  ProtocolHttpClient,
  ProtocolHttpClientMetrics,
  ProtocolHttpRequestOptions,
  ProtocolHttpResponse,
} from '@onex/spi-types';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { HttpClientClosedError, HttpRetryAfterTooLongError, HttpStatusError } from './errors/http-errors.js';
import type {
  HttpClientOptions,
  HttpRequestInterceptor,
  HttpRequestOptions,
  HttpResponseInterceptor,
  HttpRetryPolicy,
} from './http-client-options.js';
import { HttpResponse } from './http-response.js';
import { composeAttempt, HttpCall, type AttemptFn } from './internal/attempt-chain.js';
import { classifyError, classifyStatus, type OutcomeVerdict } from './internal/classify-outcome.js';
import { readCallOptions, readClientOptions, type ClientSettings } from './internal/client-settings.js';
import { createDispatcher } from './internal/create-dispatcher.js';
import { channels } from './internal/diagnostics.js';
import { enforceDeadline } from './internal/enforce-deadline.js';
import { guardWithBreaker } from './internal/guard-with-breaker.js';
import { MetricsRecorder } from './internal/metrics-recorder.js';
import { observeAttempt } from './internal/observe-attempt.js';
import { functionOption, optionError } from './internal/option-checks.js';
import { PoolTracker } from './internal/pool-tracker.js';
import { isResponseLike, prepareIntercepted, prepareRequest, type PreparedRequest } from './internal/prepare-request.js';
import { retryAttempts } from './internal/retry-attempts.js';
import { NO_RETRY_POLICY, normalizeRetryPolicy, type NormalizedRetryPolicy } from './internal/retry-policy.js';
import { sendAttempt } from './internal/send-attempt.js';

let nextRequestId = 1;

/**
 * An HTTP client on undici 7: one keep-alive pool per origin, four distinct timeouts, a retry
 * policy that honours `Retry-After`, an injected circuit breaker, interceptors and metrics. A call
 * runs through a chain of per-attempt wrappers around a core that sends one attempt:
 * deadline → retry → breaker → observe → send.
 */
export class HttpClient implements ProtocolHttpClient {
  readonly #dispatcher: Dispatcher;
  readonly #pools = new PoolTracker();
  readonly #metrics: MetricsRecorder;
  readonly #attempt: AttemptFn;
  readonly #settings: ClientSettings;
  readonly #requestInterceptors: HttpRequestInterceptor[] = [];
  readonly #responseInterceptors: HttpResponseInterceptor[] = [];
  #retry: NormalizedRetryPolicy = NO_RETRY_POLICY;
  #breaker: ProtocolCircuitBreaker | undefined;
  #closed = false;

  /**
   * Creates a client; nothing connects until the first request.
   * @throws HttpValidationError (`HTTP_INVALID_OPTION`, `HTTP_INVALID_URL`, `HTTP_INVALID_HEADER`) naming the bad option and value.
   */
  constructor(options: HttpClientOptions = {}) {
    const settings = (this.#settings = readClientOptions(options));
    const metrics = (this.#metrics = new MetricsRecorder(settings.latencyWindowSize, settings.latencyWindowMs));
    if (options.retry !== undefined) this.#retry = normalizeRetryPolicy(options.retry);
    if (options.circuitBreaker !== undefined) this.#breaker = checkBreaker(options.circuitBreaker, 'circuitBreaker');
    for (const [i, fn] of (options.requestInterceptors ?? []).entries()) {
      this.#requestInterceptors.push(functionOption<HttpRequestInterceptor>(`requestInterceptors[${i}]`, fn)!);
    }
    for (const [i, fn] of (options.responseInterceptors ?? []).entries()) {
      this.#responseInterceptors.push(functionOption<HttpResponseInterceptor>(`responseInterceptors[${i}]`, fn)!);
    }
    const dispatcher = (this.#dispatcher = createDispatcher({ ...settings.agent, factory: this.#pools.factory }, options.tls, options.proxy));
    // The deadline covers every retry and wait; each attempt passes the breaker, which sees each observed attempt.
    this.#attempt = composeAttempt(
      sendAttempt(dispatcher, settings.limits, metrics, () => this.#closed),
      enforceDeadline(),
      retryAttempts(() => this.#retry, settings.random, metrics),
      guardWithBreaker(() => this.#breaker, metrics),
      observeAttempt(settings.telemetry),
    );
  }

  /** Sends a GET request. @throws HttpError (see README, Errors). */
  get(url: string, options?: ProtocolHttpRequestOptions & Pick<HttpRequestOptions, 'headersTimeoutMs' | 'bodyTimeoutMs' | 'headersTimeoutSeconds' | 'bodyTimeoutSeconds'>): Promise<HttpResponse> {
    return this.request('GET', url, options);
  }

  /** Sends a POST request (not retried unless it carries an `Idempotency-Key` header). */
  post(url: string, options?: HttpRequestOptions): Promise<HttpResponse> {
    return this.request('POST', url, options);
  }

  /** Sends a PUT request. */
  put(url: string, options?: HttpRequestOptions): Promise<HttpResponse> {
    return this.request('PUT', url, options);
  }

  /** Sends a DELETE request. */
  delete(url: string, options?: ProtocolHttpRequestOptions & Pick<HttpRequestOptions, 'headersTimeoutMs' | 'bodyTimeoutMs' | 'headersTimeoutSeconds' | 'bodyTimeoutSeconds'>): Promise<HttpResponse> {
    return this.request('DELETE', url, options);
  }

  /** Sends a PATCH request (not retried unless it carries an `Idempotency-Key` header). */
  patch(url: string, options?: HttpRequestOptions): Promise<HttpResponse> {
    return this.request('PATCH', url, options);
  }

  /**
   * Sends a request with any supported method and resolves with the buffered response; status
   * codes are not errors unless `throwOnStatus` is set.
   * @throws HttpValidationError before any network I/O for bad input.
   * @throws HttpTimeoutError, HttpNetworkError, HttpAbortedError, HttpStatusError, HttpResponseTooLargeError,
   *   HttpBodyNotReplayableError, HttpRetryAfterTooLongError, HttpClientClosedError, or the breaker's own error
   *   (e.g. `CIRCUIT_OPEN`).
   */
  async request(method: string, url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const started = performance.now();
    const metrics = this.#metrics;
    metrics.inFlight += 1;
    let call: HttpCall | undefined;
    let verdict: OutcomeVerdict | undefined;
    let statusCode: number | undefined;
    let prepared: PreparedRequest | undefined;
    let requestId = 0;
    try {
      const callSettings = readCallOptions(options, this.#settings);
      const hasJson = 'json' in options && options.json !== undefined;
      const { headers, params, data, json } = options;
      prepared = prepareRequest({ method, url, headers, params, data, json, hasJson, circuitName: callSettings.circuitName }, this.#settings.baseUrl, this.#settings.defaultHeaders);
      if (this.#closed) throw new HttpClientClosedError(prepared.method, prepared.url.href);

      let shortCircuit: ProtocolHttpResponse | undefined;
      for (const interceptor of this.#requestInterceptors) {
        const result = await interceptor(prepared.intercepted);
        if (result === undefined || result === null || result === prepared.intercepted) continue;
        if (isResponseLike(result)) {
          shortCircuit = result;
          break;
        }
        prepared = prepareIntercepted(result, this.#settings.baseUrl, this.#settings.defaultHeaders);
      }

      requestId = nextRequestId++;
      if (channels.requestStart.hasSubscribers) {
        channels.requestStart.publish({ requestId, method: prepared.method, url: prepared.url.href, circuitName: prepared.circuitName });
      }

      let response: ProtocolHttpResponse;
      if (shortCircuit !== undefined) {
        const { statusCode: status, headers: shortHeaders, body } = shortCircuit;
        const elapsedMs = performance.now() - started;
        response = new HttpResponse({ statusCode: status, headers: shortHeaders, body, url: shortCircuit.url || prepared.url.href, elapsedMs, attempts: 0 });
      } else {
        call = new HttpCall(requestId, prepared, started, callSettings, metrics);
        const outcome = await this.#attempt(call, 1, undefined, prepared.headers);
        if (outcome.kind === 'error') throw outcome.error;
        response = outcome.response.withCall(prepared.url.href, performance.now() - started, call.attempts);
      }

      for (const interceptor of this.#responseInterceptors) {
        const replaced = await interceptor(response, prepared.intercepted);
        if (replaced !== undefined && replaced !== null) response = replaced;
      }
      const attempts = call?.attempts ?? 0;
      const final =
        response instanceof HttpResponse
          ? response
          : new HttpResponse({ ...response, url: response.url || prepared.url.href, elapsedMs: performance.now() - started, attempts });
      statusCode = final.statusCode;
      verdict = classifyStatus(statusCode);
      if (callSettings.throwOnStatus && statusCode >= 400) throw new HttpStatusError(prepared.method, final);
      if (channels.requestEnd.hasSubscribers) {
        channels.requestEnd.publish({ requestId, method: prepared.method, url: final.url, statusCode, attempts, elapsedMs: final.elapsedMs });
      }
      return final;
    } catch (error) {
      verdict ??= classifyError(error);
      if (error instanceof HttpRetryAfterTooLongError) statusCode = error.statusCode;
      if (channels.requestError.hasSubscribers) {
        const elapsedMs = performance.now() - started;
        const attempts = call?.attempts ?? 0;
        channels.requestError.publish({ requestId, method: prepared?.method ?? method, url: prepared?.url.href ?? url, error, attempts, elapsedMs });
      }
      throw error;
    } finally {
      metrics.inFlight -= 1;
      metrics.finish(verdict?.call ?? 'error', statusCode, performance.now() - started);
    }
  }

  /** Returns a plain snapshot of counters, latency percentiles and per-origin pool stats. */
  async getClientMetrics(): Promise<ProtocolHttpClientMetrics> {
    return this.#metrics.snapshot(this.#pools.snapshot());
  }

  /**
   * Replaces the retry policy for calls that start afterwards.
   * @throws HttpValidationError (`HTTP_INVALID_OPTION`) naming the bad field; the previous policy stays.
   */
  async configureRetryPolicy(policy: HttpRetryPolicy): Promise<boolean> {
    this.#retry = normalizeRetryPolicy(policy, 'policy');
    return true;
  }

  /**
   * Routes every attempt of later calls through `breaker` (circuit name = origin unless `circuitName` is given).
   * @throws HttpValidationError (`HTTP_INVALID_OPTION`) when `breaker` lacks `executeWithCircuitBreaker`.
   */
  async configureCircuitBreaker(breaker: ProtocolCircuitBreaker): Promise<boolean> {
    this.#breaker = checkBreaker(breaker, 'breaker');
    return true;
  }

  /**
   * Adds a request interceptor (runs after the ones added before it).
   * @returns a function that removes it.
   */
  useRequestInterceptor(interceptor: HttpRequestInterceptor): () => void {
    const fn = functionOption<HttpRequestInterceptor>('interceptor', interceptor)!;
    this.#requestInterceptors.push(fn);
    return () => removeOnce(this.#requestInterceptors, fn);
  }

  /**
   * Adds a response interceptor (runs after the ones added before it).
   * @returns a function that removes it.
   */
  useResponseInterceptor(interceptor: HttpResponseInterceptor): () => void {
    const fn = functionOption<HttpResponseInterceptor>('interceptor', interceptor)!;
    this.#responseInterceptors.push(fn);
    return () => removeOnce(this.#responseInterceptors, fn);
  }

  /** True after {@link HttpClient.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes every pool: waits for in-flight requests, then releases all sockets. Later calls reject
   * with `HTTP_CLIENT_CLOSED`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.close();
  }
}

function checkBreaker(breaker: unknown, option: string): ProtocolCircuitBreaker {
  if (typeof (breaker as ProtocolCircuitBreaker | null)?.executeWithCircuitBreaker !== 'function') {
    throw optionError(option, 'a ProtocolCircuitBreaker (with executeWithCircuitBreaker)', breaker);
  }
  return breaker as ProtocolCircuitBreaker;
}

function removeOnce<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}
