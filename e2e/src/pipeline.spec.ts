// The demo application composed from every package, against the real broker: ingress → routing →
// Kafka, the exactly-once enrichment into schema-registered Avro, the breaker-guarded webhook with
// its DLQ and replay, and the WebSocket fan-out.
import { HttpClient } from '@onex/http';
import { AvroSerde, KafkaSchemaRegistry, MAGIC_BYTE, readSchemaId } from '@onex/kafka-extended';
import type { ProtocolWebSocketConnection } from '@onex/spi-types';
import { kafkaBrokers } from '../../tools/jest/kafka-env.js';
import { startDemoApp, type DemoApp } from './demo/app.js';
import { enrich, type DemoEvent, type EnrichedEvent } from './demo/enrich.js';
import { expectedRoute, runWorkload } from './demo/workload.js';
import { jsonValue, readTopic } from './support/kafka-reader.js';
import { waitFor } from './support/wait-for.js';

let app: DemoApp;
let client: HttpClient;

beforeAll(async () => {
  app = await startDemoApp({ brokers: kafkaBrokers(), webhookBreaker: { failureThreshold: 3, timeoutSeconds: 1, successThreshold: 2 } });
  client = new HttpClient();
});

afterAll(async () => {
  await client?.close();
  await app?.stop();
});

function idsOf(events: readonly DemoEvent[]): Set<string> {
  return new Set(events.map((e) => e.id));
}

describe('the composed pipeline against the real broker', () => {
  let sent: DemoEvent[] = [];

  it('routes events POSTed to the ingress to the topic of the matching rule, with the exact payloads and keys', async () => {
    const result = await runWorkload({ ingressUrl: app.ingressUrl, client, events: 40, batchSize: 10, pauseMs: 0 });
    sent = result.sent;
    expect(result.accepted).toBe(40);
    for (const route of ['orders', 'logins', 'alerts', 'other'] as const) {
      const expected = sent.filter((e) => expectedRoute(e) === route);
      const messages = await readTopic(app.kafka, app.brokers, [app.topics[route]], { count: expected.length, settleMs: 300 });
      const byId = new Map(messages.map((m) => [jsonValue<DemoEvent>(m).id, m]));
      expect(messages).toHaveLength(expected.length);
      for (const event of expected) {
        const message = byId.get(event.id)!;
        expect(jsonValue(message)).toEqual(event);
        expect(Buffer.from(message.key!).toString()).toBe(event.user_id);
        expect(Buffer.from(message.headers['x-event-type']!).toString()).toBe(event.event);
      }
    }
    const metrics = await app.bridge.getBridgeMetrics(app.bridges.ingress);
    expect(metrics.perRoute).toEqual({ orders: 10, logins: 10, alerts: 10, default: 10 });
  });

  it('enriches every routed event once into Avro registered under the enriched topic subject', async () => {
    const messages = await readTopic(app.kafka, app.brokers, [app.topics.enriched], { count: sent.length, settleMs: 500 });
    expect(messages).toHaveLength(sent.length);
    const registry = new KafkaSchemaRegistry({ bootstrapServers: app.brokers });
    try {
      const info = await registry.getSchema(`${app.topics.enriched}-value`);
      expect(info.schemaType).toBe('AVRO');
      const reader = new AvroSerde({ registry, autoRegister: false });
      const byId = new Map(sent.map((e) => [e.id, e]));
      for (const message of messages) {
        const bytes = message.value!;
        expect(bytes[0]).toBe(MAGIC_BYTE);
        expect(readSchemaId(bytes)).toBe(app.schemaId);
        const decoded = (await reader.deserialize(message.topic, bytes)) as EnrichedEvent;
        const original = byId.get(decoded.id)!;
        expect({ ...decoded, sentAt: Number(decoded.sentAt), enrichedAt: 0 }).toEqual({
          ...enrich(original, app.topics[expectedRoute(original)]),
          enrichedAt: 0,
        });
      }
    } finally {
      await registry.close();
    }
  });

  it('delivers every enriched event to the webhook and every routed event to each WebSocket subscriber', async () => {
    await waitFor('the webhook to receive the first workload', () => [...idsOf(sent)].every((id) => app.receipts.has(id)));
    const subscribers: ProtocolWebSocketConnection[] = [];
    const seen: Set<string>[] = [];
    for (let i = 0; i < 2; i++) {
      const connection = await app.httpExtended.websocketConnect(`${app.hub.url}/subscribe`);
      subscribers.push(connection);
      const ids = new Set<string>();
      seen.push(ids);
      void (async () => {
        for await (const frame of connection) ids.add((JSON.parse(String(frame)) as DemoEvent).id);
      })().catch(() => undefined);
    }
    await waitFor('two subscribers at the hub', () => app.hub.subscriberCount === 2);
    const live = await runWorkload({ ingressUrl: app.ingressUrl, client, events: 24, batchSize: 8, pauseMs: 0 });
    const routed = live.sent.filter((e) => expectedRoute(e) !== 'other').map((e) => e.id);
    await waitFor('both subscribers to see every routed event', () => seen.every((ids) => routed.every((id) => ids.has(id))));
    for (const ids of seen) expect([...ids].filter((id) => id.startsWith(live.runId)).sort()).toEqual([...routed].sort());
    await Promise.all(subscribers.map((s) => s.close()));
    await waitFor('the webhook to receive the second workload', () => live.sent.every((e) => app.receipts.has(e.id)));
  });

  it('opens the webhook circuit while the service fails, closes it after recovery, and loses nothing (DLQ replay accounted)', async () => {
    const before = await app.bridge.getBridgeMetrics(app.bridges.webhook);
    const transitionsBefore = app.transitions.length;
    app.webhook.setFailing(true);
    const outage = await runWorkload({ ingressUrl: app.ingressUrl, client, events: 60, batchSize: 10, pauseMs: 50 });
    await waitFor('the circuit to open', () => app.transitions.slice(transitionsBefore).some((t) => t.to === 'open'));
    // Everything the bridge took while failing is either retried later or dead-lettered.
    await waitFor('the webhook bridge to dead-letter what it could not deliver', async () => {
      const m = await app.bridge.getBridgeMetrics(app.bridges.webhook);
      return m.dlqCount > before.dlqCount && m.messagesIn - before.messagesIn === outage.sent.length;
    });
    app.webhook.setFailing(false);
    await waitFor('the webhook bridge to settle every outage event', async () => {
      const s = await app.bridge.getBridgeStatus(app.bridges.webhook);
      return s.inFlight === 0;
    });
    const after = await app.bridge.getBridgeMetrics(app.bridges.webhook);
    const deadLettered = after.dlqCount - before.dlqCount;
    const deliveredDirectly = outage.sent.filter((e) => app.receipts.has(e.id)).length;
    expect(deliveredDirectly + deadLettered).toBe(outage.sent.length);

    await app.redriveDeadLetters();
    await waitFor('the replay to deliver every dead-lettered event', () => outage.sent.every((e) => app.receipts.has(e.id)), 45_000);
    await waitFor('the circuit to close', async () => (await app.breaker.getCircuitState('webhook')) === 'closed');
    const path = app.transitions.slice(transitionsBefore).map((t) => `${t.from}->${t.to}`);
    expect(path).toContain('closed->open');
    expect(path).toContain('open->half_open');
    expect(path.at(-1)).toBe('half_open->closed');
    const dlq = await readTopic(app.kafka, app.brokers, [app.topics.webhookDlq], { count: deadLettered, isolationLevel: 'read_uncommitted' });
    expect(dlq.length).toBeGreaterThanOrEqual(deadLettered);
    expect(Buffer.from(dlq[0]!.headers['x-onex-bridge']!).toString()).toBe('webhook');
    expect(app.webhook.failedRequests).toBeGreaterThan(0);
  });
});
