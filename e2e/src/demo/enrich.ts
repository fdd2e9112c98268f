// The demo's event shapes, the Avro schema of enriched events and the enrichment function.
import type { ProtocolKafkaStreamOutput, ProtocolKafkaStreamRecord } from '@onex/spi-types';
import type { Serde } from '@onex/kafka-extended';

/** An event as clients POST it to the ingress. */
export interface DemoEvent {
  readonly id: string;
  readonly event: string;
  readonly user_id: string;
  readonly amount?: number;
  readonly region?: string;
  /** Epoch ms when the client sent it (for end-to-end latency). */
  readonly sentAt: number;
}

/** An enriched event, as Avro. */
export interface EnrichedEvent {
  readonly id: string;
  readonly event: string;
  readonly userId: string;
  readonly amount: number | null;
  readonly region: string;
  readonly tier: 'standard' | 'high_value';
  readonly route: string;
  readonly sentAt: number;
  readonly enrichedAt: number;
}

/** Avro schema registered for the enriched topic (subject `<topic>-value`). */
export const ENRICHED_EVENT_SCHEMA = {
  type: 'record',
  name: 'EnrichedEvent',
  namespace: 'dev.onex.demo',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'event', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'amount', type: ['null', 'double'], default: null },
    { name: 'region', type: 'string' },
    { name: 'tier', type: { type: 'enum', name: 'Tier', symbols: ['standard', 'high_value'] } },
    { name: 'route', type: 'string' },
    { name: 'sentAt', type: 'long' },
    { name: 'enrichedAt', type: 'long' },
  ],
} as const;

/** Enriches one routed event; the route is the topic suffix the bridge chose. */
export function enrich(input: DemoEvent, sourceTopic: string, now = Date.now()): EnrichedEvent {
  const amount = typeof input.amount === 'number' ? input.amount : null;
  return {
    id: input.id,
    event: input.event,
    userId: input.user_id,
    amount,
    region: input.region ?? 'unknown',
    tier: amount !== null && amount >= 100 ? 'high_value' : 'standard',
    route: sourceTopic.slice(sourceTopic.lastIndexOf('.') + 1),
    sentAt: input.sentAt,
    enrichedAt: now,
  };
}

/** The stream processor function: JSON in (deserialized by {@link jsonInAvroOut}), Avro out. */
export function enrichRecord(record: ProtocolKafkaStreamRecord): ProtocolKafkaStreamOutput {
  return { value: enrich(record.value as DemoEvent, record.topic), headers: { 'x-event-id': (record.value as DemoEvent).id } };
}

/**
 * A stream serde that reads the bridge's JSON and writes schema-registered Avro: the processor's
 * input topics carry JSON from the ingress bridge, its output topic carries Avro.
 */
export function jsonInAvroOut(avro: Serde): { serialize(topic: string, value: unknown): Promise<Uint8Array>; deserialize(topic: string, bytes: Uint8Array): unknown } {
  return {
    serialize: (topic, value) => avro.serialize(topic, value),
    deserialize: (_topic, bytes) => JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown,
  };
}
