import type { ProtocolKafkaProduceResult } from '@onex/spi-types';
import { KafkaClient, isKafkaError } from '../src/index.js';
import { startPrivateBroker, type PrivateBroker } from './private-broker.js';
import { consumeAtLeast, text, uniqueName } from './helpers.js';



describe(KafkaClient, () => {
  let broker: PrivateBroker;
  beforeAll(async () => {
    broker = await startPrivateBroker();
  }, 180_000);
  afterAll(async () => {
    await broker?.stop();
  }, 60_000);

  it('keeps every resolved message after a SIGKILL and restart; failed sends get typed errors, not hangs', async () => {
    const client = new KafkaClient({ bootstrapServers: broker.brokers, logLevel: 'nothing' });
    try {
      const topic = uniqueName('kill');
      await client.createTopic(topic, 3, 1);
      const producerId = await client.createProducer({ bootstrapServers: broker.brokers, retries: 2, requestTimeoutMs: 5000, connectionTimeoutMs: 2000 });
      const resolved = new Map<string, ProtocolKafkaProduceResult>();
      const failures: unknown[] = [];
      let next = 0;
      let stop = false;
      const pump = (async () => {
        while (!stop) {
          const wave = Array.from({ length: 200 }, () => `m${next++}`);
          await Promise.all(
            wave.map((v) =>
              client.produceMessage(producerId, topic, v, v).then(
                (r) => void resolved.set(v, r),
                (e: unknown) => void failures.push(e),
              ),
            ),
          );
        }
      })();
      while (resolved.size < 2000) await new Promise((r) => setTimeout(r, 50));
      await broker.kill();
      await new Promise((r) => setTimeout(r, 3000));
      await broker.restart();
      const after = resolved.size;
      const deadline = Date.now() + 60_000;
      while (resolved.size < after + 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      stop = true;
      await pump; // every call settled: nothing hangs
      expect(resolved.size).toBeGreaterThan(after);
      for (const error of failures) expect(isKafkaError(error)).toBe(true);

      const consumerId = await client.createConsumer({ bootstrapServers: broker.brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest', maxPollRecords: 5000 });
      const log = await consumeAtLeast(client, consumerId, [topic], resolved.size, 60_000);
      const inLog = new Map(log.map((m) => [`${m.partition}/${m.offset}`, text(m.value)]));
      for (const [value, r] of resolved) expect(inLog.get(`${r.partition}/${r.offset}`)).toBe(value);
    } finally {
      await client.close();
    }
  }, 240_000);
});
