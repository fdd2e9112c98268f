// A broker frozen with SIGSTOP (a long GC pause, a suspended VM) keeps its sockets open and answers
// nothing: requests to it must fail with typed KAFKA_* errors after their timeout instead of hanging,
// and the same client must work again once the broker resumes.
import { KafkaClient, isKafkaError } from '@onex/kafka';
import { uniqueName } from '../../../tools/jest/kafka-env.js';
import { sleep, useCluster } from './support/cluster.js';

const cluster = useCluster();
const text = (b: Uint8Array | null): string => Buffer.from(b ?? []).toString('utf8');

describe('a SIGSTOPped broker of the 3-node cluster', () => {
  it('fails produce and admin requests to it with typed timeouts, and the clients recover after SIGCONT', async () => {
    const { brokers } = cluster();
    const topic = uniqueName('paused');
    const admin = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
    await admin.createTopic(topic, 3, 3);
    const leader = (await cluster().leaderOf(topic, 0))!;
    // Everything this client knows is the paused node.
    const pausedOnly = new KafkaClient({ bootstrapServers: [brokers[leader - 1]!], logLevel: 'nothing', requestTimeoutMs: 2_000, connectionTimeoutMs: 1_000 });
    const producerId = await admin.createProducer({ bootstrapServers: brokers, retries: 1, requestTimeoutMs: 2_000 });
    const acked: { value: string; partition: number; offset: number }[] = [];
    const send = async (value: string): Promise<void> => {
      const r = await admin.produceMessage(producerId, topic, null, value, { partition: 0 });
      acked.push({ value, partition: r.partition, offset: r.offset });
    };
    try {
      await send('before-0');
      await send('before-1');
      expect((await pausedOnly.getTopicMetadata(topic)).partitions).toHaveLength(3);

      await cluster().pause(leader);
      let produceError: unknown;
      let started = Date.now();
      await send('during').catch((e: unknown) => (produceError = e));
      const produceMs = Date.now() - started;
      let adminError: unknown;
      started = Date.now();
      await pausedOnly.getTopicMetadata(topic).catch((e: unknown) => (adminError = e));
      const adminMs = Date.now() - started;
      console.log(
        `paused node ${leader}: produce rejected after ${produceMs} ms with ${(produceError as { code?: string })?.code}, ` +
          `metadata after ${adminMs} ms with ${(adminError as { code?: string })?.code}`,
      );
      expect(isKafkaError(produceError)).toBe(true);
      expect((produceError as { code: string }).code).toMatch(/^KAFKA_(TIMEOUT|CONNECTION|PRODUCE_FAILED)$/);
      expect(isKafkaError(adminError)).toBe(true);
      expect((adminError as { code: string }).code).toMatch(/^KAFKA_(TIMEOUT|CONNECTION|ADMIN)$/);

      await sleep(500);
      await cluster().resume(leader);
      // Recovery: the same producer and the same paused-only admin client work again.
      const deadline = Date.now() + 60_000;
      let recovered = false;
      let lastError: unknown;
      while (!recovered && Date.now() < deadline) {
        try {
          await send('after');
          recovered = true;
        } catch (error) {
          lastError = error;
          expect(isKafkaError(error)).toBe(true);
          await sleep(250);
        }
      }
      if (!recovered) throw lastError;
      expect((await pausedOnly.getTopicMetadata(topic)).partitions).toHaveLength(3);

      // Every acknowledged message is in partition 0 at its offset; the one that failed is at most once.
      const consumerId = await admin.createConsumer({ bootstrapServers: brokers, groupId: uniqueName('paused-g'), autoOffsetReset: 'earliest' });
      const seen = new Map<number, string>();
      const readUntil = Date.now() + 60_000;
      while (acked.some((a) => !seen.has(a.offset)) && Date.now() < readUntil) {
        for (const m of await admin.consumeMessages(consumerId, [topic], 500)) if (m.partition === 0) seen.set(m.offset, text(m.value));
      }
      for (const a of acked) expect(seen.get(a.offset)).toBe(a.value);
      expect([...seen.values()].filter((v) => v === 'during').length).toBeLessThanOrEqual(1);
    } finally {
      await cluster().resume(leader).catch(() => undefined);
      await pausedOnly.close();
      await admin.close();
    }
  }, 180_000);
});
