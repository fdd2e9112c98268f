import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { OTEL_DURATION_BUCKETS_SECONDS, OTEL_SUPPRESS_TRACING_KEY, otelDisabledByEnv, otelInstrumentSource, otelServerPort, otelTracerSource } from '@onex/spi-types/support';

/** Instrumentation scope of every span and metric this package emits. */
export const OTEL_SCOPE = { name: '@onex/http', version: '0.1.0' } as const;

/** Bucket boundaries the HTTP semantic conventions advise for `http.client.request.duration`, in seconds. */
export const HTTP_DURATION_BUCKETS = [...OTEL_DURATION_BUCKETS_SECONDS];

/** Query parameters whose values the conventions say to redact in `url.full`. */
const SENSITIVE_QUERY = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];
const OTEL_API = { trace, metrics, ProxyTracerProvider, createNoopMeter };

/** True when `ONEX_OTEL_DISABLED` is `true` or `1`. */
export { otelDisabledByEnv };

/** The tracer, or undefined while no SDK tracer provider is registered (no allocation then). */
export const activeTracer: () => Tracer | undefined = otelTracerSource(OTEL_API, OTEL_SCOPE);

/** `http.client.request.duration`, or undefined while no SDK meter provider is registered. */
export const durationHistogram: () => Histogram | undefined = otelInstrumentSource(OTEL_API, OTEL_SCOPE, (meter) =>
  meter.createHistogram('http.client.request.duration', {
    description: 'Duration of HTTP client requests (one per attempt).',
    unit: 's',
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  }),
);

/**
 * Whether the caller's context asked instrumentations to stay quiet (@opentelemetry/core's `suppressTracing()`): a
 * caller that makes its own client span for a call, like @onex/bridge's webhook sink, suspends ours through it.
 */
export function tracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(OTEL_SUPPRESS_TRACING_KEY) === true;
}

/** Old (pre-1.23) HTTP attribute names too, when `OTEL_SEMCONV_STABILITY_OPT_IN` lists `http/dup`. */
export function emitOldHttpAttributes(): boolean {
  const optIn = process.env['OTEL_SEMCONV_STABILITY_OPT_IN'];
  if (optIn === undefined) return false;
  return optIn.split(',').some((entry) => entry.trim() === 'http/dup');
}

/**
 * The attributes an attempt span starts with. The client only sends the methods the conventions
 * know (others are refused with `HTTP_INVALID_METHOD`), so there is no `_OTHER`.
 */
export function requestAttributes(method: string, url: URL, resendCount: number, oldNames: boolean): Attributes {
  const port = otelServerPort(url);
  const attributes: Attributes = {
    'http.request.method': method,
    'server.address': url.hostname,
    'server.port': port,
    'url.full': redactedUrl(url),
  };
  if (resendCount > 0) attributes['http.request.resend_count'] = resendCount;
  if (oldNames) {
    attributes['http.method'] = method;
    attributes['http.url'] = attributes['url.full'];
    attributes['net.peer.name'] = url.hostname;
    attributes['net.peer.port'] = port;
  }
  return attributes;
}

/** Starts a CLIENT span under the active context. */
export function startClientSpan(tracer: Tracer, method: string, attributes: Attributes): { span: Span; ctx: Context } {
  const parent = context.active();
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Writes `traceparent`/`tracestate` (per the registered propagator) for `ctx` into a copy of `headers`. */
export function injectedHeaders(ctx: Context, headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  propagation.inject(ctx, out);
  return out;
}

/** Ends an attempt span with its outcome. */
export function endClientSpan(span: Span, statusCode: number | undefined, errorType: string | undefined, error: Error | undefined, oldNames: boolean): void {
  if (statusCode !== undefined) {
    span.setAttribute('http.response.status_code', statusCode);
    if (oldNames) span.setAttribute('http.status_code', statusCode);
  }
  if (errorType !== undefined) {
    span.setAttribute('error.type', errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, ...(error ? { message: error.message } : {}) });
    if (error) span.recordException(error);
  }
  span.end();
}

/**
 * `url.full` with the values of signature query parameters redacted (the client refuses URLs with
 * credentials, so there are none to redact).
 */
export function redactedUrl(url: URL): string {
  if (url.search !== '' && SENSITIVE_QUERY.some((name) => url.searchParams.has(name))) {
    const out = new URL(url.href);
    // Rebuilt by hand: URLSearchParams would re-encode the values that stay.
    out.search = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
        return eq !== -1 && SENSITIVE_QUERY.includes(name) ? `${pair.slice(0, eq)}=REDACTED` : pair;
      })
      .join('&');
    return out.href;
  }
  return url.href;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
