import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import kafkajs from 'kafkajs';
import { KafkaClient } from '../src/index.js';
import { preEncodedStats } from '../src/internal/kafkajs-produce-request.js';
import { kafkaBrokers, uniqueName } from './helpers.js';

/** Text without kcat's separators (tab, newline, comma, '='), so its output parses unambiguously. */
const word = (maxLength: number): fc.Arbitrary<string> => fc.string({ maxLength, unit: fc.constantFrom(...'abcXYZ019+/_-.:é€𝄞'.split(/(?:)/u)) });

interface Sent {
  key: string | null;
  value: string | null;
  headers: Record<string, string> | undefined;
  timestamp: number | undefined;
}

const message: fc.Arbitrary<Sent> = fc.record({
  key: fc.option(word(20), { nil: null }),
  value: fc.option(word(400), { nil: null }),
  headers: fc.option(fc.dictionary(word(10).filter((k) => k.length > 0 && k !== '__proto__'), word(20), { maxKeys: 3 }), { nil: undefined }),
  // Explicit timestamps over the last hour (multi-byte timestamp deltas within a batch; the broker refuses
  // timestamps far from its clock), or the producer's clock.
  timestamp: fc.option(fc.integer({ min: Date.now() - 3_600_000, max: Date.now() }), { nil: undefined }),
});

/** One record as read back, in a form both readers produce. */
interface Read {
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}

function readWithKcat(topic: string): Read[] {
  const out = execFileSync('kcat', ['-C', '-b', kafkaBrokers().join(','), '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\t%K\t%k\t%S\t%s\t%T\t%h\n'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [offset, keyLength, key, valueLength, value, timestamp, headers] = line.split('\t') as [string, string, string, string, string, string, string];
      return {
        offset: Number(offset),
        key: keyLength === '-1' ? null : key,
        value: valueLength === '-1' ? null : value,
        headers: headers === '' ? {} : Object.fromEntries(headers.split(',').map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)])),
        timestamp: Number(timestamp),
      };
    });
}

async function readWithKafkajs(topic: string, count: number): Promise<Read[]> {
  const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers(), clientId: 'interop-reader', logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('interop'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const read: Read[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs read ${read.length} of ${count} records`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message: m }) => {
          read.push({
            offset: Number(m.offset),
            key: m.key === null ? null : m.key.toString('utf8'),
            value: m.value === null ? null : m.value.toString('utf8'),
            headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)])),
            timestamp: Number(m.timestamp),
          });
          if (read.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return read.sort((a, b) => a.offset - b.offset);
}

describe('record batches encoded by the producer', () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it.each(['none', 'gzip', 'lz4', 'zstd'] as const)('read back identically with kcat and the kafkajs consumer (compression %s)', async (compression) => {
    const sent = fc.sample(message, { numRuns: 300, seed: compression.length * 101 });
    const topic = uniqueName(`batch-interop-${compression}`);
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), compression, batchSize: 50 });
    const before = preEncodedStats.requests;
    const groupedBefore = preEncodedStats.groupedAtOnce;
    const results = await Promise.all(
      sent.map((m) =>
        client.produceMessage(producerId, topic, m.key, m.value, {
          partition: 0,
          ...(m.headers ? { headers: m.headers } : {}),
          ...(m.timestamp === undefined ? {} : { timestamp: m.timestamp }),
        }),
      ),
    );
    // The records went through this package's encoder (at least 300 / 50 requests), not kafkajs's.
    expect(preEncodedStats.requests - before).toBeGreaterThanOrEqual(6);
    // kafkajs grouped each request's messages in one step.
    expect(preEncodedStats.groupedAtOnce - groupedBefore).toBeGreaterThanOrEqual(6);
    const expected: Read[] = sent.map((m, i) => ({
      offset: results[i]!.offset,
      key: m.key,
      value: m.value,
      headers: m.headers ?? {},
      timestamp: results[i]!.timestamp,
    }));
    expect(results.map((r) => r.offset)).toEqual(sent.map((_, i) => i));
    expect(readWithKcat(topic)).toEqual(expected);
    expect(await readWithKafkajs(topic, sent.length)).toEqual(expected);
    for (const [i, m] of sent.entries()) if (m.timestamp !== undefined) expect(expected[i]!.timestamp).toBe(m.timestamp);
  });

  it('are not what a plain kafkajs producer uses (control: its requests are not counted)', async () => {
    const topic = uniqueName('batch-interop-control');
    await client.createTopic(topic, 1, 1);
    const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers(), clientId: 'interop-control', logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const before = preEncodedStats.requests;
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
    await producer.disconnect();
    expect(preEncodedStats.requests).toBe(before);
    expect(readWithKcat(topic).map((r) => [r.key, r.value])).toEqual([['k', 'v']]);
  });
});
