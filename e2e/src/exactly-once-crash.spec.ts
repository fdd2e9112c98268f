// An exactly-once stream processor (@onex/kafka-extended) SIGKILLed at the worst moment — its chunk's outputs
// already written to the broker inside the open transaction, the input offset not committed — and restarted.
// The same scenario with at_least_once is the control: it must show duplicates to a read_committed reader,
// exactly_once must show none, so the test proves it can tell the two apart.
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';
import { startTsx, type Child } from './support/child.js';
import { jsonValue, readTopic } from './support/kafka-reader.js';

const FIXTURE = path.join(__dirname, 'fixtures/eos-processor.ts');
const brokers = kafkaBrokers();
const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
const children: Child[] = [];

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await kafka.close();
});

interface Scenario {
  readonly input: string;
  readonly output: string;
  readonly env: Record<string, string>;
  readonly count: number;
}

async function prepare(guarantee: 'exactly_once' | 'at_least_once', count: number, partitions: number): Promise<Scenario> {
  const input = uniqueName('eos-in');
  const output = uniqueName('eos-out');
  await kafka.createTopic(input, partitions, 1);
  await kafka.createTopic(output, partitions, 1);
  const producer = await kafka.createProducer({ bootstrapServers: brokers });
  await Promise.all(Array.from({ length: count }, (_, n) => kafka.produceMessage(producer, input, String(n), JSON.stringify({ n }))));
  const env = { EOS_BROKERS: brokers.join(','), EOS_APP_ID: uniqueName('eos-app'), EOS_INPUT: input, EOS_OUTPUT: output, EOS_GUARANTEE: guarantee };
  return { input, output, env, count };
}

/** Runs the fixture until it kills itself; returns the line it printed. */
async function runUntilKilled(scenario: Scenario, kill: Record<string, string>): Promise<string> {
  const child = startTsx(FIXTURE, { ...scenario.env, ...kill });
  children.push(child);
  const line = await child.waitForLine(/^killed /, 90_000);
  expect(await child.exited).toBe('SIGKILL');
  return line;
}

/** Runs the fixture without a fault until a read_committed reader sees every input's output, then stops it. */
async function runToCompletion(scenario: Scenario, whileRunning?: () => Promise<void>): Promise<number[]> {
  const child = startTsx(FIXTURE, scenario.env);
  children.push(child);
  await child.waitForLine(/^running$/, 90_000);
  let ns: number[] = [];
  if (whileRunning) {
    // Everything must be committed by the new owner before the zombie resumes.
    ns = (await readTopic(kafka, brokers, [scenario.output], { count: scenario.count, timeoutMs: 90_000 })).map((m) => jsonValue<{ n: number }>(m).n);
    expect(new Set(ns).size).toBe(scenario.count);
    await whileRunning();
  }
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const committed = await readTopic(kafka, brokers, [scenario.output], { count: scenario.count, timeoutMs: 20_000, settleMs: 2_000 });
    for (const m of committed) expect(jsonValue<{ n: number; doubled: number }>(m).doubled).toBe(jsonValue<{ n: number }>(m).n * 2);
    ns = committed.map((m) => jsonValue<{ n: number }>(m).n);
    if (new Set(ns).size === scenario.count) break;
  }
  child.process.kill('SIGTERM');
  await child.exited;
  return ns;
}

function duplicates(ns: readonly number[]): number {
  return ns.length - new Set(ns).size;
}

describe('an exactly-once stream processor killed with its outputs written and its commit pending', () => {
  it('shows no duplicate to a read_committed reader, where the at_least_once control shows some', async () => {
    const N = 300;
    const results: Record<string, number[]> = {};
    for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
      const scenario = await prepare(guarantee, N, 1);
      // The 4th chunk of 25: outputs 75..99 acknowledged by the broker, offset 100 not committed.
      const line = await runUntilKilled(scenario, { EOS_KILL_AT_SENT: '4' });
      expect(line).toBe('killed after-outputs-sent 4 nextOffset=100');
      results[guarantee] = await runToCompletion(scenario);
    }
    const control = results['at_least_once']!;
    const eos = results['exactly_once']!;
    // Every input arrived in both runs.
    expect(new Set(control).size).toBe(N);
    expect(new Set(eos).size).toBe(N);
    // The control re-processed the killed chunk and its first outputs stay visible: 25 duplicates.
    expect(duplicates(control)).toBe(25);
    // Exactly-once: the killed transaction was aborted when the restarted instance took the partition.
    expect(duplicates(eos)).toBe(0);
    expect(eos).toHaveLength(N);
  }, 400_000);

  it('fences a zombie: an instance stopped mid-transaction and resumed after its partition moved cannot commit', async () => {
    const N = 300;
    const scenario = await prepare('exactly_once', N, 1);
    const zombie = startTsx(FIXTURE, { ...scenario.env, EOS_STOP_AT_SENT: '3', EOS_INSTANCE: 'zombie' });
    children.push(zombie);
    // Stopped (SIGSTOP) inside its 3rd transaction, outputs 50..74 written, offsets not committed.
    expect(await zombie.waitForLine(/^stopping /, 90_000)).toBe('stopping after-outputs-sent 3 nextOffset=75');
    // A second instance joins; the zombie misses its heartbeats and the group gives the partition to the newcomer,
    // whose producer takes over the partition's transactional id.
    const ns = await runToCompletion(scenario, async () => {
      zombie.process.kill('SIGCONT');
      const resumedAt = Date.now();
      // On failure the zombie's stderr (kafkajs warnings and errors, see the fixture) is in the message.
      const fenced = await zombie.waitForLine(/^fenced /, 60_000);
      process.stdout.write(`exactly-once zombie: fenced ${Date.now() - resumedAt} ms after SIGCONT\n`);
      expect(fenced).toBe(`fenced ${scenario.input}:0 KAFKAX_TRANSACTION`);
    });
    zombie.process.kill('SIGKILL');
    expect(new Set(ns).size).toBe(N);
    expect(duplicates(ns)).toBe(0);
    expect(ns).toHaveLength(N);
  }, 300_000);

  it('loses and duplicates nothing across repeated kills at random points (bounded in time)', async () => {
    const N = 600;
    const scenario = await prepare('exactly_once', N, 3);
    const budgetMs = 100_000;
    const started = Date.now();
    const kills: string[] = [];
    // Random kill points, each either mid-record or with a chunk's outputs written and its commit pending.
    while (kills.length < 50 && Date.now() - started < budgetMs) {
      const kill: Record<string, string> = Math.random() < 0.5 ? { EOS_KILL_AT_SENT: String(1 + Math.floor(Math.random() * 3)) } : { EOS_KILL_AT_RECORD: String(1 + Math.floor(Math.random() * 60)) };
      const child = startTsx(FIXTURE, { ...scenario.env, EOS_COMMIT_BATCH: '20', ...kill });
      children.push(child);
      const outcome = await Promise.race([child.waitForLine(/^killed /, 90_000).then((l) => l), child.exited.then(() => 'exited')]);
      if (outcome === 'exited' || !outcome.startsWith('killed')) break;
      await child.exited;
      kills.push(outcome);
    }
    const ns = await runToCompletion(scenario);
    const lost = N - new Set(ns).size;
    process.stdout.write(`exactly-once random kills: ${kills.length} kills, ${duplicates(ns)} duplicates, ${lost} lost\n`);
    expect(kills.length).toBeGreaterThanOrEqual(5);
    expect(lost).toBe(0);
    expect(duplicates(ns)).toBe(0);
    expect(ns).toHaveLength(N);
  }, 420_000);
});
