// A consumer group of three PROCESSES drains a replicated topic; one is SIGKILLed mid-drain. With the
// default consumer configuration (auto commit of what earlier polls returned) every message is processed
// at least once by the group, none is lost; the duplicates are counted and printed. Once the survivors
// close, the committed offsets are the end of every partition.
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { uniqueName } from '../../../tools/jest/kafka-env.js';
import { startTsx, type Child } from '../support/child.js';
import { until, useCluster } from './support/cluster.js';

const cluster = useCluster();
const FIXTURE = path.join(__dirname, 'fixtures/group-member.ts');
const TOTAL = 18_000;
const PARTITIONS = 6;
const children: Child[] = [];

afterAll(() => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
});

/** Complete `m partition offset value` lines a child printed. */
function processed(child: Child): { partition: number; offset: number; value: string }[] {
  const out = child.stdout();
  return out
    .slice(0, out.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.startsWith('m '))
    .map((l) => {
      const [, partition, offset, value] = l.split(' ');
      return { partition: Number(partition), offset: Number(offset), value: value! };
    });
}

describe('a consumer group of three processes with one SIGKILLed mid-drain', () => {
  it('processes every message at least once with the default consumer configuration', async () => {
    const { brokers } = cluster();
    const topic = uniqueName('group-kill');
    const groupId = uniqueName('group-kill-g');
    const client = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
    try {
      await client.createTopic(topic, PARTITIONS, 3);
      const producerId = await client.createProducer({ bootstrapServers: brokers });
      await Promise.all(Array.from({ length: TOTAL }, (_, i) => client.produceMessage(producerId, topic, `k${i}`, String(i))));

      const env = { GROUP_BROKERS: brokers.join(','), GROUP_TOPIC: topic, GROUP_ID: groupId, PROCESS_MS_PER_MESSAGE: '2' };
      for (let k = 0; k < 3; k++) children.push(startTsx(FIXTURE, env));
      await Promise.all(children.map((c) => c.waitForLine(/^started$/, 60_000)));
      // Mid-drain: all three hold partitions and a third of the topic is processed.
      await until(() => children.every((c) => processed(c).length > 0) && children.reduce((n, c) => n + processed(c).length, 0) >= TOTAL / 3, 120_000, 'a third of the drain');
      const victim = children[0]!;
      victim.process.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');
      const byVictim = processed(victim).length;

      const distinct = (): Set<string> => new Set(children.flatMap((c) => processed(c).map((m) => m.value)));
      await until(() => distinct().size === TOTAL, 150_000, 'every message processed by the group');
      const survivors = children.slice(1);
      for (const c of survivors) c.process.kill('SIGTERM');
      for (const c of survivors) await c.waitForLine(/^closed$/, 60_000);

      const all = children.flatMap((c) => processed(c));
      const values = new Set(all.map((m) => m.value));
      for (let i = 0; i < TOTAL; i++) expect(values.has(String(i))).toBe(true);
      // Each record is one value: the same partition/offset always carries the same value.
      const atPosition = new Map<string, string>();
      for (const m of all) {
        const key = `${m.partition}/${m.offset}`;
        expect(atPosition.get(key) ?? m.value).toBe(m.value);
        atPosition.set(key, m.value);
      }
      expect(atPosition.size).toBe(TOTAL);

      // Committed offsets: the survivors closed after processing everything, so the group's lag is 0.
      const info = await client.getConsumerGroupInfo(groupId);
      expect(info.totalLag).toBe(0);
      const duplicates = all.length - TOTAL;
      console.log(
        `consumer group kill: ${TOTAL} messages, ${all.length} processed, ${duplicates} duplicates ` +
          `(the killed member processed ${byVictim}); per member ${children.map((c) => processed(c).length).join(' / ')}`,
      );
    } finally {
      await client.close();
    }
  }, 300_000);
});
