import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { KafkaExtended } from '../../../src/index.js';
import { kafkaBrokers, uniqueName } from '../../../../../tools/jest/kafka-env.js';
import { createTopics, produceInputs, rawKafka, readTopic, waitFor } from '../kafka-test-utils.js';

const root = path.resolve(__dirname, '../../../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const childFile = path.join(__dirname, 'processor-child.ts');
const INPUTS = 400;

interface Child {
  readonly process: ChildProcess;
  readonly running: Promise<void>;
  output(): string;
}

/** Starts the child in its own process group, so SIGKILL reaches tsx and the node process it runs. */
function startChild(config: Record<string, unknown>): Child {
  const child = spawn(tsx, ['--tsconfig', path.join(root, 'tsconfig.base.json'), childFile], {
    env: { ...process.env, ONEX_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const running = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('RUNNING')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before running:\n${text}`)));
  });
  running.catch(() => undefined);
  return { process: child, running, output: () => text };
}

function killGroup(child: Child, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    try {
      process.kill(-child.process.pid!, signal);
    } catch {
      resolve();
    }
  });
}

async function highWatermarkSum(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high), 0);
}

describe(`${KafkaExtended.name} stream processor killed with SIGKILL and restarted`, () => {
  const brokers = kafkaBrokers();
  let kafka: Kafka;
  let admin: Admin;
  const children: Child[] = [];

  beforeAll(async () => {
    kafka = rawKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => killGroup(c, 'SIGKILL')));
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  async function runKillRestart(guarantee: 'at_least_once' | 'exactly_once') {
    const input = uniqueName(`kill-${guarantee}-in`);
    const output = uniqueName(`kill-${guarantee}-out`);
    const applicationId = uniqueName(`kill-${guarantee}-app`);
    await createTopics(admin, [input, output], 2);
    const values = Array.from({ length: INPUTS }, (_, i) => `m${i}`);
    await produceInputs(kafka, input, values, 2);
    const config = { brokers, input, output, applicationId, guarantee, delayMs: 4 };

    const first = startChild(config);
    children.push(first);
    await first.running;
    await waitFor(async () => (await highWatermarkSum(admin, output)) >= 60, 45_000);
    await killGroup(first, 'SIGKILL');
    const committedAtKill = (await admin.fetchOffsets({ groupId: applicationId, topics: [input] }))[0]!.partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    expect(first.process.signalCode).toBe('SIGKILL');
    expect(committedAtKill).toBeLessThan(INPUTS);

    const second = startChild(config);
    children.push(second);
    await second.running;
    return { input, output, values, applicationId, committedAtKill, second };
  }

  it('at_least_once: every input has its output after the restart (duplicates allowed, nothing missing)', async () => {
    const { output, values } = await runKillRestart('at_least_once');
    const expected = new Set(values.map((v) => `${v}:out`));
    const records = await readTopic(kafka, output, (r) => new Set(r.map((x) => x.value)).size >= expected.size, { uncommitted: true, timeoutMs: 60_000 });
    const seen = new Set(records.map((r) => r.value));
    const missing = [...expected].filter((v) => !seen.has(v));
    expect(missing).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(INPUTS);
  }, 120_000);

  it('exactly_once: a read_committed reader sees each input\'s output exactly once after the restart', async () => {
    const { output, values, applicationId, input } = await runKillRestart('exactly_once');
    await waitFor(async () => {
      const committed = await admin.fetchOffsets({ groupId: applicationId, topics: [input] });
      return committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) === INPUTS;
    }, 60_000);
    const records = await readTopic(kafka, output, (r) => r.length >= INPUTS, { timeoutMs: 30_000, settleMs: 1_500 });
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.value!, (counts.get(r.value!) ?? 0) + 1);
    expect(records).toHaveLength(INPUTS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...counts.keys()].sort()).toEqual(values.map((v) => `${v}:out`).sort());
  }, 120_000);
});
