// `npm start` (tools/scripts/start.mjs runs this file with tsx). Runs the demo application against
// KAFKA_BROKERS, or against a broker it starts from tools/kafka; sends a sample workload while the
// webhook fails for a while, prints a summary with the trace of one sample event, serves the
// OpenTelemetry metrics as Prometheus text, then serves until Ctrl-C (`--once`: exits instead).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HttpClient } from '@onex/http';
import type { ProtocolWebSocketConnection } from '@onex/spi-types';
import { context, trace } from '@opentelemetry/api';
import { waitFor } from '../support/wait-for.js';
import { startDemoApp, ROUTES, type DemoApp } from './app.js';
import type { DemoEvent } from './enrich.js';
import { ms, percentile, table } from './stats.js';
import { otlpTracesEndpoint, prometheusText, renderTrace, spansOf, startTelemetry, type Telemetry } from './telemetry.js';
import { expectedRoute, runWorkload } from './workload.js';

const args = new Set(process.argv.slice(2));
const once = args.has('--once');
const EVENTS = Number(process.env['DEMO_EVENTS'] ?? 400);
const BATCH = 20;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface BrokerHandle {
  readonly brokers: string[];
  stop(): Promise<void>;
}

async function kafkaBrokers(): Promise<{ brokers: string[]; owned?: BrokerHandle }> {
  const fromEnv = process.env['KAFKA_BROKERS'];
  if (fromEnv) return { brokers: fromEnv.split(',').map((s) => s.trim()).filter(Boolean) };
  say('KAFKA_BROKERS is not set: starting a local Kafka broker from tools/kafka (first start downloads it with Maven) …');
  const { startBroker } = (await import(pathToFileURL(path.join(root, 'tools/kafka/broker.mjs')).href)) as {
    startBroker(): Promise<BrokerHandle>;
  };
  const broker = await startBroker();
  say(`Kafka broker ready on ${broker.brokers.join(',')}`);
  return { brokers: broker.brokers, owned: broker };
}

async function subscribe(app: DemoApp, received: Map<string, number>[]): Promise<ProtocolWebSocketConnection[]> {
  const connections: ProtocolWebSocketConnection[] = [];
  for (let i = 0; i < 2; i++) {
    const counts = new Map<string, number>();
    received.push(counts);
    const connection = await app.httpExtended.websocketConnect(`${app.hub.url}/subscribe`);
    connections.push(connection);
    void (async () => {
      try {
        for await (const frame of connection) {
          const event = JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8')) as DemoEvent;
          counts.set(event.id, Date.now() - event.sentAt);
        }
      } catch {
        // the connection closed
      }
    })();
  }
  await waitFor('two WebSocket subscribers', () => app.hub.subscriberCount === 2, 5_000);
  return connections;
}

/** Serves the SDK's metrics as Prometheus text at `/metrics` on loopback (DEMO_METRICS_PORT, else a free port). */
async function serveMetrics(telemetry: Telemetry): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    telemetry.collect().then(
      (metrics) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(prometheusText(metrics)),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env['DEMO_METRICS_PORT'] ?? 0), '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

/** Sends one sample event inside a root span and returns its trace once the webhook bridge has delivered it. */
async function sampleTrace(app: DemoApp, client: HttpClient, telemetry: Telemetry): Promise<string> {
  const event: DemoEvent = { id: `${app.prefix}-traced`, event: 'order_created', user_id: 'user-traced', amount: 99.5, region: 'eu', sentAt: Date.now() };
  const root = trace.getTracer('onex-demo').startSpan('demo: one sample event');
  await context.with(trace.setSpan(context.active(), root), () => client.post(`${app.ingressUrl}/events`, { json: event }));
  root.end();
  const traceId = root.spanContext().traceId;
  await waitFor('the sample event at the webhook', () => app.receipts.has(event.id), 30_000, 50);
  let note = '';
  try {
    await waitFor('the sample event through every hop', () => {
      const names = new Set(spansOf(telemetry.exporter, traceId).map((s) => s.name));
      return names.has('process webhook') && names.has('process live');
    }, 10_000, 50);
  } catch (error) {
    // A summary with part of the trace beats no summary.
    note = `\n(incomplete: ${(error as Error).message})`;
  }
  return `trace ${traceId}\n${renderTrace(spansOf(telemetry.exporter, traceId))}${note}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  // The application registers the OpenTelemetry SDK; every @onex package then traces and measures.
  const telemetry = startTelemetry();
  const metricsEndpoint = await serveMetrics(telemetry);
  const { brokers, owned } = await kafkaBrokers();
  let app: DemoApp | undefined;
  let client: HttpClient | undefined;
  const connections: ProtocolWebSocketConnection[] = [];
  const shutdown = async (): Promise<void> => {
    const t0 = Date.now();
    const note = (what: string): void => void (process.env['ONEX_DEMO_TRACE'] && process.stderr.write(`${what} at +${Date.now() - t0} ms\n`));
    for (const c of connections) await c.close().catch(() => undefined);
    note('websocket subscribers closed');
    await client?.close().catch(() => undefined);
    await app?.stop();
    note('app stopped');
    await owned?.stop();
    await new Promise((resolve) => metricsEndpoint.server.close(resolve));
    await telemetry.shutdown();
  };
  try {
    app = await startDemoApp({ brokers, ...(process.env['DEMO_PORT'] ? { ingressPort: Number(process.env['DEMO_PORT']) } : {}) });
    say(`ONEX demo up in ${((Date.now() - started) / 1000).toFixed(1)} s — ingress ${app.ingressUrl}/events, topics ${app.prefix}.*, Avro schema id ${app.schemaId}`);
    say(`OpenTelemetry metrics (Prometheus text): ${metricsEndpoint.url}`);
    const otlp = otlpTracesEndpoint();
    say(otlp === undefined ? 'OpenTelemetry traces: kept in memory (set OTEL_EXPORTER_OTLP_ENDPOINT to send them to a backend over OTLP/HTTP)' : `OpenTelemetry traces: also sent over OTLP/HTTP to ${otlp}`);
    const wsReceived: Map<string, number>[] = [];
    connections.push(...(await subscribe(app, wsReceived)));

    // The workload; the webhook answers 503 from 25 % of it for 2 s.
    client = new HttpClient({ connections: 4 });
    const demo = app;
    const tty = process.stdout.isTTY;
    let outageTimer: NodeJS.Timeout | undefined;
    const progress = (accepted: number): void => {
      if (!outageTimer && accepted >= EVENTS / 4) {
        demo.webhook.setFailing(true);
        say(`\n! webhook service now answers 503 for 2 s (after ${accepted} events)`);
        outageTimer = setTimeout(() => {
          demo.webhook.setFailing(false);
          say('\n! webhook service healthy again');
        }, 2_000);
      }
      const line = `  sent ${String(accepted).padStart(4)}/${EVENTS}  webhook ${String(demo.receipts.size).padStart(4)}  websocket ${String(wsReceived[0]?.size ?? 0).padStart(4)}  circuit ${demo.transitions.at(-1)?.to ?? 'closed'}   `;
      if (tty) process.stdout.write(`\r${line}`);
      else if (accepted % 100 === 0 || accepted === EVENTS) say(line);
    };
    const workload = await runWorkload({ ingressUrl: app.ingressUrl, client, events: EVENTS, batchSize: BATCH, pauseMs: 100, onProgress: progress });
    await waitFor('the webhook outage to end', () => !demo.webhook.failing, 10_000);

    // Every enriched event is either delivered or dead-lettered; then the DLQ is replayed.
    await waitFor('the webhook bridge to handle every event', async () => (await demo.bridge.getBridgeStatus(demo.bridges.webhook)).messagesProcessed >= EVENTS, 60_000, 100);
    const webhookMetrics = await app.bridge.getBridgeMetrics(app.bridges.webhook);
    const deliveredBeforeRedrive = app.receipts.size;
    if (webhookMetrics.dlqCount > 0) {
      say(`\n${webhookMetrics.dlqCount} events were dead-lettered during the outage; replaying ${app.topics.webhookDlq} …`);
      await app.redriveDeadLetters();
    }
    await waitFor('every event at the webhook', () => demo.receipts.size >= EVENTS, 60_000, 100);
    const expectedLive = workload.sent.filter((e) => expectedRoute(e) !== 'other').length;
    await waitFor('every routed event at the WebSocket subscribers', () => wsReceived.every((m) => m.size >= expectedLive), 30_000, 100);
    if (tty) process.stdout.write('\n');

    // Summary.
    const ingressMetrics = await app.bridge.getBridgeMetrics(app.bridges.ingress);
    const processor = await app.kafkaExtended.getStreamProcessorMetrics(app.processorId);
    const expectedPerRoute = Object.fromEntries(ROUTES.map((r) => [r, workload.sent.filter((e) => expectedRoute(e) === r).length]));
    say('\n== Summary ==');
    say(table(['route (topic)', 'expected', 'routed by bridge'], ROUTES.map((r) => [`${r} (${demo.topics[r]})`, expectedPerRoute[r] ?? 0, ingressMetrics.perRoute[r === 'other' ? 'default' : r] ?? 0])));
    const e2eWebhook = [...app.receipts.values()].flatMap((list) => list.slice(0, 1).map((r) => r.endToEndMs));
    const e2eWs = [...(wsReceived[0]?.values() ?? [])];
    say('');
    say(
      table(
        ['latency (ms)', 'p50', 'p99', 'max', 'samples'],
        [
          ['ingress POST of 20 events (client)', ms(percentile(workload.requestLatencies, 50)), ms(percentile(workload.requestLatencies, 99)), ms(Math.max(...workload.requestLatencies)), workload.requestLatencies.length],
          ['ingress bridge → Kafka (per event)', ms(ingressMetrics.latency.p50Ms), ms(ingressMetrics.latency.p99Ms), ms(ingressMetrics.latency.maxMs), ingressMetrics.latency.count],
          ['client → WebSocket subscriber', ms(percentile(e2eWs, 50)), ms(percentile(e2eWs, 99)), ms(Math.max(0, ...e2eWs)), e2eWs.length],
          ['client → webhook (incl. outage + DLQ replay)', ms(percentile(e2eWebhook, 50)), ms(percentile(e2eWebhook, 99)), ms(Math.max(0, ...e2eWebhook)), e2eWebhook.length],
        ],
      ),
    );
    say('');
    say('circuit "webhook" transitions:');
    for (const t of app.transitions) say(`  +${((t.at - started) / 1000).toFixed(2)} s  ${t.from} → ${t.to}  (${t.reason})`);
    if (app.transitions.length === 0) say('  (none)');
    const duplicates = [...app.receipts.values()].reduce((n, list) => n + list.length - 1, 0);
    say('');
    say(
      table(
        ['delivery', 'count'],
        [
          ['events accepted by the ingress', workload.accepted],
          ['enriched by the exactly-once processor (records out)', processor.recordsOut],
          ['processor DLQ', processor.recordsDlq],
          ['webhook answers 503 during the outage', app.webhook.failedRequests],
          ['webhook bridge retries', webhookMetrics.retries],
          ['webhook DLQ (dead-lettered)', webhookMetrics.dlqCount],
          ['delivered before the DLQ replay', deliveredBeforeRedrive],
          ['delivered by the DLQ replay', app.receipts.size - deliveredBeforeRedrive],
          ['unique events at the webhook', `${app.receipts.size}/${EVENTS}`],
          ['duplicate webhook deliveries (at-least-once)', duplicates],
          ['WebSocket subscribers × routed events', `${wsReceived.length} × ${Math.min(...wsReceived.map((m) => m.size))}/${expectedLive}`],
        ],
      ),
    );
    // Sent after the counts above were taken, so it is not counted in them.
    say('\nOne more event, traced across the pipeline (OpenTelemetry; every span with its start offset and duration):');
    say(await sampleTrace(app, client, telemetry));
    say(`\nOpenTelemetry metrics (Prometheus text): ${metricsEndpoint.url}`);
    say(`\nfinal circuit state: ${await app.breaker.getCircuitState('webhook')}; total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Spans are only kept for the sample trace: drop them so serving does not accumulate them.
    telemetry.exporter.reset();

    if (once) return;
    say(`
The demo keeps serving. Send your own events:

  curl -s -X POST ${app.ingressUrl}/events -H 'content-type: application/json' \\
       -d '{"id":"my-1","event":"order_created","user_id":"u1","amount":42.5,"sentAt":'$(date +%s%3N)'}'

  curl -s -X POST ${app.ingressUrl}/events -H 'content-type: application/json' \\
       -d '{"records":[{"value":{"id":"my-2","event":"user_login","user_id":"u2","sentAt":0}}]}'

  curl -s ${app.ingressUrl}/metrics     # Prometheus metrics of the ingress and bridges
  curl -s ${metricsEndpoint.url}   # OpenTelemetry metrics of every package (Prometheus text)
  websocat ${app.hub.url}/subscribe      # live routed events (any WebSocket client works)

Press Ctrl-C to stop.`);
    let lastSeen = app.receipts.size;
    const ticker = setInterval(() => {
      telemetry.exporter.reset();
      if (demo.receipts.size !== lastSeen) {
        lastSeen = demo.receipts.size;
        say(`webhook has received ${lastSeen} unique events`);
      }
    }, 1_000);
    await new Promise<void>((resolve) => {
      // `on`, not `once`: a second Ctrl-C (or the npm wrapper forwarding it) must not kill the cleanup.
      process.on('SIGINT', () => resolve());
      process.on('SIGTERM', () => resolve());
    });
    clearInterval(ticker);
    say('\nstopping …');
  } finally {
    await shutdown();
  }
}

const t0 = Date.now();
main().then(
  () => {
    if (process.env['ONEX_DEMO_TRACE']) process.stderr.write(`main resolved after ${Date.now() - t0} ms\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
