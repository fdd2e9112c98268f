// OpenTelemetry for the demo and the e2e trace test: an SDK registered through the global API (W3C
// propagator, AsyncLocalStorage context manager), spans kept in memory, metrics pulled on demand,
// and the two views the demo prints: a trace as an indented tree, metrics as Prometheus text.
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hrTimeToMilliseconds, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader that exports nothing by itself: metrics are read with {@link Telemetry.collect}. */
class PullMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** The registered SDK. */
export interface Telemetry {
  readonly exporter: InMemorySpanExporter;
  /** Every metric recorded so far (cumulative). */
  collect(): Promise<ResourceMetrics>;
  /** Sends the spans still buffered for OTLP. */
  flush(): Promise<void>;
  /** Unregisters the SDK from the global API. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP endpoint the environment names for traces, if any (the exporter reads the same variables). */
export function otlpTracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined;
}

/**
 * Registers an SDK with the global OpenTelemetry API (what an application does once at start-up).
 * Spans are kept in memory; when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set they are also sent over OTLP/HTTP to that backend (Jaeger, Tempo, an OpenTelemetry Collector, …).
 */
export function startTelemetry(): Telemetry {
  const exporter = new InMemorySpanExporter();
  const reader = new PullMetricReader();
  const spanProcessors: SpanProcessor[] = [new SimpleSpanProcessor(exporter)];
  if (otlpTracesEndpoint() !== undefined) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 }));
  const tracerProvider = new BasicTracerProvider({ spanProcessors });
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporter,
    collect: async () => (await reader.collect()).resourceMetrics,
    flush: () => tracerProvider.forceFlush(),
    shutdown: async () => {
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      await meterProvider.shutdown();
      // Shutting down flushes the OTLP batch first.
      await tracerProvider.shutdown();
    },
  };
}

/** The finished spans of one trace. */
export function spansOf(exporter: InMemorySpanExporter, traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

const KIND = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

/** A short label of the span's notable attributes. */
function detail(span: ReadableSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  if (a['http.response.status_code'] !== undefined) parts.push(`status ${String(a['http.response.status_code'])}`);
  if (a['http.request.resend_count'] !== undefined) parts.push(`resend ${String(a['http.request.resend_count'])}`);
  if (a['messaging.destination.partition.id'] !== undefined && span.kind === SpanKind.PRODUCER) {
    parts.push(`partition ${String(a['messaging.destination.partition.id'])} offset ${String(a['messaging.kafka.offset'] ?? '?')}`);
  }
  if (a['onex.bridge.outcome'] !== undefined) parts.push(String(a['onex.bridge.outcome']));
  if (a['error.type'] !== undefined) parts.push(`error ${String(a['error.type'])}`);
  return parts.length === 0 ? '' : `  (${parts.join(', ')})`;
}

/**
 * One trace as an indented tree, children in start order, each line with the span's duration and its
 * start offset from the trace's first span: `+12.3 ms  45.6 ms  CONSUMER process ingress  [@onex/bridge]`.
 */
export function renderTrace(spans: readonly ReadableSpan[]): string {
  if (spans.length === 0) return '(no spans)';
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    const list = children.get(key) ?? [];
    list.push(span);
    children.set(key, list);
  }
  const start = (s: ReadableSpan): number => hrTimeToMilliseconds(s.startTime);
  for (const list of children.values()) list.sort((a, b) => start(a) - start(b));
  const origin = Math.min(...spans.map(start));
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number): void => {
    const offset = `+${(start(span) - origin).toFixed(1)} ms`.padStart(11);
    const duration = `${hrTimeToMilliseconds(span.duration).toFixed(1)} ms`.padStart(10);
    lines.push(`${offset} ${duration}  ${'  '.repeat(depth)}${KIND[span.kind]} ${span.name}  [${span.instrumentationScope.name}]${detail(span)}`);
    for (const child of children.get(span.spanContext().spanId) ?? []) walk(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) walk(root, 0);
  return lines.join('\n');
}

/** The Prometheus name of an OpenTelemetry metric (dots to underscores, unit suffix, `_total` for counters). */
export function prometheusName(metric: MetricData): string {
  let name = metric.descriptor.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const unit = metric.descriptor.unit;
  if (unit === 's' && !name.endsWith('_seconds')) name += '_seconds';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) name += '_total';
  return name;
}

function labels(attributes: Readonly<Record<string, unknown>>, extra?: [string, string]): string {
  const pairs = Object.entries(attributes).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, '_'), String(v)] as [string, string]);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

/** Metrics in the Prometheus text exposition format (version 0.0.4). */
export function prometheusText(resourceMetrics: ResourceMetrics): string {
  const out: string[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = prometheusName(metric);
      const base = metric.dataPointType === DataPointType.SUM && metric.isMonotonic ? name.replace(/_total$/, '') : name;
      out.push(`# HELP ${base} ${metric.descriptor.description.replace(/\n/g, ' ')}`);
      switch (metric.dataPointType) {
        case DataPointType.HISTOGRAM: {
          out.push(`# TYPE ${base} histogram`);
          for (const point of (metric as HistogramMetricData).dataPoints) {
            const { boundaries, counts } = point.value.buckets;
            let cumulative = 0;
            boundaries.forEach((bound, i) => {
              cumulative += counts[i] ?? 0;
              out.push(`${base}_bucket${labels(point.attributes, ['le', String(bound)])} ${cumulative}`);
            });
            out.push(`${base}_bucket${labels(point.attributes, ['le', '+Inf'])} ${point.value.count}`);
            out.push(`${base}_sum${labels(point.attributes)} ${point.value.sum ?? 0}`);
            out.push(`${base}_count${labels(point.attributes)} ${point.value.count}`);
          }
          break;
        }
        case DataPointType.SUM:
          out.push(`# TYPE ${base} ${metric.isMonotonic ? 'counter' : 'gauge'}`);
          for (const point of metric.dataPoints) out.push(`${name}${labels(point.attributes)} ${point.value}`);
          break;
        case DataPointType.GAUGE:
          out.push(`# TYPE ${base} gauge`);
          for (const point of metric.dataPoints) out.push(`${name}${labels(point.attributes)} ${point.value}`);
          break;
        default:
          break;
      }
    }
  }
  return `${out.join('\n')}\n`;
}
