import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProtocolKafkaConnectionConfig } from '@onex/spi-types';
import { KafkaClient, isKafkaError } from '../src/index.js';
import { consumeAtLeast, kafkaSaslBrokers, text, uniqueName, workspaceRoot } from './helpers.js';

type Sasl = NonNullable<ProtocolKafkaConnectionConfig['sasl']>;

interface PrivateBroker {
  saslBrokers: string[];
  stop(): Promise<void>;
}

// Users created by tools/kafka/broker.mjs (SASL_USERS): PLAIN admin/alice, SCRAM-SHA-256/512 alice.
const GOOD: [string, Sasl][] = [
  ['PLAIN', { mechanism: 'plain', username: 'alice', password: 'alice-secret' }],
  ['SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }],
  ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }],
];
const BAD: [string, Sasl][] = [
  ['PLAIN with a wrong password', { mechanism: 'plain', username: 'alice', password: 'wrong' }],
  ['PLAIN with an unknown user', { mechanism: 'plain', username: 'mallory', password: 'alice-secret' }],
  ['SCRAM-SHA-256 with a wrong password', { mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' }],
];

/** Asserts a typed KAFKA_AUTHENTICATION error whose cause is kafkajs's non-retriable SASL error (no retry loop ran). */
function expectAuthenticationError(error: unknown): void {
  expect(isKafkaError(error)).toBe(true);
  expect(error).toMatchObject({ code: 'KAFKA_AUTHENTICATION', name: 'KafkaAuthenticationError' });
  expect((error as { cause?: { name?: string } }).cause?.name).toBe('KafkaJSSASLAuthenticationError');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe(KafkaClient, () => {
  let brokers: string[];
  let privateBroker: PrivateBroker | undefined;
  beforeAll(async () => {
    const shared = kafkaSaslBrokers();
    if (shared !== undefined) {
      brokers = shared;
      return;
    }
    // KAFKA_BROKERS without KAFKA_SASL_BROKERS: an outside broker whose SASL listener we do not know.
    const { startBroker } = (await import(pathToFileURL(path.join(workspaceRoot, 'tools/kafka/broker.mjs')).href)) as {
      startBroker: (o?: object) => Promise<PrivateBroker>;
    };
    privateBroker = await startBroker({ heapMb: 384 });
    brokers = privateBroker.saslBrokers;
  }, 180_000);
  afterAll(async () => {
    await privateBroker?.stop();
  }, 60_000);

  it.each(GOOD)('produces and consumes over SASL/%s', async (_, sasl) => {
    const client = new KafkaClient({ bootstrapServers: brokers, sasl, logLevel: 'nothing' });
    try {
      const topic = uniqueName('sasl');
      expect(await client.createTopic(topic, 2, 1)).toBe(true);
      const producerId = await client.createProducer({ bootstrapServers: brokers, sasl });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.produceMessage(producerId, topic, `k${i}`, `v${i}`, { headers: { n: String(i) } })));
      expect(results.every((r) => r.topic === topic && r.offset >= 0)).toBe(true);
      const groupId = uniqueName('g');
      const consumerId = await client.createConsumer({ bootstrapServers: brokers, sasl, groupId, autoOffsetReset: 'earliest', enableAutoCommit: false });
      const messages = await consumeAtLeast(client, consumerId, [topic], 20);
      expect(messages.map((m) => text(m.value)).sort()).toEqual(results.map((_, i) => `v${i}`).sort());
      for (const m of messages) {
        const i = Number(text(m.value)!.slice(1));
        expect(text(m.key)).toBe(`k${i}`);
        expect(text(m.headers['n'])).toBe(String(i));
        expect({ partition: m.partition, offset: m.offset }).toEqual({ partition: results[i]!.partition, offset: results[i]!.offset });
      }
      const last = new Map(messages.map((m) => [m.partition, m.offset + 1]));
      expect(await client.commitOffsets(consumerId, [...last].map(([partition, offset]) => ({ topic, partition, offset })))).toBe(true);
      const info = await client.getConsumerGroupInfo(groupId);
      expect(info.totalLag).toBe(0);
    } finally {
      await client.close();
    }
  });

  it.each(BAD)('rejects %s with KAFKA_AUTHENTICATION at once, without retrying', async (_, sasl) => {
    // Plenty of retries configured: an authentication failure must not go through them.
    const client = new KafkaClient({ bootstrapServers: brokers, sasl, logLevel: 'nothing' });
    try {
      expectAuthenticationError(await rejection(client.createProducer({ bootstrapServers: brokers, sasl, retries: 10 })));
      expectAuthenticationError(await rejection(client.createTopic(uniqueName('sasl-bad'), 1, 1)));
      const consumerId = await client.createConsumer({ bootstrapServers: brokers, sasl, groupId: uniqueName('g') });
      expectAuthenticationError(await rejection(client.consumeMessages(consumerId, [uniqueName('sasl-bad')], 5000)));
    } finally {
      await client.close();
    }
  }, 30_000);
});
