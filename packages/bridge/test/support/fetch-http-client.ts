// A small but real ProtocolHttpClient over Node's fetch, standing in for @onex/http (which
// @onex/bridge must not import). It makes real HTTP calls; it has no retries or pooling knobs.
import type {
  ProtocolCircuitBreaker,
  ProtocolHttpBodyRequestOptions,
  ProtocolHttpClient,
  ProtocolHttpClientMetrics,
  ProtocolHttpRequestOptions,
  ProtocolHttpResponse,
  ProtocolRetryPolicy,
} from '@onex/spi-types';

export class FetchHttpClient implements ProtocolHttpClient {
  readonly requests: { method: string; url: string; headers: Record<string, string> }[] = [];

  get(url: string, options?: ProtocolHttpRequestOptions) {
    return this.request('GET', url, options);
  }
  post(url: string, options?: ProtocolHttpBodyRequestOptions) {
    return this.request('POST', url, options);
  }
  put(url: string, options?: ProtocolHttpBodyRequestOptions) {
    return this.request('PUT', url, options);
  }
  delete(url: string, options?: ProtocolHttpRequestOptions) {
    return this.request('DELETE', url, options);
  }
  patch(url: string, options?: ProtocolHttpBodyRequestOptions) {
    return this.request('PATCH', url, options);
  }

  async request(method: string, url: string, options: ProtocolHttpBodyRequestOptions = {}): Promise<ProtocolHttpResponse> {
    const started = Date.now();
    const headers: Record<string, string> = { ...options.headers };
    this.requests.push({ method, url, headers });
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (typeof options.data === 'string' || options.data instanceof Uint8Array) {
      body = options.data;
    }
    const signals = [options.signal, options.timeoutSeconds ? AbortSignal.timeout(options.timeoutSeconds * 1000) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const response = await fetch(url, { method, headers, body, signal: signals.length ? AbortSignal.any(signals) : null });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    return {
      statusCode: response.status,
      headers: responseHeaders,
      body: bytes,
      url,
      elapsedMs: Date.now() - started,
      attempts: 1,
      ok: response.status >= 200 && response.status < 300,
      text: () => new TextDecoder().decode(bytes),
      json: <T>() => JSON.parse(new TextDecoder().decode(bytes)) as T,
    };
  }

  async getClientMetrics(): Promise<ProtocolHttpClientMetrics> {
    const empty = { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 };
    return {
      requestsTotal: this.requests.length, requestsSucceeded: 0, requestsFailed: 0, byOutcome: {}, byStatusClass: {},
      attemptsTotal: this.requests.length, retriesTotal: 0, timeouts: { connect: 0, headers: 0, body: 0, total: 0 },
      circuitRejections: 0, inFlight: 0, bytesSent: 0, bytesReceived: 0,
      latency: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
      pool: { totals: { ...empty, connects: 0, disconnects: 0, connectionErrors: 0 }, origins: {} },
    };
  }
  async configureRetryPolicy(_policy: ProtocolRetryPolicy): Promise<boolean> {
    return false;
  }
  async configureCircuitBreaker(_breaker: ProtocolCircuitBreaker): Promise<boolean> {
    return false;
  }
}
