// Exactly-once under scale-out and scale-in: keyed records are processed by one instance, two more join
// mid-stream, then one of them stops. A read_committed reader sees each input's output exactly once, and
// the outputs of each key in input order.
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';
import { startTsx, type Child } from './support/child.js';
import { jsonValue, readTopic } from './support/kafka-reader.js';

const FIXTURE = path.join(__dirname, 'fixtures/eos-processor.ts');
const N = Number(process.env['E2E_EOS_SCALE_RECORDS'] ?? 100_000);
const KEYS = 500;
const brokers = kafkaBrokers();
const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
const children: Child[] = [];

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await kafka.close();
});

function progress(child: Child): number {
  return Math.max(0, ...[...child.stdout().matchAll(/^progress (\d+)$/gm)].map((m) => Number(m[1])));
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('exactly-once stream processors scaled out and in under load', () => {
  it(`outputs each of ${N} keyed inputs exactly once, in per-key order, while instances join and leave`, async () => {
    const input = uniqueName('eos-scale-in');
    const output = uniqueName('eos-scale-out');
    await kafka.createTopic(input, 6, 1);
    await kafka.createTopic(output, 6, 1);
    const producer = await kafka.createProducer({ bootstrapServers: brokers });
    for (let from = 0; from < N; from += 10_000) {
      const to = Math.min(N, from + 10_000);
      await Promise.all(Array.from({ length: to - from }, (_, i) => kafka.produceMessage(producer, input, `k${(from + i) % KEYS}`, JSON.stringify({ n: from + i }))));
    }
    const env = { EOS_BROKERS: brokers.join(','), EOS_APP_ID: uniqueName('eos-scale'), EOS_INPUT: input, EOS_OUTPUT: output, EOS_COMMIT_BATCH: '200', EOS_PROGRESS: '1000' };

    const first = startTsx(FIXTURE, { ...env, EOS_INSTANCE: 'a' });
    children.push(first);
    await first.waitForLine(/^running$/, 90_000);
    await until(() => progress(first) >= N / 10, 300_000, 'the first instance to process a tenth of the input');
    // Scale out: two more instances join mid-stream.
    const second = startTsx(FIXTURE, { ...env, EOS_INSTANCE: 'b' });
    const third = startTsx(FIXTURE, { ...env, EOS_INSTANCE: 'c' });
    children.push(second, third);
    await Promise.all([second.waitForLine(/^running$/, 90_000), third.waitForLine(/^running$/, 90_000)]);
    await until(() => progress(second) + progress(third) >= N / 10, 300_000, 'the new instances to take part');
    // Scale in: one of them stops (graceful close) while the stream goes on.
    third.process.kill('SIGTERM');
    await third.exited;

    const committed = await readTopic(kafka, brokers, [output], { count: N, timeoutMs: 600_000, settleMs: 3_000 });
    for (const child of [first, second]) child.process.kill('SIGTERM');
    await Promise.all([first.exited, second.exited]);

    const ns = committed.map((m) => jsonValue<{ n: number }>(m).n);
    expect(new Set(ns).size).toBe(N);
    expect(ns).toHaveLength(N);
    // Per key, outputs appear in input order (n grows within a key).
    const lastByKey = new Map<string, number>();
    let outOfOrder = 0;
    for (const m of committed) {
      const key = Buffer.from(m.key ?? new Uint8Array()).toString();
      const n = jsonValue<{ n: number }>(m).n;
      expect(key).toBe(`k${n % KEYS}`);
      if ((lastByKey.get(key) ?? -1) > n) outOfOrder++;
      lastByKey.set(key, n);
    }
    expect(outOfOrder).toBe(0);
    process.stdout.write(`exactly-once scale: ${N} inputs; instance a ${progress(first)}+, b ${progress(second)}+, c ${progress(third)}+ processed (progress lines)\n`);
  }, 900_000);
});
