// One event's trace across the whole pipeline, against the real broker and real servers on loopback:
// POST (@onex/http) → ingress (SERVER) → bridge "ingress" (process) → Kafka send → stream processor
// (process) → Kafka send → bridge "webhook" (process) → webhook POST attempts (CLIENT, one retried),
// and a dead-lettered event whose replay from the DLQ topic continues its trace.
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { HistogramMetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HttpClient } from '@onex/http';
import { kafkaBrokers } from '../../tools/jest/kafka-env.js';
import { startDemoApp, type DemoApp } from './demo/app.js';
import type { DemoEvent } from './demo/enrich.js';
import { prometheusText, renderTrace, spansOf, startTelemetry, type Telemetry } from './demo/telemetry.js';
import { waitFor } from './support/wait-for.js';

let telemetry: Telemetry;
let app: DemoApp;
let client: HttpClient;
/** Webhook deliveries of these event ids fail (500) while their count is positive. */
const failuresLeft = new Map<string, number>();

beforeAll(async () => {
  telemetry = startTelemetry();
  app = await startDemoApp({
    brokers: kafkaBrokers(),
    // The breaker must not open on the faults made here: every attempt has to reach the webhook.
    webhookBreaker: { failureThreshold: 1000, timeoutSeconds: 1, successThreshold: 1 },
    webhookFault: (event) => {
      const left = failuresLeft.get(event.id) ?? 0;
      if (left > 0) {
        failuresLeft.set(event.id, left - 1);
        throw new Error(`injected fault for ${event.id}`);
      }
    },
  });
  client = new HttpClient();
}, 120_000);

afterAll(async () => {
  await client?.close();
  await app?.stop();
  await telemetry?.shutdown();
});

const tracer = trace.getTracer('e2e');

/** POSTs one event inside a root span of the test; returns that span's trace id and span id. */
async function postEvent(event: DemoEvent): Promise<{ traceId: string; rootId: string }> {
  const root = tracer.startSpan('test');
  const response = await context.with(trace.setSpan(context.active(), root), () => client.post(`${app.ingressUrl}/events`, { json: event }));
  root.end();
  expect(response.statusCode).toBe(200);
  return { traceId: root.spanContext().traceId, rootId: root.spanContext().spanId };
}

function one(spans: readonly ReadableSpan[], what: string, match: (s: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(match);
  if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}:\n${renderTrace(spans)}`);
  return found[0]!;
}
const id = (s: ReadableSpan): string => s.spanContext().spanId;
const parent = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const scope = (name: string) => (s: ReadableSpan) => s.instrumentationScope.name === name;

function event(suffix: string): DemoEvent {
  return { id: `${app.prefix}-${suffix}`, event: 'order_created', user_id: 'user-1', amount: 12.5, region: 'eu', sentAt: Date.now() };
}

describe('one event, one trace, across the whole pipeline', () => {
  it('chains POST → ingress → bridge → Kafka → stream processor → Kafka → bridge → webhook, with a retried webhook attempt', async () => {
    const sample = event('retried');
    failuresLeft.set(sample.id, 1);
    const { traceId, rootId } = await postEvent(sample);
    await waitFor('the webhook to receive the event', () => app.receipts.has(sample.id), 60_000);
    await waitFor('the webhook bridge to finish its process span', () =>
      spansOf(telemetry.exporter, traceId).some((s) => s.name === 'process webhook'),
    );
    const spans = spansOf(telemetry.exporter, traceId);
    if (process.env['ONEX_E2E_PRINT_TRACE']) process.stdout.write(`${renderTrace(spans)}\n`);

    const post = one(spans, 'ingress POST client span', (s) => scope('@onex/http')(s) && s.kind === SpanKind.CLIENT && parent(s) === rootId);
    const server = one(spans, 'ingress SERVER span', (s) => s.kind === SpanKind.SERVER);
    const ingress = one(spans, 'ingress bridge process span', (s) => s.name === 'process ingress');
    const sendOrders = one(spans, 'send to the orders topic', (s) => s.name === `send ${app.topics.orders}`);
    const enrich = one(spans, 'stream processor process span', (s) => scope('@onex/kafka-extended')(s) && s.name === `process ${app.topics.orders}`);
    const webhook = one(spans, 'webhook bridge process span', (s) => s.name === 'process webhook');
    const attempts = spans.filter((s) => scope('@onex/bridge')(s) && s.kind === SpanKind.CLIENT).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);

    expect(server.name).toBe('POST /events');
    expect(parent(server)).toBe(id(post));
    expect(parent(ingress)).toBe(id(server));
    expect(sendOrders.kind).toBe(SpanKind.PRODUCER);
    expect(parent(sendOrders)).toBe(id(ingress));
    // Each hop's process span carries its trace context into the records it writes; @onex/kafka's send span
    // takes the place of the hop's own context in the record, so the next hop is a child of that send.
    expect(parent(enrich)).toBe(id(sendOrders));
    expect(parent(webhook)).toBe(id(enrich));
    const sendEnriched = spans.filter((s) => s.name === `send ${app.topics.enriched}`);
    for (const s of sendEnriched) expect(parent(s)).toBe(id(enrich));

    expect(attempts).toHaveLength(2);
    const [failed, retried] = attempts as [ReadableSpan, ReadableSpan];
    for (const attempt of attempts) {
      expect(attempt.name).toBe('POST');
      expect(parent(attempt)).toBe(id(webhook));
      expect(attempt.attributes['url.full']).toBe(`${app.webhook.url}/hooks/events`);
    }
    expect(failed.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
    expect(failed.attributes['http.request.resend_count']).toBeUndefined();
    expect(retried.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(webhook.attributes).toMatchObject({ 'onex.bridge.outcome': 'delivered', 'onex.bridge.attempts': 2 });
    // The webhook's client (@onex/http) was told to stay quiet: no second CLIENT span per attempt.
    expect(spans.filter((s) => scope('@onex/http')(s) && parent(s) === id(webhook))).toHaveLength(0);
    // The webhook received each attempt's own traceparent.
    const received = app.webhook.deliveries.filter((d) => String(d.headers['traceparent'] ?? '').includes(traceId));
    expect(received.map((d) => d.headers['traceparent'])).toEqual([`00-${traceId}-${id(failed)}-01`, `00-${traceId}-${id(retried)}-01`]);

    // The WebSocket variant: the "live" bridge read the same orders record, in the same trace.
    await waitFor('the live bridge to process the event', () => spansOf(telemetry.exporter, traceId).some((s) => s.name === 'process live'));
    const live = one(spansOf(telemetry.exporter, traceId), 'live bridge process span', (s) => s.name === 'process live');
    expect(parent(live)).toBe(id(sendOrders));
    expect(live.attributes).toMatchObject({ 'onex.bridge.target_protocol': 'websocket', 'messaging.destination.name': app.topics.orders });
  }, 90_000);

  it('keeps the trace through the dead-letter topic: the replayed delivery is in the same trace, under the failed one', async () => {
    const sample = event('dead-lettered');
    failuresLeft.set(sample.id, 4); // the webhook bridge's 1 + maxRetries 3 attempts all fail
    const { traceId } = await postEvent(sample);
    await waitFor('the webhook bridge to dead-letter the event', () =>
      spansOf(telemetry.exporter, traceId).some((s) => s.name === 'process webhook' && s.attributes['onex.bridge.outcome'] === 'dead_lettered'),
    60_000);
    let spans = spansOf(telemetry.exporter, traceId);
    const webhook = one(spans, 'webhook bridge process span', (s) => s.name === 'process webhook');
    expect(webhook.attributes).toMatchObject({ 'error.type': 'BRIDGE_DELIVERY_FAILED', 'onex.bridge.attempts': 4 });
    const attempts = spans.filter((s) => scope('@onex/bridge')(s) && s.kind === SpanKind.CLIENT && parent(s) === id(webhook));
    expect(attempts.map((s) => s.attributes['http.request.resend_count'] ?? 0).sort()).toEqual([0, 1, 2, 3]);
    const dlqSend = one(spans, 'send to the webhook DLQ', (s) => s.name === `send ${app.topics.webhookDlq}`);
    expect(parent(dlqSend)).toBe(id(webhook));

    await app.redriveDeadLetters();
    await waitFor('the replay to deliver the event', () => app.receipts.has(sample.id), 60_000);
    await waitFor('the replay span to finish', () => spansOf(telemetry.exporter, traceId).some((s) => s.name === 'process webhook-redrive'));
    spans = spansOf(telemetry.exporter, traceId);
    if (process.env['ONEX_E2E_PRINT_TRACE']) process.stdout.write(`${renderTrace(spans)}\n`);
    const replay = one(spans, 'replay process span', (s) => s.name === 'process webhook-redrive');
    expect(parent(replay)).toBe(id(dlqSend));
    expect(replay.attributes).toMatchObject({ 'onex.bridge.outcome': 'delivered', 'messaging.destination.name': app.topics.webhookDlq });
    const delivered = one(spans, 'replayed webhook POST', (s) => s.kind === SpanKind.CLIENT && parent(s) === id(replay));
    expect(delivered.attributes['http.response.status_code']).toBe(200);
  }, 120_000);

  it('exports the HTTP and bridge metrics with their names, units and attributes', async () => {
    const resource = await telemetry.collect();
    const find = <T>(scopeName: string, name: string): T => {
      const metric = resource.scopeMetrics.find((s) => s.scope.name === scopeName)?.metrics.find((m) => m.descriptor.name === name);
      if (metric === undefined) throw new Error(`no ${name} from ${scopeName}`);
      return metric as T;
    };
    const clientDuration = find<HistogramMetricData>('@onex/http', 'http.client.request.duration');
    expect(clientDuration.descriptor.unit).toBe('s');
    const webhookPort = Number(new URL(app.webhook.url).port);
    expect(clientDuration.dataPoints.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'server.port': webhookPort, 'url.scheme': 'http', 'http.response.status_code': 200 },
        { 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'server.port': webhookPort, 'url.scheme': 'http', 'http.response.status_code': 500, 'error.type': '500' },
      ]),
    );
    const serverDuration = find<HistogramMetricData>('@onex/bridge', 'http.server.request.duration');
    expect(serverDuration.descriptor.unit).toBe('s');
    expect(serverDuration.dataPoints.map((p) => p.attributes)).toContainEqual({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.route': '/events',
      'http.response.status_code': 200,
    });
    const process = find<HistogramMetricData>('@onex/bridge', 'onex.bridge.process.duration');
    expect(process.descriptor.unit).toBe('s');
    expect(process.dataPoints.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { 'onex.bridge.name': 'webhook', 'onex.bridge.source_protocol': 'kafka', 'onex.bridge.target_protocol': 'http', 'onex.bridge.outcome': 'delivered' },
        {
          'onex.bridge.name': 'webhook',
          'onex.bridge.source_protocol': 'kafka',
          'onex.bridge.target_protocol': 'http',
          'onex.bridge.outcome': 'dead_lettered',
          'error.type': 'BRIDGE_DELIVERY_FAILED',
        },
      ]),
    );
    const messages = find<SumMetricData>('@onex/bridge', 'onex.bridge.messages');
    expect(messages.descriptor.unit).toBe('{message}');
    const ingressDelivered = messages.dataPoints.find((p) => p.attributes['onex.bridge.name'] === 'ingress' && p.attributes['onex.bridge.outcome'] === 'delivered');
    expect(ingressDelivered?.value).toBe(2);

    // What the demo serves at its metrics URL.
    const text = prometheusText(resource);
    expect(text).toContain('# TYPE http_client_request_duration_seconds histogram');
    expect(text).toMatch(/^http_client_request_duration_seconds_bucket\{http_request_method="POST",server_address="127\.0\.0\.1",.*le="0\.005"\} \d+$/m);
    expect(text).toContain('# TYPE onex_bridge_messages counter');
    expect(text).toMatch(/^onex_bridge_messages_total\{onex_bridge_name="ingress",onex_bridge_source_protocol="http",onex_bridge_target_protocol="kafka",onex_bridge_outcome="delivered"\} 2$/m);
  });
});
