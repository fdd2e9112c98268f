// A rolling restart (each node in turn: controlled shutdown, start, wait until no partition is
// under-replicated) of all three nodes under a continuous ~1,000 msg/s produce and a consumer reading
// along. Held: nothing acknowledged is lost or stored twice, the consumer sees every acknowledged message
// at least once, and after it closes the group's committed offsets are exactly after the last message it
// processed on each partition, and no send is rejected (issue 15). Measured and printed: duplicates.
import { KafkaClient, isKafkaError } from '@onex/kafka';
import { uniqueName } from '../../../tools/jest/kafka-env.js';
import { sleep, until, useCluster } from './support/cluster.js';
import { readLog } from './support/read-log.js';

const cluster = useCluster();
const PARTITIONS = 3;

describe('a rolling restart of the 3-node cluster under continuous produce and consume', () => {
  it('loses no acknowledged message and the consumer commits what it processed', async () => {
    const { brokers, nodeIds } = cluster();
    const topic = uniqueName('rolling');
    const groupId = uniqueName('rolling-g');
    const client = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
    try {
      await client.createTopic(topic, PARTITIONS, 3);
      const producerId = await client.createProducer({ bootstrapServers: brokers });
      const consumerId = await client.createConsumer({ bootstrapServers: brokers, groupId, autoOffsetReset: 'earliest' });

      const acked = new Map<number, { partition: number; offset: number }>();
      const rejected = new Map<number, string>();
      let sent = 0;
      let producing = true;
      // ~1,000 msg/s: 20 messages every 20 ms.
      const producer = (async () => {
        while (producing) {
          for (let k = 0; k < 20; k++) {
            const i = sent++;
            client.produceMessage(producerId, topic, null, String(i), { partition: i % PARTITIONS }).then(
              (r) => void acked.set(i, { partition: r.partition, offset: r.offset }),
              (e: unknown) => void rejected.set(i, isKafkaError(e) ? e.code : `untyped ${String(e)}`),
            );
          }
          await sleep(20);
        }
      })();

      const seen = new Map<number, number>(); // value -> times processed
      const lastProcessed = new Map<number, number>(); // partition -> highest offset processed
      const pollErrors: string[] = [];
      let consuming = true;
      const consumer = (async () => {
        while (consuming) {
          try {
            for (const m of await client.consumeMessages(consumerId, [topic], 500)) {
              const n = Number(Buffer.from(m.value ?? []).toString('utf8'));
              seen.set(n, (seen.get(n) ?? 0) + 1);
              lastProcessed.set(m.partition, Math.max(lastProcessed.get(m.partition) ?? -1, m.offset));
            }
          } catch (error) {
            pollErrors.push(isKafkaError(error) ? error.code : String(error));
            await sleep(200);
          }
        }
      })();

      await until(() => seen.size >= 2_000, 60_000, 'the consumer to be reading along');
      const restarts: string[] = [];
      for (const node of nodeIds) {
        const started = Date.now();
        await cluster().restart(node);
        await cluster().waitInSync();
        restarts.push(`node ${node} ${Date.now() - started} ms`);
      }
      await sleep(2_000);
      producing = false;
      await producer;
      await until(() => acked.size + rejected.size === sent, 120_000, 'every send to settle');
      await until(() => [...acked.keys()].every((i) => seen.has(i)), 120_000, 'the consumer to see every acknowledged message');
      consuming = false;
      await consumer;
      await client.closeConsumer(consumerId); // auto commit: commits everything handed out

      const info = await client.getConsumerGroupInfo(groupId);
      for (let p = 0; p < PARTITIONS; p++) {
        const committed = info.offsets.find((o) => o.topic === topic && o.partition === p)?.committedOffset;
        expect(committed).toBe((lastProcessed.get(p) ?? -1) + 1);
      }

      const log = await readLog(client, brokers, topic);
      const stored = new Map<number, number>();
      for (const [p, records] of log) {
        let previousAcked = -1;
        for (const offset of [...records.keys()].sort((a, b) => a - b)) {
          const n = Number(records.get(offset));
          expect(n % PARTITIONS).toBe(p);
          if (acked.has(n)) {
            expect(n).toBeGreaterThan(previousAcked);
            previousAcked = n;
          }
          stored.set(n, (stored.get(n) ?? 0) + 1);
        }
      }
      for (const [i, { partition, offset }] of acked) expect(log.get(partition)!.get(offset)).toBe(String(i));
      for (const i of acked.keys()) expect(stored.get(i)).toBe(1);
      for (const code of rejected.values()) expect(code).toMatch(/^KAFKA_/);

      const codes = [...rejected.values()].reduce<Record<string, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {});
      const duplicates = [...seen.values()].reduce((n, times) => n + times - 1, 0);
      console.log(
        `rolling restart (${restarts.join(', ')}): ${sent} sends, ${acked.size} acknowledged, ${rejected.size} rejected ${JSON.stringify(codes)} ` +
          `(${[...rejected.keys()].filter((i) => stored.has(i)).length} of them stored anyway); consumer processed ${seen.size} distinct, ` +
          `${duplicates} duplicates, poll errors ${JSON.stringify(pollErrors)}; committed ${info.offsets.map((o) => `p${o.partition}=${o.committedOffset}`).join(' ')}`,
      );
      // The producer resends a request whose outcome is unknown until deliveryTimeoutMs (120 s): none is rejected.
      expect(rejected.size).toBe(0);
    } finally {
      await client.close();
    }
  }, 480_000);
});
