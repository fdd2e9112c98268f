import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HttpExtended } from './http-extended.js';

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

function ours(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@onex/http-extended');
}
const traceparentOf = (span: ReadableSpan | undefined): string => `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`;

describe('HttpExtended telemetry', () => {
  let server: Server;
  let origin: string;
  let seen: IncomingHttpHeaders[];
  let client: HttpExtended | undefined;

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
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        if (req.url === '/token') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 60 }));
        } else if (req.url === '/missing') {
          res.statusCode = 404;
          res.end('no');
        } else {
          res.end('x'.repeat(100));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    delete process.env['ONEX_OTEL_DISABLED'];
    await client?.close();
    client = undefined;
    await new Promise((resolve) => server.close(resolve));
  });

  async function drain(iterator: AsyncIterable<Uint8Array>): Promise<number> {
    let bytes = 0;
    for await (const chunk of iterator) bytes += chunk.byteLength;
    return bytes;
  }

  it('gives streamRequest one CLIENT span, ended with the stream, and sends its traceparent', async () => {
    client = new HttpExtended();
    const parent = parentTracer.startSpan('caller');
    const bytes = await context.with(trace.setSpan(context.active(), parent), () => drain(client!.streamRequest('GET', `${origin}/data?q=1`, { chunkSize: 10 })));
    parent.end();
    expect(bytes).toBe(100);
    const [span] = ours();
    expect(ours()).toHaveLength(1);
    expect(span?.name).toBe('GET');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'url.full': `${origin}/data?q=1`, 'http.response.status_code': 200 });
    expect(seen[0]?.['traceparent']).toBe(traceparentOf(span));
  });

  it('marks a streamRequest answered 404 with error.type 404', async () => {
    client = new HttpExtended();
    await expect(drain(client.streamRequest('GET', `${origin}/missing`))).rejects.toMatchObject({ code: 'HTTPX_STATUS' });
    const [span] = ours();
    expect(span?.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404' });
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('gives an OAuth2 token request a POST CLIENT span with its traceparent, and records http.client.request.duration', async () => {
    client = new HttpExtended();
    await client.authenticateOauth2(`${origin}/token`, 'id', 'secret');
    const [span] = ours();
    expect(span?.name).toBe('POST');
    expect(span?.attributes).toMatchObject({ 'url.full': `${origin}/token`, 'http.response.status_code': 200 });
    expect(seen[0]?.['traceparent']).toBe(traceparentOf(span));
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .find((s) => s.scope.name === '@onex/http-extended')
      ?.metrics.find((m) => m.descriptor.name === 'http.client.request.duration') as HistogramMetricData | undefined;
    expect(metric?.descriptor.unit).toBe('s');
    expect(metric?.dataPoints.map((p) => p.attributes)).toContainEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(origin).port),
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
  });

  it.each([
    ['option telemetry: false', () => new HttpExtended({ telemetry: false })],
    ['env ONEX_OTEL_DISABLED=true', () => ((process.env['ONEX_OTEL_DISABLED'] = 'true'), new HttpExtended())],
  ])('%s: no span and no traceparent', async (_name, make) => {
    client = make();
    await drain(client.streamRequest('GET', `${origin}/data`));
    await client.authenticateOauth2(`${origin}/token`, 'id', 'secret');
    expect(ours()).toHaveLength(0);
    expect(seen.map((h) => h['traceparent'])).toEqual([undefined, undefined]);
  });

  it('rejects a telemetry option that is not a boolean', () => {
    expect(() => new HttpExtended({ telemetry: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'HTTPX_INVALID_OPTION' }));
  });
});
