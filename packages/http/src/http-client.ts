import {
  CircuitBreakerFailure,
  hasErrorCode,
  isOnexError,
  type ProtocolCircuitBreaker,
  type ProtocolHttpBodyRequestOptions,
  type ProtocolHttpClient,
  type ProtocolHttpClientMetrics,
  type ProtocolHttpRequestOptions,
  type ProtocolHttpResponse,
} from '@onex/spi-types';
import { context, type Attributes } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import {
  HttpAbortedError,
  HttpBodyNotReplayableError,
  HttpClientClosedError,
  HttpNetworkError,
  HttpResponseTooLargeError,
  HttpRetryAfterTooLongError,
  HttpStatusError,
  HttpTimeoutError,
  HttpValidationError,
  isHttpError,
  type HttpError,
  type HttpTimeoutKind,
} from './errors/http-errors.js';
import type {
  HttpClientOptions,
  HttpInterceptedRequest,
  HttpRequestInterceptor,
  HttpRequestOptions,
  HttpResponseInterceptor,
  HttpRetryPolicy,
} from './http-client-options.js';
import { HttpResponse } from './http-response.js';
import { channels } from './internal/diagnostics.js';
import { MetricsRecorder, type HttpCallOutcome } from './internal/metrics-recorder.js';
import {
  booleanOption,
  functionOption,
  optionError,
  positiveIntegerOption,
  secondsOption,
  stringOption,
} from './internal/option-checks.js';
import {
  activeTracer,
  durationHistogram,
  emitOldHttpAttributes,
  endClientSpan,
  injectedHeaders,
  otelDisabledByEnv,
  requestAttributes,
  startClientSpan,
  tracingSuppressed,
} from './internal/otel.js';
import { PoolTracker } from './internal/pool-tracker.js';
import { buildUrl, encodeBody, mergeHeaders, normalizeMethod, type EncodedBody } from './internal/request-input.js';
import {
  NO_RETRY_POLICY,
  computeRetryDelay,
  normalizeRetryPolicy,
  parseRetryAfter,
  type NormalizedRetryPolicy,
} from './internal/retry-policy.js';

/** A request after validation and encoding, ready to send. */
interface PreparedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: EncodedBody;
  readonly circuitName: string;
  readonly intercepted: HttpInterceptedRequest;
}

/** Per-call state shared by the attempts of one call. */
interface CallState {
  readonly requestId: number;
  readonly method: string;
  readonly href: string;
  readonly deadline: number | undefined;
  readonly totalMs: number | undefined;
  readonly controller: AbortController | undefined;
  abortReason: 'total' | 'caller' | undefined;
  readonly headersTimeout: number | undefined;
  readonly bodyTimeout: number | undefined;
  /** True once a stream body has been handed to the socket. */
  streamConsumed: boolean;
}

type AttemptOutcome =
  | { readonly kind: 'response'; readonly response: HttpResponse }
  | { readonly kind: 'error'; readonly error: HttpError };

/** Thrown inside the breaker so that a 5xx counts as a failure; unwrapped back into a response. */
class ServerErrorFailure extends CircuitBreakerFailure {
  readonly response: HttpResponse;
  constructor(method: string, response: HttpResponse) {
    super(`${method} ${response.url} answered ${response.statusCode}`, { details: { statusCode: response.statusCode } });
    this.response = response;
  }
}

const TIMEOUT_CODES: Readonly<Record<string, HttpTimeoutKind>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};
const BREAKER_FAILURE_CODES = new Set([
  'HTTP_NETWORK',
  'HTTP_TIMEOUT_CONNECT',
  'HTTP_TIMEOUT_HEADERS',
  'HTTP_TIMEOUT_BODY',
  'HTTP_TIMEOUT_TOTAL',
]);

let nextRequestId = 1;

/**
 * An HTTP client on undici 7: one keep-alive pool per origin, four distinct timeouts, a retry
 * policy that honours `Retry-After`, an injected circuit breaker, interceptors and metrics.
 */
export class HttpClient implements ProtocolHttpClient {
  readonly #dispatcher: Dispatcher;
  readonly #pools = new PoolTracker();
  readonly #metrics: MetricsRecorder;
  readonly #baseUrl: URL | undefined;
  readonly #defaultHeaders: Record<string, string>;
  readonly #totalMs: number | undefined;
  readonly #connectMs: number;
  readonly #headersMs: number;
  readonly #bodyMs: number;
  readonly #maxResponseSize: number;
  readonly #throwOnStatus: boolean;
  readonly #random: () => number;
  readonly #requestInterceptors: HttpRequestInterceptor[] = [];
  readonly #responseInterceptors: HttpResponseInterceptor[] = [];
  readonly #telemetry: boolean;
  #retry: NormalizedRetryPolicy = NO_RETRY_POLICY;
  #breaker: ProtocolCircuitBreaker | undefined;
  #closed = false;

  /**
   * Creates a client; nothing connects until the first request.
   * @throws HttpValidationError (`HTTP_INVALID_OPTION`, `HTTP_INVALID_URL`, `HTTP_INVALID_HEADER`) naming the bad option and value.
   */
  constructor(options: HttpClientOptions = {}) {
    if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
    if (options.baseUrl !== undefined) {
      const base = buildUrl(stringOption('baseUrl', options.baseUrl), undefined, undefined);
      this.#baseUrl = base;
    }
    this.#defaultHeaders = mergeHeaders(options.headers);
    this.#totalMs = secondsOption('timeoutSeconds', options.timeoutSeconds, false);
    this.#connectMs = secondsOption('connectTimeoutSeconds', options.connectTimeoutSeconds, false) ?? 10_000;
    this.#headersMs = secondsOption('headersTimeoutSeconds', options.headersTimeoutSeconds, true) ?? 30_000;
    this.#bodyMs = secondsOption('bodyTimeoutSeconds', options.bodyTimeoutSeconds, true) ?? 30_000;
    const connections = positiveIntegerOption('connections', options.connections) ?? 32;
    const pipelining = positiveIntegerOption('pipelining', options.pipelining) ?? 1;
    const keepAliveMs = secondsOption('keepAliveTimeoutSeconds', options.keepAliveTimeoutSeconds, false) ?? 4_000;
    this.#maxResponseSize = positiveIntegerOption('maxResponseSize', options.maxResponseSize) ?? 64 * 1024 * 1024;
    this.#throwOnStatus = booleanOption('throwOnStatus', options.throwOnStatus) ?? false;
    this.#random = functionOption<() => number>('random', options.random) ?? Math.random;
    this.#telemetry = (booleanOption('telemetry', options.telemetry) ?? true) && !otelDisabledByEnv();
    const windowSize = positiveIntegerOption('latencyWindowSize', options.latencyWindowSize) ?? 1024;
    const windowMs = secondsOption('latencyWindowSeconds', options.latencyWindowSeconds, false) ?? 60_000;
    this.#metrics = new MetricsRecorder(windowSize, windowMs);
    if (options.retry !== undefined) this.#retry = normalizeRetryPolicy(options.retry);
    if (options.circuitBreaker !== undefined) this.#breaker = checkBreaker(options.circuitBreaker, 'circuitBreaker');
    for (const [i, fn] of (options.requestInterceptors ?? []).entries()) {
      this.#requestInterceptors.push(functionOption<HttpRequestInterceptor>(`requestInterceptors[${i}]`, fn)!);
    }
    for (const [i, fn] of (options.responseInterceptors ?? []).entries()) {
      this.#responseInterceptors.push(functionOption<HttpResponseInterceptor>(`responseInterceptors[${i}]`, fn)!);
    }

    const tls = options.tls;
    if (tls !== undefined && (typeof tls !== 'object' || tls === null)) throw optionError('tls', 'an object', tls);
    const agentOptions: Agent.Options = {
      factory: this.#pools.factory,
      connections,
      pipelining,
      keepAliveTimeout: keepAliveMs,
      keepAliveMaxTimeout: Math.max(keepAliveMs, 600_000),
      headersTimeout: this.#headersMs,
      bodyTimeout: this.#bodyMs,
      maxResponseSize: this.#maxResponseSize,
      connect: { timeout: this.#connectMs, ...(tls as object | undefined) },
    };
    const proxy = options.proxy;
    if (proxy === undefined) {
      this.#dispatcher = new Agent(agentOptions);
    } else if (proxy === 'env') {
      this.#dispatcher = new EnvHttpProxyAgent(agentOptions);
    } else {
      const spec = typeof proxy === 'string' ? { uri: proxy } : proxy;
      if (typeof spec !== 'object' || spec === null || typeof spec.uri !== 'string') {
        throw optionError('proxy', "'env', a proxy URL or { uri, token }", proxy);
      }
      let proxyUrl: URL;
      try {
        proxyUrl = new URL(spec.uri);
      } catch (cause) {
        throw new HttpValidationError('HTTP_INVALID_OPTION', `\`proxy\` must be a valid proxy URL, got ${JSON.stringify(spec.uri)}`, { cause });
      }
      if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
        throw optionError('proxy', 'an http: or https: URL', spec.uri);
      }
      if (spec.token !== undefined) stringOption('proxy.token', spec.token);
      this.#dispatcher = new ProxyAgent({
        ...agentOptions,
        uri: spec.uri,
        ...(spec.token === undefined ? {} : { token: spec.token }),
        ...(tls === undefined ? {} : { requestTls: tls as object }),
      });
    }
  }

  /** Sends a GET request. @throws HttpError (see README, Errors). */
  get(url: string, options?: ProtocolHttpRequestOptions & Pick<HttpRequestOptions, 'headersTimeoutSeconds' | 'bodyTimeoutSeconds'>): Promise<HttpResponse> {
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
  delete(url: string, options?: ProtocolHttpRequestOptions & Pick<HttpRequestOptions, 'headersTimeoutSeconds' | 'bodyTimeoutSeconds'>): Promise<HttpResponse> {
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
    let attempts = 0;
    let outcome: HttpCallOutcome = 'error';
    let statusCode: number | undefined;
    let prepared: PreparedRequest | undefined;
    let requestId = 0;
    try {
      if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
      const totalMs = secondsOption('timeoutSeconds', options.timeoutSeconds, false) ?? this.#totalMs;
      const headersTimeout = secondsOption('headersTimeoutSeconds', options.headersTimeoutSeconds, true);
      const bodyTimeout = secondsOption('bodyTimeoutSeconds', options.bodyTimeoutSeconds, true);
      const throwOnStatus = booleanOption('throwOnStatus', options.throwOnStatus) ?? this.#throwOnStatus;
      const circuitName = stringOption('circuitName', options.circuitName);
      const signal = options.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw optionError('signal', 'an AbortSignal', signal);
      prepared = this.#prepare(
        method,
        url,
        options.headers,
        options.params,
        options.data,
        options.json,
        'json' in options && options.json !== undefined,
        circuitName,
      );
      if (this.#closed) throw new HttpClientClosedError(prepared.method, prepared.url.href);

      let shortCircuit: ProtocolHttpResponse | undefined;
      for (const interceptor of this.#requestInterceptors) {
        const result = await interceptor(prepared.intercepted);
        if (result === undefined || result === null || result === prepared.intercepted) continue;
        if (isResponseLike(result)) {
          shortCircuit = result;
          break;
        }
        prepared = this.#prepareIntercepted(result);
      }

      requestId = nextRequestId++;
      if (channels.requestStart.hasSubscribers) {
        channels.requestStart.publish({ requestId, method: prepared.method, url: prepared.url.href, circuitName: prepared.circuitName });
      }

      let response: ProtocolHttpResponse;
      if (shortCircuit !== undefined) {
        response = new HttpResponse({
          statusCode: shortCircuit.statusCode,
          headers: shortCircuit.headers,
          body: shortCircuit.body,
          url: shortCircuit.url || prepared.url.href,
          elapsedMs: performance.now() - started,
          attempts: 0,
        });
      } else {
        if (signal?.aborted) throw new HttpAbortedError(prepared.method, prepared.url.href, { cause: signal.reason });
        const needController = signal !== undefined || totalMs !== undefined;
        const state: CallState = {
          requestId,
          method: prepared.method,
          href: prepared.url.href,
          deadline: totalMs === undefined ? undefined : started + totalMs,
          totalMs,
          controller: needController ? new AbortController() : undefined,
          abortReason: undefined,
          headersTimeout,
          bodyTimeout,
          streamConsumed: false,
        };
        let timer: NodeJS.Timeout | undefined;
        const onCallerAbort = (): void => {
          state.abortReason ??= 'caller';
          state.controller?.abort(signal?.reason);
        };
        if (totalMs !== undefined) {
          timer = setTimeout(() => {
            state.abortReason ??= 'total';
            state.controller?.abort();
          }, totalMs);
        }
        signal?.addEventListener('abort', onCallerAbort, { once: true });
        try {
          const result = await this.#callWithRetries(prepared, state, (n) => {
            attempts = n;
          });
          response = result.withCall(prepared.url.href, performance.now() - started, attempts);
        } finally {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onCallerAbort);
        }
      }

      for (const interceptor of this.#responseInterceptors) {
        const replaced = await interceptor(response, prepared.intercepted);
        if (replaced !== undefined && replaced !== null) response = replaced;
      }
      const final =
        response instanceof HttpResponse
          ? response
          : new HttpResponse({
              statusCode: response.statusCode,
              headers: response.headers,
              body: response.body,
              url: response.url || prepared.url.href,
              elapsedMs: performance.now() - started,
              attempts,
            });
      statusCode = final.statusCode;
      outcome = final.statusCode < 400 ? 'success' : 'http_error';
      if (throwOnStatus && final.statusCode >= 400) throw new HttpStatusError(prepared.method, final);
      if (channels.requestEnd.hasSubscribers) {
        channels.requestEnd.publish({ requestId, method: prepared.method, url: final.url, statusCode, attempts, elapsedMs: final.elapsedMs });
      }
      return final;
    } catch (error) {
      if (outcome !== 'http_error') outcome = outcomeOf(error);
      if (error instanceof HttpRetryAfterTooLongError) statusCode = error.statusCode;
      if (channels.requestError.hasSubscribers) {
        channels.requestError.publish({
          requestId,
          method: prepared?.method ?? method,
          url: prepared?.url.href ?? url,
          error,
          attempts,
          elapsedMs: performance.now() - started,
        });
      }
      throw error;
    } finally {
      metrics.inFlight -= 1;
      metrics.finish(outcome, statusCode, performance.now() - started);
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

  /** Validates and encodes a call's input (no I/O). */
  #prepare(
    method: unknown,
    url: unknown,
    headers: Readonly<Record<string, string>> | undefined,
    params: ProtocolHttpRequestOptions['params'],
    data: ProtocolHttpBodyRequestOptions['data'],
    json: unknown,
    hasJson: boolean,
    circuitName: string | undefined,
  ): PreparedRequest {
    const normalizedMethod = normalizeMethod(method);
    const fullUrl = buildUrl(url, this.#baseUrl, params);
    const merged = mergeHeaders(this.#defaultHeaders, headers);
    const userHeaders = { ...merged };
    const body = encodeBody(normalizedMethod, fullUrl.href, data, json, hasJson, merged);
    const name = circuitName ?? fullUrl.origin;
    const intercepted: HttpInterceptedRequest = {
      method: normalizedMethod,
      url: fullUrl.href,
      headers: userHeaders,
      circuitName: name,
      ...(hasJson ? { json } : data === undefined ? {} : { data }),
    };
    return { method: normalizedMethod, url: fullUrl, headers: merged, body, circuitName: name, intercepted };
  }

  #prepareIntercepted(request: HttpInterceptedRequest): PreparedRequest {
    if (typeof request !== 'object' || request === null) {
      throw optionError('interceptor result', 'a request, a response or undefined', request);
    }
    const name = stringOption('circuitName', request.circuitName);
    return this.#prepare(request.method, request.url, request.headers, undefined, request.data, request.json, 'json' in request && request.json !== undefined, name);
  }

  async #callWithRetries(prepared: PreparedRequest, state: CallState, onAttempt: (n: number) => void): Promise<HttpResponse> {
    const policy = this.#retry;
    const retryableMethod = policy.retryMethods.has(prepared.method) || prepared.headers['idempotency-key'] !== undefined;
    let retries = 0;
    for (let attempt = 1; ; attempt += 1) {
      onAttempt(attempt);
      const outcome = await this.#attemptThroughBreaker(prepared, state, attempt);

      // Decide whether this outcome is retried, and after how long.
      let delayMs: number | undefined;
      let reason = '';
      if (outcome.kind === 'response') {
        const { response } = outcome;
        if (retryableMethod && retries < policy.maxRetries && policy.retryOnStatusCodes.has(response.statusCode)) {
          const retryAfter = policy.respectRetryAfter ? parseRetryAfter(response.headers['retry-after'], Date.now()) : undefined;
          if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
            // Retrying sooner than the server asked would only be refused again: give up, saying why.
            throw new HttpRetryAfterTooLongError(prepared.method, response, retryAfter, policy.maxRetryAfterMs, { details: { attempts: attempt } });
          }
          delayMs = computeRetryDelay(policy, retries + 1, retryAfter, this.#random);
          reason = `status ${response.statusCode}`;
        }
      } else {
        const { error } = outcome;
        const errorCode = error instanceof HttpNetworkError ? error.errorCode : error.code;
        // Resets (ECONNRESET, EPIPE, UND_ERR_SOCKET) get no retry of their own: like any network error they are
        // retried only within maxRetries, when listed in retryOnErrorCodes, and only for an idempotent method or
        // a request with an Idempotency-Key, because a server may have acted on a request before the reset.
        if (
          retryableMethod &&
          retries < policy.maxRetries &&
          (policy.retryOnErrorCodes.has(errorCode) || policy.retryOnErrorCodes.has(error.code))
        ) {
          delayMs = computeRetryDelay(policy, retries + 1, undefined, this.#random);
          reason = errorCode;
        }
      }

      if (delayMs === undefined) return settle(outcome);
      if (prepared.body.kind === 'stream' && state.streamConsumed) {
        const cause = outcome.kind === 'error' ? outcome.error : new HttpStatusError(prepared.method, outcome.response);
        throw new HttpBodyNotReplayableError(prepared.method, state.href, `a retry after ${reason} was needed but the stream was already sent`, {
          cause,
          details: { attempts: attempt },
        });
      }
      // The total deadline is checked before sleeping: a wait that would outlive it is not started.
      if (state.deadline !== undefined && performance.now() + delayMs >= state.deadline) return settle(outcome);
      retries += 1;
      this.#metrics.retry();
      if (channels.retry.hasSubscribers) {
        channels.retry.publish({ requestId: state.requestId, method: prepared.method, url: state.href, attempt, delayMs, reason });
      }
      if (delayMs > 0) await this.#sleep(delayMs, state);
    }
  }

  #sleep(ms: number, state: CallState): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = state.controller?.signal;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(this.#abortError(state, signal?.reason));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #abortError(state: CallState, cause: unknown): HttpError {
    if (state.abortReason === 'total') {
      this.#metrics.timeout('total');
      return new HttpTimeoutError('total', state.method, state.href, state.totalMs ?? 0, { cause });
    }
    return new HttpAbortedError(state.method, state.href, { cause });
  }

  async #attemptThroughBreaker(prepared: PreparedRequest, state: CallState, attempt: number): Promise<AttemptOutcome> {
    const breaker = this.#breaker;
    if (breaker === undefined) return this.#attempt(prepared, state, attempt, undefined);
    try {
      return await breaker.executeWithCircuitBreaker(async (breakerSignal) => {
        const outcome = await this.#attempt(prepared, state, attempt, breakerSignal);
        if (outcome.kind === 'response' && outcome.response.statusCode >= 500) {
          throw new ServerErrorFailure(prepared.method, outcome.response);
        }
        if (outcome.kind === 'error' && BREAKER_FAILURE_CODES.has(outcome.error.code)) throw outcome.error;
        return outcome;
      }, prepared.circuitName);
    } catch (error) {
      if (error instanceof ServerErrorFailure) return { kind: 'response', response: error.response };
      if (isHttpError(error)) return { kind: 'error', error };
      if (hasErrorCode(error, 'CIRCUIT_OPEN') || hasErrorCode(error, 'CIRCUIT_HALF_OPEN_FULL')) {
        this.#metrics.circuitRejection();
      }
      // The breaker's own errors (open circuit, call timeout, …) surface as they are.
      throw error;
    }
  }

  /**
   * One attempt, with its OpenTelemetry CLIENT span (the attempt's `traceparent` is injected into its
   * headers) and `http.client.request.duration`, when an SDK is registered. Never throws.
   */
  async #attempt(prepared: PreparedRequest, state: CallState, attempt: number, breakerSignal: AbortSignal | undefined): Promise<AttemptOutcome> {
    if (!this.#telemetry) return this.#send(prepared, prepared.headers, state, attempt, breakerSignal);
    const tracer = activeTracer();
    const histogram = durationHistogram();
    // No SDK registered: nothing is allocated for telemetry.
    if (tracer === undefined && histogram === undefined) return this.#send(prepared, prepared.headers, state, attempt, breakerSignal);
    const oldNames = emitOldHttpAttributes();
    const attributes = requestAttributes(prepared.method, prepared.url, attempt - 1, oldNames);
    let span;
    let headers = prepared.headers;
    if (tracer !== undefined && !tracingSuppressed(context.active())) {
      const started = startClientSpan(tracer, prepared.method, attributes);
      span = started.span;
      headers = injectedHeaders(started.ctx, prepared.headers);
    }
    const startedAt = performance.now();
    const outcome = await this.#send(prepared, headers, state, attempt, breakerSignal);
    const statusCode = outcome.kind === 'response' ? outcome.response.statusCode : undefined;
    const errorType = outcome.kind === 'error' ? outcome.error.code : statusCode !== undefined && statusCode >= 400 ? String(statusCode) : undefined;
    if (span !== undefined) endClientSpan(span, statusCode, errorType, outcome.kind === 'error' ? outcome.error : undefined, oldNames);
    if (histogram !== undefined) {
      const metricAttributes: Attributes = {
        'http.request.method': attributes['http.request.method'],
        'server.address': attributes['server.address'],
        'server.port': attributes['server.port'],
        'url.scheme': prepared.url.protocol.slice(0, -1),
      };
      if (statusCode !== undefined) metricAttributes['http.response.status_code'] = statusCode;
      if (errorType !== undefined) metricAttributes['error.type'] = errorType;
      histogram.record((performance.now() - startedAt) / 1000, metricAttributes);
    }
    return outcome;
  }

  /** Sends one attempt, reads the whole body, maps failures to typed errors. Never throws. */
  async #send(
    prepared: PreparedRequest,
    headers: Record<string, string>,
    state: CallState,
    attempt: number,
    breakerSignal: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    if (channels.attempt.hasSubscribers) {
      channels.attempt.publish({ requestId: state.requestId, method: prepared.method, url: state.href, attempt });
    }
    if (state.controller?.signal.aborted) return { kind: 'error', error: this.#abortError(state, state.controller.signal.reason) };
    let signal = state.controller?.signal ?? breakerSignal;
    let attemptController: AbortController | undefined;
    const onBreakerAbort = (): void => attemptController?.abort(breakerSignal?.reason);
    const onCallAbort = (): void => attemptController?.abort(state.controller?.signal.reason);
    const merge = breakerSignal !== undefined && state.controller !== undefined;
    if (merge) {
      // Merge the breaker's signal with the call's so either cancels this attempt.
      attemptController = new AbortController();
      signal = attemptController.signal;
      breakerSignal.addEventListener('abort', onBreakerAbort, { once: true });
      state.controller?.signal.addEventListener('abort', onCallAbort, { once: true });
    }
    const body = prepared.body;
    let requestBody: string | Uint8Array | AsyncIterable<Uint8Array> | undefined;
    if (body.kind === 'bytes') {
      requestBody = body.bytes;
      this.#metrics.attempt(body.length);
    } else if (body.kind === 'stream') {
      requestBody = this.#countingStream(body.source, state);
      this.#metrics.attempt(0);
    } else {
      this.#metrics.attempt(0);
    }
    try {
      const res = await this.#dispatcher.request({
        origin: prepared.url.origin,
        path: prepared.url.pathname + prepared.url.search,
        method: prepared.method as Dispatcher.HttpMethod,
        headers,
        body: requestBody as Dispatcher.DispatchOptions['body'],
        signal,
        ...(state.headersTimeout === undefined ? {} : { headersTimeout: state.headersTimeout }),
        ...(state.bodyTimeout === undefined ? {} : { bodyTimeout: state.bodyTimeout }),
      });
      const bytes = await res.body.bytes();
      if (bytes.byteLength > this.#maxResponseSize) {
        return { kind: 'error', error: new HttpResponseTooLargeError(prepared.method, state.href, this.#maxResponseSize) };
      }
      this.#metrics.received(bytes.byteLength);
      return {
        kind: 'response',
        response: new HttpResponse({ statusCode: res.statusCode, headers: flattenHeaders(res.headers), body: bytes, url: state.href, attempts: attempt }),
      };
    } catch (error) {
      return { kind: 'error', error: this.#mapError(error, state, breakerSignal) };
    } finally {
      if (merge) {
        breakerSignal.removeEventListener('abort', onBreakerAbort);
        state.controller?.signal.removeEventListener('abort', onCallAbort);
      }
    }
  }

  async *#countingStream(source: AsyncIterable<Uint8Array>, state: CallState): AsyncGenerator<Uint8Array> {
    state.streamConsumed = true;
    for await (const chunk of source) {
      this.#metrics.addBytesSent(chunk.byteLength);
      yield chunk;
    }
  }

  #mapError(error: unknown, state: CallState, breakerSignal: AbortSignal | undefined): HttpError {
    if (isHttpError(error)) return error;
    const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
    if (state.controller?.signal.aborted) return this.#abortError(state, error);
    if (breakerSignal?.aborted) return new HttpAbortedError(state.method, state.href, { cause: error, details: { by: 'circuit breaker' } });
    if (code !== undefined) {
      const kind = TIMEOUT_CODES[code];
      if (kind !== undefined) {
        this.#metrics.timeout(kind);
        const ms = kind === 'connect' ? this.#connectMs : kind === 'headers' ? (state.headersTimeout ?? this.#headersMs) : (state.bodyTimeout ?? this.#bodyMs);
        return new HttpTimeoutError(kind, state.method, state.href, ms, { cause: error });
      }
      if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
        return new HttpResponseTooLargeError(state.method, state.href, this.#maxResponseSize, { cause: error });
      }
      if (this.#closed && (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED')) {
        return new HttpClientClosedError(state.method, state.href, { cause: error });
      }
      if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
        return new HttpValidationError('HTTP_INVALID_OPTION', `${state.method} ${state.href}: undici rejected the request: ${(error as Error).message}`, { cause: error });
      }
    }
    return new HttpNetworkError(state.method, state.href, code ?? 'UNKNOWN', error);
  }
}

function settle(outcome: AttemptOutcome): HttpResponse {
  if (outcome.kind === 'response') return outcome.response;
  throw outcome.error;
}

function outcomeOf(error: unknown): HttpCallOutcome {
  if (!isOnexError(error)) return 'error';
  switch (error.code) {
    case 'HTTP_TIMEOUT_CONNECT':
    case 'HTTP_TIMEOUT_HEADERS':
    case 'HTTP_TIMEOUT_BODY':
    case 'HTTP_TIMEOUT_TOTAL':
      return 'timeout';
    case 'HTTP_NETWORK':
      return 'network_error';
    case 'HTTP_ABORTED':
      return 'aborted';
    case 'CIRCUIT_OPEN':
    case 'CIRCUIT_HALF_OPEN_FULL':
      return 'circuit_open';
    case 'HTTP_RETRY_AFTER_TOO_LONG':
      return 'http_error';
    case 'HTTP_INVALID_URL':
    case 'HTTP_INVALID_METHOD':
    case 'HTTP_INVALID_HEADER':
    case 'HTTP_INVALID_BODY':
    case 'HTTP_INVALID_OPTION':
      return 'invalid_request';
    default:
      return 'error';
  }
}

function isResponseLike(value: object): value is ProtocolHttpResponse {
  return typeof (value as { statusCode?: unknown }).statusCode === 'number';
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
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
