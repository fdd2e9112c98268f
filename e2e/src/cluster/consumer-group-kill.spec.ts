// A consumer group of three PROCESSES drains a replicated topic; one is SIGKILLed mid-drain. With the
// default consumer configuration (auto commit of what earlier polls returned) every message is processed
// at least once by the group, none is lost; the duplicates are counted and printed. Once the survivors
// close, the committed offsets are the end of every partition.
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { uniqueName } from '../../../tools/jest/kafka-env.js';
import { startTsx, type Child } from '../support/child.js';
import { sleep, until, useCluster } from './support/cluster.js';

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

interface Drain {
  readonly all: { partition: number; offset: number; value: string }[];
  readonly byVictim: number;
  readonly perMember: number[];
  readonly totalLag: number;
}

/**
 * Fills a topic, starts three members, SIGKILLs one once a third is processed, waits until `done`,
 * then stops the survivors (SIGTERM: they close their consumers) and returns what every member processed.
 */
async function drainWithKill(env: Record<string, string>, done: (client: KafkaClient, groupId: string, distinct: () => number) => Promise<boolean>): Promise<Drain> {
  const { brokers } = cluster();
  const topic = uniqueName('group-kill');
  const groupId = uniqueName('group-kill-g');
  const client = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
  const members: Child[] = [];
  try {
    await client.createTopic(topic, PARTITIONS, 3);
    const producerId = await client.createProducer({ bootstrapServers: brokers });
    await Promise.all(Array.from({ length: TOTAL }, (_, i) => client.produceMessage(producerId, topic, `k${i}`, String(i))));

    const memberEnv = { GROUP_BROKERS: brokers.join(','), GROUP_TOPIC: topic, GROUP_ID: groupId, PROCESS_MS_PER_MESSAGE: '2', ...env };
    for (let k = 0; k < 3; k++) members.push(startTsx(FIXTURE, memberEnv));
    children.push(...members);
    await Promise.all(members.map((c) => c.waitForLine(/^started$/, 60_000)));
    // Mid-drain: all three hold partitions and a third of the topic is processed.
    await until(() => members.every((c) => processed(c).length > 0) && members.reduce((n, c) => n + processed(c).length, 0) >= TOTAL / 3, 120_000, 'a third of the drain');
    const victim = members[0]!;
    victim.process.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');

    const distinct = (): number => new Set(members.flatMap((c) => processed(c).map((m) => m.value))).size;
    const deadline = Date.now() + 150_000;
    while (!(await done(client, groupId, distinct))) {
      if (Date.now() > deadline) throw new Error(`the drain did not finish: ${distinct()} of ${TOTAL} processed`);
      await sleep(200);
    }
    const survivors = members.slice(1);
    for (const c of survivors) c.process.kill('SIGTERM');
    for (const c of survivors) await c.waitForLine(/^closed$/, 60_000);
    const info = await client.getConsumerGroupInfo(groupId);
    return { all: members.flatMap((c) => processed(c)), byVictim: processed(victim).length, perMember: members.map((c) => processed(c).length), totalLag: info.totalLag };
  } finally {
    await client.close();
  }
}

describe('a consumer group of three processes with one SIGKILLed mid-drain', () => {
  it('processes every message at least once with the default consumer configuration', async () => {
    const drain = await drainWithKill({}, async (_client, _group, distinct) => distinct() === TOTAL);
    const values = new Set(drain.all.map((m) => m.value));
    for (let i = 0; i < TOTAL; i++) expect(values.has(String(i))).toBe(true);
    // Each record is one value: the same partition/offset always carries the same value.
    const atPosition = new Map<string, string>();
    for (const m of drain.all) {
      const key = `${m.partition}/${m.offset}`;
      expect(atPosition.get(key) ?? m.value).toBe(m.value);
      atPosition.set(key, m.value);
    }
    expect(atPosition.size).toBe(TOTAL);
    // Committed offsets: the survivors closed after processing everything, so the group's lag is 0.
    expect(drain.totalLag).toBe(0);
    console.log(
      `consumer group kill: ${TOTAL} messages, ${drain.all.length} processed, ${drain.all.length - TOTAL} duplicates ` +
        `(the killed member processed ${drain.byVictim}); per member ${drain.perMember.join(' / ')}`,
    );
  }, 300_000);

  it('control: members that commit a batch before working on it lose the batch the killed one was working on', async () => {
    // Done when the group committed everything (lag 0) and the survivors processed what they were handed.
    const drain = await drainWithKill({ COMMIT_BEFORE_WORK: '1' }, async (client, groupId) => {
      const info = await client.getConsumerGroupInfo(groupId).catch(() => undefined);
      return info !== undefined && info.offsets.length === PARTITIONS && info.totalLag === 0;
    });
    const values = new Set(drain.all.map((m) => m.value));
    const lost = Array.from({ length: TOTAL }, (_, i) => String(i)).filter((v) => !values.has(v)).length;
    console.log(`consumer group kill, control (commit before work): ${TOTAL} messages, ${lost} never processed (the killed member processed ${drain.byVictim})`);
    expect(lost).toBeGreaterThan(0);
  }, 300_000);
});
