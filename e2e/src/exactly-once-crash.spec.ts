// An exactly-once stream processor (@onex/kafka-extended) SIGKILLed in the middle of its work and
// restarted: a read_committed consumer (@onex/kafka) sees every output exactly once.
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';
import { startTsx, type Child } from './support/child.js';
import { jsonValue, readTopic } from './support/kafka-reader.js';

const FIXTURE = path.join(__dirname, 'fixtures/eos-processor.ts');
const N = 300;
const brokers = kafkaBrokers();
const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
const children: Child[] = [];

function lastProcessed(child: Child): number {
  return Math.max(0, ...[...child.stdout().matchAll(/^processed (\d+)$/gm)].map((m) => Number(m[1])));
}

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await kafka.close();
});

describe('an exactly-once stream processor killed mid-stream', () => {
  it('produces each output exactly once for a read_committed reader after a SIGKILL and a restart', async () => {
    const input = uniqueName('eos-in');
    const output = uniqueName('eos-out');
    const env = { EOS_BROKERS: brokers.join(','), EOS_APP_ID: uniqueName('eos-app'), EOS_INPUT: input, EOS_OUTPUT: output };
    await kafka.createTopic(input, 1, 1);
    await kafka.createTopic(output, 1, 1);
    const producer = await kafka.createProducer({ bootstrapServers: brokers });
    await Promise.all(Array.from({ length: N }, (_, n) => kafka.produceMessage(producer, input, String(n), JSON.stringify({ n }))));

    const first = startTsx(FIXTURE, { ...env, EOS_HANG_AT: '110' });
    children.push(first);
    await first.waitForLine(/^processed 110$/, 90_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const processedBeforeKill = lastProcessed(first);

    const second = startTsx(FIXTURE, env);
    children.push(second);
    await second.waitForLine(/^running$/, 90_000);
    const committed = await readTopic(kafka, brokers, [output], { count: N, timeoutMs: 60_000, settleMs: 1_500 });
    second.process.kill('SIGTERM');
    await second.exited;

    const ns = committed.map((m) => jsonValue<{ n: number; doubled: number }>(m).n);
    expect(ns).toHaveLength(N);
    expect(new Set(ns).size).toBe(N);
    expect([...ns].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, n) => n));
    for (const m of committed) expect(jsonValue<{ n: number; doubled: number }>(m).doubled).toBe(jsonValue<{ n: number }>(m).n * 2);
    // The killed instance had processed records whose transaction never committed: the restarted
    // instance processed some inputs a second time, yet nobody reading committed data sees them twice.
    const secondRun = lastProcessed(second);
    expect(processedBeforeKill).toBe(110);
    expect(processedBeforeKill + secondRun).toBeGreaterThan(N);
  }, 200_000);
});
