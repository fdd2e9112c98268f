// The demo application, composed from the public APIs of every @onex package:
//
//   curl ─► IngressServer /events ─► bridge "ingress" (CEL routing rules) ─► Kafka <prefix>.orders|logins|alerts|other
//        ─► stream processor (exactly-once, JSON in, schema-registered Avro out) ─► Kafka <prefix>.enriched
//        ─► bridge "webhook" (Kafka ─► HttpClient POST, guarded by the circuit breaker, DLQ <prefix>.webhook.dlq)
//        ─► the webhook service, which decodes the Avro through the registry
//   Kafka <prefix>.orders|logins|alerts ─► bridge "live" ─► WebSocket hub ─► subscribers (HttpExtended.websocketConnect)
import { randomUUID } from 'node:crypto';
import { CommunicationBridge, HttpAdapter, IngressServer, KafkaAdapter, WebSocketAdapter } from '@onex/bridge';
import type { IngressAuthenticator } from '@onex/bridge';
import { CircuitBreakerRegistry } from '@onex/circuit-breaker';
import { HttpClient } from '@onex/http';
import type { HttpRequestInterceptor } from '@onex/http';
import { HttpExtended } from '@onex/http-extended';
import { KafkaClient } from '@onex/kafka';
import { AvroSerde, KafkaExtended, KafkaSchemaRegistry } from '@onex/kafka-extended';
import type { ProtocolCircuitBreakerConfig, ProtocolCircuitTransition, ProtocolRoutingRule } from '@onex/spi-types';
import { WebhookService } from '../support/webhook-service.js';
import { WebSocketHub } from '../support/ws-hub.js';
import { ENRICHED_EVENT_SCHEMA, enrichRecord, jsonInAvroOut, type EnrichedEvent } from './enrich.js';

/** Options of {@link startDemoApp}. */
export interface DemoAppOptions {
  /** Kafka bootstrap servers. */
  readonly brokers: readonly string[];
  /** Prefix of every topic, group and application id. @default `onex-demo-<random>` */
  readonly prefix?: string;
  /** Ingress port (0 picks a free one). @default 0 */
  readonly ingressPort?: number;
  /** Breaker settings of the webhook circuit. */
  readonly webhookBreaker?: ProtocolCircuitBreakerConfig;
  /** Auth hook of the ingress (e.g. `jwtAuthenticator`). */
  readonly ingressAuth?: IngressAuthenticator;
  /** Request interceptors of the webhook HttpClient (e.g. one adding an OAuth2 bearer token). */
  readonly webhookInterceptors?: readonly HttpRequestInterceptor[];
  /** Authorization check of the webhook service. */
  readonly webhookAuthorize?: (authorization: string | undefined) => Promise<boolean> | boolean;
  /** Runs on each decoded webhook delivery before it is recorded; throwing answers 500 (a fault to retry). */
  readonly webhookFault?: (event: EnrichedEvent) => void;
}

/** What the webhook service saw, decoded. */
export interface WebhookReceipt {
  readonly event: EnrichedEvent;
  /** Receipt time minus the client's send time, ms. */
  readonly endToEndMs: number;
}

export const ROUTES = ['orders', 'logins', 'alerts', 'other'] as const;
export type RouteName = (typeof ROUTES)[number];

/** Routing rules of the ingress bridge (the default route is `<prefix>.other`). */
export function routingRules(prefix: string): ProtocolRoutingRule[] {
  return [
    { name: 'orders', condition: "payload.event == 'order_created'", targetTopic: `${prefix}.orders` },
    { name: 'logins', condition: "payload.event == 'user_login'", targetTopic: `${prefix}.logins` },
    { name: 'alerts', condition: "payload.event == 'payment_failed' || (has(payload.amount) && payload.amount > 1000.0)", targetTopic: `${prefix}.alerts` },
  ];
}

export type DemoApp = Awaited<ReturnType<typeof startDemoApp>>;

/** Starts every server, client, bridge and the stream processor; `stop()` releases them all. */
export async function startDemoApp(options: DemoAppOptions) {
  const brokers = [...options.brokers];
  const prefix = options.prefix ?? `onex-demo-${randomUUID().slice(0, 8)}`;
  const topics = {
    orders: `${prefix}.orders`,
    logins: `${prefix}.logins`,
    alerts: `${prefix}.alerts`,
    other: `${prefix}.other`,
    enriched: `${prefix}.enriched`,
    webhookDlq: `${prefix}.webhook.dlq`,
    processorDlq: `${prefix}.processor.dlq`,
  };
  const stack: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    while (stack.length > 0) {
      const began = Date.now();
      const step = stack.pop();
      if (!step) break;
      await step().catch(() => undefined);
      if (process.env['ONEX_DEMO_TRACE']) process.stderr.write(`stop ${step.toString().slice(0, 60)}: ${Date.now() - began} ms\n`);
    }
  };
  try {
    // Kafka: the client (@onex/kafka), the registry and stream processors (@onex/kafka-extended).
    const kafka = new KafkaClient({ bootstrapServers: brokers, clientId: `${prefix}-app`, logLevel: 'nothing' });
    stack.push(() => kafka.close());
    for (const topic of [topics.orders, topics.logins, topics.alerts, topics.other, topics.enriched, topics.webhookDlq]) {
      await kafka.createTopic(topic, 2, 1);
    }
    const registry = new KafkaSchemaRegistry({ bootstrapServers: brokers });
    stack.push(() => registry.close());
    const avro = new AvroSerde({ registry, schema: ENRICHED_EVENT_SCHEMA });
    const kafkaExtended = new KafkaExtended({ bootstrapServers: brokers, clientId: `${prefix}-streams`, schemaRegistry: registry });
    stack.push(() => kafkaExtended.close());
    const schemaId = await kafkaExtended.registerSchema(`${topics.enriched}-value`, ENRICHED_EVENT_SCHEMA, 'AVRO');

    // The webhook service and the WebSocket hub (the "outside world").
    const receipts = new Map<string, WebhookReceipt[]>();
    const webhook = new WebhookService({
      ...(options.webhookAuthorize ? { authorize: options.webhookAuthorize } : {}),
      onDelivery: async (delivery) => {
        const event = (await avro.deserialize(topics.enriched, delivery.body)) as EnrichedEvent;
        options.webhookFault?.(event);
        const list = receipts.get(event.id) ?? [];
        list.push({ event, endToEndMs: delivery.receivedAt - Number(event.sentAt) });
        receipts.set(event.id, list);
      },
    });
    await webhook.listen();
    stack.push(() => webhook.close());
    const hub = new WebSocketHub();
    await hub.listen();
    stack.push(() => hub.close());

    // HTTP clients, the breaker, the bridge and its adapters.
    const breaker = new CircuitBreakerRegistry();
    stack.push(() => breaker.close());
    await breaker.configureCircuitBreaker('webhook', options.webhookBreaker ?? { failureThreshold: 5, timeoutSeconds: 1, successThreshold: 2 });
    const transitions: ProtocolCircuitTransition[] = [];
    breaker.on('stateChange', (change) => {
      if (change.circuitName === 'webhook') transitions.push({ from: change.from, to: change.to, at: change.at, reason: change.reason });
    });
    const httpClient = new HttpClient({ requestInterceptors: options.webhookInterceptors ?? [], connections: 16 });
    stack.push(() => httpClient.close());
    const httpExtended = new HttpExtended();
    stack.push(() => httpExtended.close());
    const ingress = new IngressServer({ port: options.ingressPort ?? 0, ...(options.ingressAuth ? { authenticate: options.ingressAuth } : {}) });
    stack.push(() => ingress.close());
    const bridge = new CommunicationBridge({
      circuitBreaker: breaker,
      adapters: [
        new KafkaAdapter({
          client: kafka,
          connection: { bootstrapServers: brokers, clientId: `${prefix}-bridge` },
          producer: { lingerMs: 2 },
          consumer: { isolationLevel: 'read_committed', fetchMaxWaitMs: 50 },
          pollTimeoutMs: 200,
        }),
        new HttpAdapter({ client: httpClient, ingress, timeoutSeconds: 5 }),
        new WebSocketAdapter({ client: httpExtended }),
      ],
    });
    stack.push(() => bridge.close());

    const ingressBridge = await bridge.createBridge('ingress', 'http', 'kafka', {
      sourceEndpoint: '/events',
      targetTopic: topics.other,
      keyMapping: 'payload.user_id',
      headerMapping: { 'x-event-type': 'payload.event' },
    });
    await bridge.configureBridgeRouting(ingressBridge, routingRules(prefix));
    await ingress.listen();

    // Enrichment: exactly-once, JSON in, Avro (Confluent wire format, registered schema) out.
    const processorId = await kafkaExtended.createStreamProcessor({
      applicationId: `${prefix}-enricher`,
      bootstrapServers: brokers,
      processingGuarantee: 'exactly_once',
      dlqTopic: topics.processorDlq,
      commitBatchSize: 100,
      valueSerde: jsonInAvroOut(avro),
    });
    await kafkaExtended.processKafkaStream(processorId, [topics.orders, topics.logins, topics.alerts, topics.other], topics.enriched, enrichRecord);

    // Enriched events to the webhook, guarded by the breaker; failures end in the DLQ topic.
    const webhookBridge = await bridge.createBridge('webhook', 'kafka', 'http', {
      sourceEndpoint: topics.enriched,
      targetEndpoint: `${webhook.url}/hooks/events`,
      messageFormat: 'bytes',
      circuitName: 'webhook',
      retryPolicy: { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 400 },
      // At most 8 deliveries wait in a retry at once (see the e2e README: more trips Node's
      // MaxListenersExceededWarning on the bridge's shared abort signal).
      concurrency: 8,
      dlqTarget: `kafka:${topics.webhookDlq}`,
      options: { groupId: `${prefix}-webhook` },
    });
    // Routed events to WebSocket subscribers.
    const liveBridge = await bridge.createBridge('live', 'kafka', 'websocket', {
      sourceEndpoint: [topics.orders, topics.logins, topics.alerts].join(','),
      targetEndpoint: `${hub.url}/publish`,
      options: { groupId: `${prefix}-live` },
    });

    let redriveBridge: string | undefined;
    return {
      prefix,
      brokers,
      topics,
      schemaId,
      ingressUrl: `http://127.0.0.1:${ingress.address().port}`,
      kafka,
      kafkaExtended,
      registry,
      avro,
      breaker,
      httpClient,
      httpExtended,
      ingress,
      bridge,
      webhook,
      hub,
      processorId,
      bridges: { ingress: ingressBridge, webhook: webhookBridge, live: liveBridge },
      /** Circuit transitions of the webhook circuit, in order. */
      transitions,
      /** Webhook receipts by event id (more than one entry = a redelivered duplicate). */
      receipts,
      /** Replays the webhook DLQ to the webhook through a second bridge (call once the webhook is healthy). */
      async redriveDeadLetters(): Promise<string> {
        redriveBridge ??= await bridge.createBridge('webhook-redrive', 'kafka', 'http', {
          sourceEndpoint: topics.webhookDlq,
          targetEndpoint: `${webhook.url}/hooks/events`,
          messageFormat: 'bytes',
          circuitName: 'webhook',
          retryPolicy: { maxRetries: 10, initialDelayMs: 200, maxDelayMs: 1000 },
          options: { groupId: `${prefix}-redrive` },
        });
        return redriveBridge;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
