import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { FakeKafkaClient } from '../test/support/fake-kafka-client.js';
import { FetchHttpClient } from '../test/support/fetch-http-client.js';
import { WsHttpExtended } from '../test/support/ws-http-extended.js';
import { WebSocketServer } from 'ws';
import { HttpAdapter } from './adapters/http-adapter.js';
import { KafkaAdapter } from './adapters/kafka-adapter.js';
import { WebSocketAdapter } from './adapters/websocket-adapter.js';
import { MemoryAdapter } from './adapters/memory-adapter.js';
import { CommunicationBridge } from './communication-bridge.js';
import { IngressServer } from './ingress/ingress-server.js';

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

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

function bridgeSpans(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@onex/bridge');
}
const idOf = (span: ReadableSpan | undefined): string | undefined => span?.spanContext().spanId;
const parentOf = (span: ReadableSpan | undefined): string | undefined => span?.parentSpanContext?.spanId;
const traceparentOf = (span: ReadableSpan): string => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

async function metric<T>(name: string): Promise<T | undefined> {
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === '@onex/bridge');
  return scope?.metrics.find((m) => m.descriptor.name === name) as T | undefined;
}

describe('bridge telemetry', () => {
  let webhook: Server;
  let hookUrl: string;
  let received: IncomingHttpHeaders[];
  let statuses: number[];
  let bridge: CommunicationBridge | undefined;
  let ingress: IngressServer | undefined;
  let memory: MemoryAdapter;

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
    received = [];
    statuses = [200];
    webhook = createServer((request, response) => {
      received.push(request.headers);
      request.resume();
      request.on('end', () => {
        response.statusCode = statuses[Math.min(received.length, statuses.length) - 1]!;
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    memory = new MemoryAdapter();
  });

  afterEach(async () => {
    delete process.env['ONEX_OTEL_DISABLED'];
    await bridge?.close();
    await ingress?.close();
    bridge = undefined;
    ingress = undefined;
    await new Promise((resolve) => webhook.close(resolve));
  });

  async function ingressToWebhook(options: { telemetry?: boolean; retries?: 'bridge' | 'client' } = {}): Promise<string> {
    ingress = new IngressServer(options.telemetry === undefined ? {} : { telemetry: options.telemetry });
    const http = new HttpAdapter({ client: new FetchHttpClient(), ingress, ...(options.retries ? { retries: options.retries } : {}) });
    bridge = new CommunicationBridge({ adapters: [memory, http], ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }) });
    await bridge.createBridge('orders', 'http', 'http', {
      sourceEndpoint: '/in',
      targetEndpoint: hookUrl,
      dlqTarget: 'memory:dlq',
      retryPolicy: { maxRetries: 2, initialDelayMs: 1 },
    });
    return `${ingress.address().url}/in`;
  }

  function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  it('chains the caller’s traceparent → ingress SERVER span → process span → one webhook CLIENT span per attempt', async () => {
    statuses = [503, 200];
    const url = await ingressToWebhook();
    const answer = await post(url, { id: 1 }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(answer.status).toBe(200);

    const spans = bridgeSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const process = spans.find((s) => s.name === 'process orders');
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(spans.every((s) => s.spanContext().traceId === TRACE_ID)).toBe(true);
    expect(server?.name).toBe('POST /in');
    expect(parentOf(server)).toBe(CALLER_SPAN);
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/in', 'url.path': '/in', 'url.scheme': 'http', 'http.response.status_code': 200 });
    expect(parentOf(process)).toBe(idOf(server));
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    expect(process?.attributes).toMatchObject({ 'onex.bridge.name': 'orders', 'messaging.operation.type': 'process', 'onex.bridge.outcome': 'delivered', 'onex.bridge.attempts': 2 });
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts as [ReadableSpan, ReadableSpan];
    for (const attempt of attempts) {
      expect(attempt.name).toBe('POST');
      expect(parentOf(attempt)).toBe(idOf(process));
      expect(attempt.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'url.full': hookUrl });
    }
    expect(first.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(second.attributes['error.type']).toBeUndefined();
    expect(received.map((h) => h['traceparent'])).toEqual([traceparentOf(first), traceparentOf(second)]);
  });

  it('carries the trace into the dead-letter record, and a replay of that record continues the same trace', async () => {
    statuses = [500];
    const url = await ingressToWebhook();
    await post(url, { id: 2 }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    const process = bridgeSpans().find((s) => s.name === 'process orders')!;
    expect(process.attributes).toMatchObject({ 'onex.bridge.outcome': 'dead_lettered', 'error.type': 'BRIDGE_DELIVERY_FAILED' });
    const [dead] = memory.records('dlq');
    expect(dead?.headers['traceparent']).toBe(traceparentOf(process));

    // Replay: the dead-letter record goes through a bridge again, from its headers alone (no active span).
    statuses = [200];
    exporter.reset();
    const replay = await bridge!.createBridge('replay', 'memory', 'http', { sourceEndpoint: 'replay', targetEndpoint: hookUrl });
    const result = await context.with(trace.deleteSpan(context.active()), () =>
      bridge!.sendMessageThroughBridge(replay, { payload: dead!.payload, headers: { ...dead!.headers } }),
    );
    expect(result.success).toBe(true);
    const replayed = bridgeSpans().find((s) => s.name === 'process replay');
    expect(replayed?.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(replayed)).toBe(idOf(process));
    const hook = bridgeSpans().find((s) => s.kind === SpanKind.CLIENT);
    expect(parentOf(hook)).toBe(idOf(replayed));
  });

  it('continues a Kafka record’s trace from its headers, not the span that was active when the source started', async () => {
    const kafka = new FakeKafkaClient(1);
    const adapter = new KafkaAdapter({ client: kafka, connection: { bootstrapServers: ['127.0.0.1:9'] }, pollTimeoutMs: 20, errorBackoffMs: 5 });
    bridge = new CommunicationBridge({ adapters: [memory, adapter] });
    const startup = trace.getTracer('test').startSpan('application start-up');
    await context.with(trace.setSpan(context.active(), startup), () =>
      bridge!.createBridge('from-kafka', 'kafka', 'memory', { sourceEndpoint: 'orders', targetEndpoint: 'sink' }),
    );
    startup.end();
    const producer = await kafka.createProducer({ bootstrapServers: ['127.0.0.1:9'] } as never);
    await kafka.produceMessage(producer, 'orders', 'k', '{"a":1}', { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } });
    for (let i = 0; i < 200 && memory.records('sink').length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const process = bridgeSpans().find((s) => s.name === 'process from-kafka');
    expect(process?.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(process)).toBe(CALLER_SPAN);
    expect(process?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
      'onex.bridge.source_protocol': 'kafka',
    });
    expect(memory.records('sink')[0]?.headers['traceparent']).toBe(traceparentOf(process!));
  });

  it('starts a new trace for each WebSocket frame (frames carry no trace context), not under the span active when the source started', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    try {
      const connected = new Promise<import('ws').WebSocket>((resolve) => wss.once('connection', resolve));
      bridge = new CommunicationBridge({ adapters: [memory, new WebSocketAdapter({ client: new WsHttpExtended() })] });
      const startup = trace.getTracer('test').startSpan('application start-up');
      await context.with(trace.setSpan(context.active(), startup), () =>
        bridge!.createBridge('from-ws', 'websocket', 'memory', { sourceEndpoint: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, targetEndpoint: 'sink' }),
      );
      startup.end();
      (await connected).send(JSON.stringify({ n: 1 }));
      for (let i = 0; i < 200 && memory.records('sink').length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const process = bridgeSpans().find((s) => s.name === 'process from-ws');
      expect(process).toBeDefined();
      expect(process?.parentSpanContext).toBeUndefined();
      expect(process?.spanContext().traceId).not.toBe(startup.spanContext().traceId);
    } finally {
      await bridge?.close();
      bridge = undefined;
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  it('leaves webhook CLIENT spans to the client with retries: client, and still sends the process span’s traceparent', async () => {
    const url = await ingressToWebhook({ retries: 'client' });
    await post(url, { id: 3 });
    const process = bridgeSpans().find((s) => s.name === 'process orders')!;
    expect(bridgeSpans().filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(0);
    expect(received[0]?.['traceparent']).toBe(traceparentOf(process));
  });

  it.each([
    ['options telemetry: false', () => ingressToWebhook({ telemetry: false })],
    ['env ONEX_OTEL_DISABLED=true', () => ((process.env['ONEX_OTEL_DISABLED'] = 'true'), ingressToWebhook())],
  ])('%s: no span, and the caller’s trace is not continued', async (_name, start) => {
    const url = await start();
    await post(url, { id: 4 }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(bridgeSpans()).toHaveLength(0);
    expect(received[0]?.['traceparent']).toBeUndefined();
  });

  it('rejects a telemetry option that is not a boolean', () => {
    expect(() => new CommunicationBridge({ telemetry: 'on' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'BRIDGE_INVALID_CONFIG', message: '`telemetry` must be a boolean, got "on"' }),
    );
    expect(() => new IngressServer({ telemetry: 1 as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'BRIDGE_INVALID_CONFIG', message: '`telemetry` must be a boolean, got 1' }),
    );
    // The same option on the ingress server is worded by the same checks (the value rendered, not its type).
    expect(() => new IngressServer({ port: 70_000, authenticate: 'x' as never })).toThrow('`port` must be an integer from 0 to 65535, got 70000');
    expect(() => new IngressServer({ authenticate: 'x' as never })).toThrow('`authenticate` must be a function, got "x"');
  });

  it('records http.server.request.duration, onex.bridge.process.duration and onex.bridge.messages with their units and attributes', async () => {
    const url = await ingressToWebhook();
    await post(url, { id: 5 });
    const server = await metric<HistogramMetricData>('http.server.request.duration');
    expect(server?.descriptor).toMatchObject({ unit: 's' });
    const point = server?.dataPoints.find((p) => p.attributes['http.route'] === '/in');
    expect(point?.attributes).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.route': '/in',
      'http.response.status_code': 200,
    });
    expect(point?.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

    const processDuration = await metric<HistogramMetricData>('onex.bridge.process.duration');
    expect(processDuration?.descriptor).toMatchObject({ unit: 's' });
    const expected = { 'onex.bridge.name': 'orders', 'onex.bridge.source_protocol': 'http', 'onex.bridge.target_protocol': 'http', 'onex.bridge.outcome': 'delivered' };
    expect(processDuration?.dataPoints.map((p) => p.attributes)).toContainEqual(expected);
    const messages = await metric<SumMetricData>('onex.bridge.messages');
    expect(messages?.descriptor).toMatchObject({ unit: '{message}' });
    expect(messages?.dataPoints.find((p) => p.attributes['onex.bridge.outcome'] === 'delivered' && p.attributes['onex.bridge.name'] === 'orders')?.value).toBeGreaterThanOrEqual(1);
  });
});
