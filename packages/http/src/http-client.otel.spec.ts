import { context, createContextKey, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startServer, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';

/** A reader the test pulls from. */
class PullReader extends MetricReader {
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

const exporter = new InMemorySpanExporter();
const reader = new PullReader();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const meterProvider = new MeterProvider({ readers: [reader] });
const parentTracer = trace.getTracer('test');

async function durations(): Promise<HistogramMetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === '@onex/http');
  return scope?.metrics.find((m) => m.descriptor.name === 'http.client.request.duration') as HistogramMetricData | undefined;
}

function attemptSpans(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@onex/http');
}

describe('HttpClient telemetry', () => {
  let server: TestServer;
  let client: HttpClient | undefined;
  let statuses: number[];

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  });

  afterAll(async () => {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });

  beforeEach(async () => {
    exporter.reset();
    statuses = [200];
    server = await startServer((_req, res, { index }) => {
      res.writeHead(statuses[Math.min(index, statuses.length) - 1]!);
      res.end();
    });
  });

  afterEach(async () => {
    delete process.env['ONEX_OTEL_DISABLED'];
    delete process.env['OTEL_SEMCONV_STABILITY_OPT_IN'];
    await client?.close();
    client = undefined;
    await server.close();
  });

  it('makes one CLIENT span per attempt, with resend_count on the retry and each attempt’s own traceparent', async () => {
    statuses = [503, 200];
    client = new HttpClient({ retry: { maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [503] } });
    const parent = parentTracer.startSpan('caller');
    const response = await context.with(trace.setSpan(context.active(), parent), () => client!.get(`${server.url}items?page=2`));
    parent.end();
    expect(response.statusCode).toBe(200);

    const spans = attemptSpans();
    expect(spans).toHaveLength(2);
    const [first, second] = spans as [ReadableSpan, ReadableSpan];
    const { port } = new URL(server.url);
    for (const span of spans) {
      expect(span.name).toBe('GET');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': Number(port),
        'url.full': `${server.url}items?page=2`,
      });
    }
    expect(first.attributes['http.response.status_code']).toBe(503);
    expect(first.attributes['error.type']).toBe('503');
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes['http.response.status_code']).toBe(200);
    expect(second.attributes['error.type']).toBeUndefined();
    expect(second.attributes['http.request.resend_count']).toBe(1);
    expect(second.status.code).toBe(SpanStatusCode.UNSET);

    const sent = server.requests.map((r) => r.headers['traceparent']);
    expect(sent).toEqual(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it('records http.client.request.duration per attempt in seconds with the advised buckets', async () => {
    statuses = [503, 200];
    client = new HttpClient({ retry: { maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [503] } });
    await client.post(`${server.url}metric-check`, { json: {}, headers: { 'Idempotency-Key': 'k1' } });
    const metric = await durations();
    expect(metric?.descriptor).toMatchObject({ name: 'http.client.request.duration', unit: 's' });
    expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const { port } = new URL(server.url);
    const points = metric!.dataPoints.filter((p) => p.attributes['http.request.method'] === 'POST');
    expect(points).toHaveLength(2);
    const base = { 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'server.port': Number(port), 'url.scheme': 'http' };
    expect(points.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { ...base, 'http.response.status_code': 503, 'error.type': '503' },
        { ...base, 'http.response.status_code': 200 },
      ]),
    );
    for (const point of points) {
      expect(point.value.count).toBe(1);
      expect(point.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
      expect(point.value.sum).toBeGreaterThan(0);
      expect(point.value.sum).toBeLessThan(10);
    }
  });

  it('sets error.type to the error code when an attempt fails without a response', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url;
    await closed.close();
    client = new HttpClient();
    await expect(client.get(url)).rejects.toMatchObject({ code: 'HTTP_NETWORK' });
    const [span] = attemptSpans();
    expect(span?.attributes['error.type']).toBe('HTTP_NETWORK');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('redacts the values of signature query parameters in url.full', async () => {
    client = new HttpClient();
    await client.get(`${server.url}?a=1&sig=abc&X-Goog-Signature=def&b=%20x`);
    const [span] = attemptSpans();
    expect(span?.attributes['url.full']).toBe(`${server.url}?a=1&sig=REDACTED&X-Goog-Signature=REDACTED&b=%20x`);
  });

  it('adds the old attribute names too under OTEL_SEMCONV_STABILITY_OPT_IN=http/dup', async () => {
    process.env['OTEL_SEMCONV_STABILITY_OPT_IN'] = 'database, http/dup';
    client = new HttpClient();
    await client.get(server.url);
    const [span] = attemptSpans();
    expect(span?.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.method': 'GET', 'http.status_code': 200, 'http.url': server.url });
  });

  describe('turned off', () => {
    it.each([
      ['option telemetry: false', () => new HttpClient({ telemetry: false })],
      ['env ONEX_OTEL_DISABLED=true', () => ((process.env['ONEX_OTEL_DISABLED'] = 'true'), new HttpClient())],
    ])('%s: no span and no traceparent', async (_name, make) => {
      client = make();
      const parent = parentTracer.startSpan('caller');
      await context.with(trace.setSpan(context.active(), parent), () => client!.get(server.url));
      parent.end();
      expect(attemptSpans()).toHaveLength(0);
      expect(server.requests[0]?.headers['traceparent']).toBeUndefined();
    });

    it('makes no span when the caller suppressed tracing (as @opentelemetry/core suppressTracing does)', async () => {
      client = new HttpClient();
      const suppressed = context.active().setValue(createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
      await context.with(suppressed, () => client!.get(server.url));
      expect(attemptSpans()).toHaveLength(0);
      expect(server.requests[0]?.headers['traceparent']).toBeUndefined();
    });

    it('rejects a telemetry option that is not a boolean', () => {
      expect(() => new HttpClient({ telemetry: 'yes' as unknown as boolean })).toThrow(
        expect.objectContaining({ code: 'HTTP_INVALID_OPTION', message: expect.stringContaining('`telemetry`') }),
      );
    });
  });
});
