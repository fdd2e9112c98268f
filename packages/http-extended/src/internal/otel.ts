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
  type Span,
} from '@opentelemetry/api';
import { OTEL_DURATION_BUCKETS_SECONDS, otelDisabledByEnv, otelErrorType, otelInstrumentSource, otelServerPort, otelTracerSource, otelUrlFull } from '@onex/spi-types/support';
import { performance } from 'node:perf_hooks';

/** Instrumentation scope of every span and metric this package emits. */
export const OTEL_SCOPE = { name: '@onex/http-extended', version: '0.1.0' } as const;

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
const OTEL_API = { trace, metrics, ProxyTracerProvider, createNoopMeter };

const activeTracer = otelTracerSource(OTEL_API, OTEL_SCOPE);
const durationHistogram = otelInstrumentSource(OTEL_API, OTEL_SCOPE, (meter) =>
  meter.createHistogram('http.client.request.duration', {
    description: 'Duration of HTTP client requests.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...OTEL_DURATION_BUCKETS_SECONDS] },
  }),
);

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1`. */
export function otelEnabledByEnv(): boolean {
  return !otelDisabledByEnv();
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
  const base: Attributes = { 'http.request.method': known ? method : '_OTHER', 'server.address': url.hostname, 'server.port': otelServerPort(url) };
  let span: Span | undefined;
  if (tracer !== undefined) {
    const parent = context.active();
    const attributes: Attributes = { ...base, 'url.full': otelUrlFull(url) };
    if (!known) attributes['http.request.method_original'] = method;
    span = tracer.startSpan(known ? method : 'HTTP', { kind: SpanKind.CLIENT, attributes }, parent);
    propagation.inject(trace.setSpan(parent, span), headers);
  }
  const started = performance.now();
  return {
    end(statusCode, error) {
      const errorType = error !== undefined ? otelErrorType(error) : statusCode !== undefined && statusCode >= 400 ? String(statusCode) : undefined;
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
