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
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';

/** Instrumentation scope of every span and metric this package emits. */
export const OTEL_SCOPE = { name: '@onex/http-extended', version: '0.1.0' } as const;

/** Bucket boundaries the HTTP conventions advise for `http.client.request.duration`, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter();

let tracerDelegate: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;
let meterProvider: MeterProvider | undefined;
let cachedDuration: Histogram | undefined;

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1`. */
export function otelEnabledByEnv(): boolean {
  const value = process.env['ONEX_OTEL_DISABLED'];
  return !(value === 'true' || value === '1');
}

function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if (delegate === NOOP_TRACER_PROVIDER) return undefined;
  if (delegate !== tracerDelegate) {
    tracerDelegate = delegate;
    cachedTracer = delegate.getTracer(OTEL_SCOPE.name, OTEL_SCOPE.version);
  }
  return cachedTracer;
}

function durationHistogram(): Histogram | undefined {
  const provider = metrics.getMeterProvider();
  if (provider !== meterProvider) {
    meterProvider = provider;
    const meter = provider.getMeter(OTEL_SCOPE.name, OTEL_SCOPE.version);
    cachedDuration =
      meter === NOOP_METER
        ? undefined
        : meter.createHistogram('http.client.request.duration', {
            description: 'Duration of HTTP client requests.',
            unit: 's',
            advice: { explicitBucketBoundaries: DURATION_BUCKETS },
          });
  }
  return cachedDuration;
}

/** One HTTP request's CLIENT span and duration, per the stable HTTP conventions. */
export interface ClientRequestTelemetry {
  /** Ends the span and records the duration: the status when a response came, the error type otherwise. */
  end(statusCode: number | undefined, error?: unknown): void;
}

/**
 * Starts the CLIENT span of a request (when an SDK is registered) and writes its `traceparent` /
 * `tracestate` into `headers`; undefined (nothing allocated) when no SDK is registered.
 */
export function startClientRequest(method: string, url: URL, headers: Record<string, string>): ClientRequestTelemetry | undefined {
  const tracer = activeTracer();
  const histogram = durationHistogram();
  if (tracer === undefined && histogram === undefined) return undefined;
  const known = KNOWN_METHODS.has(method);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const base: Attributes = { 'http.request.method': known ? method : '_OTHER', 'server.address': url.hostname, 'server.port': port };
  let span: Span | undefined;
  if (tracer !== undefined) {
    const parent = context.active();
    const attributes: Attributes = { ...base, 'url.full': `${url.protocol}//${url.host}${url.pathname}${url.search}` };
    if (!known) attributes['http.request.method_original'] = method;
    span = tracer.startSpan(known ? method : 'HTTP', { kind: SpanKind.CLIENT, attributes }, parent);
    propagation.inject(trace.setSpan(parent, span), headers);
  }
  const started = performance.now();
  return {
    end(statusCode, error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      const errorType =
        error !== undefined ? (typeof code === 'string' ? code : error instanceof Error ? error.name : '_OTHER') : statusCode !== undefined && statusCode >= 400 ? String(statusCode) : undefined;
      if (span !== undefined) {
        if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
        if (errorType !== undefined) {
          span.setAttribute('error.type', errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
        }
        span.end();
      }
      if (histogram !== undefined) {
        const attributes: Attributes = { ...base, 'url.scheme': url.protocol.slice(0, -1) };
        if (statusCode !== undefined) attributes['http.response.status_code'] = statusCode;
        if (errorType !== undefined) attributes['error.type'] = errorType;
        histogram.record((performance.now() - started) / 1000, attributes);
      }
    },
  };
}
