import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import {
  OTEL_DURATION_BUCKETS_SECONDS,
  OTEL_SUPPRESS_TRACING_KEY,
  otelDisabledByEnv,
  otelInstrumentSource,
  otelServerPort,
  otelTracerSource,
  otelUrlFull,
} from '@onex/spi-types/support';

/** Instrumentation scope of every span and metric this package emits. */
export const OTEL_SCOPE = { name: '@onex/bridge', version: '0.1.0' } as const;

/** Bucket boundaries the HTTP and messaging conventions advise for duration histograms, in seconds. */
export const DURATION_BUCKETS = [...OTEL_DURATION_BUCKETS_SECONDS];

/** Header names of the W3C trace context, which the bridge replaces with its own context on the way out. */
export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

const OTEL_API = { trace, metrics, ProxyTracerProvider, createNoopMeter };

interface Instruments {
  readonly serverDuration: Histogram;
  readonly processDuration: Histogram;
  readonly messages: Counter;
}

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1`. */
export function otelEnabledByEnv(): boolean {
  return !otelDisabledByEnv();
}

/** The tracer of the registered SDK, or undefined while none is registered (checked without allocating). */
export const activeTracer: () => Tracer | undefined = otelTracerSource(OTEL_API, OTEL_SCOPE);

/** The bridge's instruments, or undefined while no SDK meter provider is registered. */
export const activeInstruments: () => Instruments | undefined = otelInstrumentSource(OTEL_API, OTEL_SCOPE, (meter) => ({
  serverDuration: meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  }),
  processDuration: meter.createHistogram('onex.bridge.process.duration', {
    description: 'Time a bridge took for one message: routing, delivery with its retries, and dead-lettering.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  }),
  messages: meter.createCounter('onex.bridge.messages', {
    description: 'Messages a bridge finished, by outcome.',
    unit: '{message}',
  }),
}));

/**
 * A context in which instrumented HTTP clients make no span of their own (@opentelemetry/core's `suppressTracing()`):
 * the webhook sink makes the CLIENT span of its call itself, so an instrumented client (ours, or undici's) does not
 * make another.
 */
export function suppressedTracing(ctx: Context): Context {
  return ctx.setValue(OTEL_SUPPRESS_TRACING_KEY, true);
}

/**
 * The parent of a bridge's process span. A record a Kafka source read continues the trace in its
 * `traceparent`/`tracestate` headers, and a WebSocket frame (which carries none) starts a new trace:
 * whatever span was active when the source started is not their parent. Otherwise the active span when there is one (the ingress SERVER span, an application's
 * span around `sendMessageThroughBridge`), else the message's own trace headers (a dead-letter record
 * being replayed by hand), else the active context: a new trace.
 */
export function processParent(headers: Readonly<Record<string, string>> | undefined, metadata: Readonly<Record<string, unknown>> | undefined): Context {
  const active = context.active();
  const carried = headers !== undefined && typeof headers['traceparent'] === 'string';
  // Sources read in a loop of their own: the span active when it started is not the message's parent.
  const source = metadata?.['source'];
  if (source === 'kafka' || source === 'websocket') return carried ? propagation.extract(ROOT_CONTEXT, headers) : ROOT_CONTEXT;
  if (trace.getSpan(active) !== undefined || !carried) return active;
  return propagation.extract(active, headers);
}

/** What the process span needs to know about its bridge. */
export interface ProcessSpanBridge {
  readonly bridgeId: string;
  readonly name: string;
  readonly sourceProtocol: string;
  readonly targetProtocol: string;
}

/** Attributes of a bridge's process span and metrics. */
export function bridgeAttributes(bridge: ProcessSpanBridge): Attributes {
  return {
    'onex.bridge.name': bridge.name,
    'onex.bridge.source_protocol': bridge.sourceProtocol,
    'onex.bridge.target_protocol': bridge.targetProtocol,
  };
}

/** Starts the `process {bridge}` span of one message under `parent`. */
export function startProcessSpan(
  tracer: Tracer,
  bridge: ProcessSpanBridge,
  parent: Context,
  metadata: Readonly<Record<string, unknown>> | undefined,
): { span: Span; ctx: Context } {
  const attributes: Attributes = {
    ...bridgeAttributes(bridge),
    'onex.bridge.id': bridge.bridgeId,
    'messaging.operation.name': 'process',
    'messaging.operation.type': 'process',
  };
  if (metadata?.['source'] === 'kafka') {
    attributes['messaging.system'] = 'kafka';
    if (typeof metadata['topic'] === 'string') attributes['messaging.destination.name'] = metadata['topic'];
    if (typeof metadata['partition'] === 'number') attributes['messaging.destination.partition.id'] = String(metadata['partition']);
    if (typeof metadata['offset'] === 'number') attributes['messaging.kafka.offset'] = metadata['offset'];
  }
  const span = tracer.startSpan(`process ${bridge.name}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** `traceparent`/`tracestate` of `ctx` per the registered propagator, written over the ones in `headers`. */
export function withTraceHeaders(ctx: Context, headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  for (const name of TRACE_HEADERS) delete out[name];
  propagation.inject(ctx, out);
  return out;
}

/** Ends a span as failed with `error.type`. */
export function failSpan(span: Span, errorType: string, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The attributes of a webhook CLIENT span, per the stable HTTP conventions. */
export function webhookAttributes(url: URL, resendCount: number): Attributes {
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'server.address': url.hostname,
    'server.port': otelServerPort(url),
    'url.full': otelUrlFull(url),
  };
  if (resendCount > 0) attributes['http.request.resend_count'] = resendCount;
  return attributes;
}

export { context, propagation, SpanKind, SpanStatusCode, trace };
