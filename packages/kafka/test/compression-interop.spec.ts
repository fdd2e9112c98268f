import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { ProtocolKafkaMessage } from '@onex/spi-types';
import { KafkaClient } from '../src/index.js';
import { consumeAtLeast, kafkaBrokers, uniqueName } from './helpers.js';

// Interop of the snappy, lz4 and zstd codecs with librdkafka (kcat) in both directions, and with the
// broker's own Java codecs (a topic whose compression.type makes the broker recompress).

const { CompressionCodecs, CompressionTypes } = kafkajs;
const CODEC_TYPES = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD } as const;
type Codec = keyof typeof CODEC_TYPES;
const MAX_BYTES = 16 * 1024 * 1024;
/** The header of Java's SnappyOutputStream framing. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

interface Case {
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with COMPRESSION_INTEROP_SEED. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env['COMPRESSION_INTEROP_SEED'] ?? Date.now() % 2 ** 31);
const TEXT = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}[]":,._-éüß€中文😀';

/** Cases of random binary and text values (empty, tiny, up to > 1 MiB), keys (null, text) and headers. */
function generateCases(random: () => number): Case[] {
  const int = (n: number): number => Math.floor(random() * n);
  const text = (length: number): string => Array.from({ length }, () => [...TEXT][int([...TEXT].length)]).join('');
  const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));
  const jsonish = (length: number): Buffer => {
    const rows: string[] = [];
    for (let size = 0; size < length; ) {
      const row = JSON.stringify({ id: int(1e6), user: `user-${int(500)}`, event: ['click', 'view', 'buy'][int(3)], note: text(int(20)) });
      rows.push(row);
      size += Buffer.byteLength(row) + 1;
    }
    return Buffer.from(rows.join('\n')).subarray(0, length);
  };
  const sizes = [0, 1, 2, 7, 100, 1_000 + int(1_000), 10_000 + int(50_000), 300_000 + int(300_000), 1_100_000 + int(500_000)];
  const cases: Case[] = [];
  for (const size of sizes) {
    for (const kind of ['binary', 'text'] as const) {
      const headers: Record<string, string> = {};
      for (let h = int(3); h > 0; h--) headers[`h${h}-${text(3).replace(/[=,\s]/g, 'x')}`] = text(int(12)).replace(/[,\s]/g, 'y');
      cases.push({
        // kcat cannot send a null key with an empty value (its line mode reads the key as ""), so empty values get keys.
        key: size > 0 && random() < 0.25 ? null : text(1 + int(20)).replace(/\s/g, '_'),
        value: kind === 'binary' ? bytes(size) : jsonish(size),
        headers,
      });
    }
  }
  return cases;
}

/** Counts the batches kafkajs decompresses per codec while `run` runs: what the broker stored and served. */
async function countDecompressedBatches<T>(run: () => Promise<T>): Promise<{ result: T; batches: Record<number, number>; xerial: number }> {
  const registry = CompressionCodecs as Record<number, (() => { compress: unknown; decompress(b: Buffer): Promise<Buffer> }) | undefined>;
  const batches: Record<number, number> = {};
  let xerial = 0;
  const saved = new Map<number, (typeof registry)[number]>();
  for (const type of [CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    const factory = registry[type];
    saved.set(type, factory);
    registry[type] = () => {
      const codec = factory!();
      return {
        compress: codec.compress,
        decompress: (buffer: Buffer) => {
          batches[type] = (batches[type] ?? 0) + 1;
          if (buffer.subarray(0, 8).equals(XERIAL_MAGIC)) xerial++;
          return codec.decompress(buffer);
        },
      };
    };
  }
  try {
    return { result: await run(), batches, xerial };
  } finally {
    for (const [type, factory] of saved) registry[type] = factory;
  }
}

/** Reads a topic with kcat: [key, value, headers] per message, in offset order. */
function kcatRead(topic: string): Case[] {
  const out = execFileSync('kcat', ['-C', '-b', kafkaBrokers().join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%K %S %h\n%k%s'], {
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  const rows: Case[] = [];
  for (let at = 0; at < out.length; ) {
    const eol = out.indexOf(0x0a, at);
    const [keyLength, valueLength, headerText] = out.subarray(at, eol).toString('utf8').split(' ') as [string, string, string | undefined];
    at = eol + 1;
    const key = Number(keyLength) < 0 ? null : out.subarray(at, at + Number(keyLength)).toString('utf8');
    at += Math.max(0, Number(keyLength));
    const value = Buffer.from(out.subarray(at, at + Number(valueLength)));
    at += Math.max(0, Number(valueLength));
    const headers = Object.fromEntries((headerText ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    rows.push({ key, value, headers });
  }
  return rows;
}

const asCase = (m: ProtocolKafkaMessage): Case => ({
  key: m.key ? Buffer.from(m.key).toString('utf8') : null,
  value: Buffer.from(m.value ?? new Uint8Array()),
  headers: Object.fromEntries(Object.entries(m.headers).filter(([name]) => name !== 'i').map(([name, v]) => [name, Buffer.from(v).toString('utf8')])),
});

const describeCase = (c: Case): string => `key ${JSON.stringify(c.key)}, ${c.value.length}-byte value, headers ${JSON.stringify(c.headers)}`;

describe('compression interop (seed ' + SEED + ')', () => {
  let client: KafkaClient;
  let admin: kafkajs.Admin;
  let dir: string;
  beforeAll(async () => {
    admin = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
    dir = mkdtempSync(join(tmpdir(), 'codec-interop-'));
  });
  afterEach(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One partition, large messages allowed; `compression.type` 'producer' keeps the producer's codec. */
  async function createTopic(prefix: string, compressionType = 'producer'): Promise<string> {
    const topic = uniqueName(prefix);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(MAX_BYTES) }, { name: 'compression.type', value: compressionType }] }],
    });
    return topic;
  }

  async function produceWithOurs(topic: string, compression: Codec, cases: Case[]): Promise<void> {
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), compression, maxMessageBytes: MAX_BYTES, maxBatchBytes: 4 * 1024 * 1024, lingerMs: 5 });
    for (const [i, c] of cases.entries()) {
      await client.produceMessage(producerId, topic, c.key, c.value, { headers: { ...c.headers, i: String(i) } });
    }
  }

  async function consumeWithOurs(topic: string, count: number): Promise<{ messages: Case[]; batches: Record<number, number>; xerial: number }> {
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const { result, batches, xerial } = await countDecompressedBatches(() => consumeAtLeast(client, consumerId, [topic], count, 60_000));
    return { messages: result.map(asCase), batches, xerial };
  }

  function kcatProduce(topic: string, compression: Codec, c: Case, index: number): void {
    const file = join(dir, `m${index}`);
    const args = ['-P', '-b', kafkaBrokers().join(','), '-t', topic, '-z', compression, '-X', `message.max.bytes=${MAX_BYTES}`, '-H', `i=${index}`];
    for (const [name, v] of Object.entries(c.headers)) args.push('-H', `${name}=${v}`);
    if (c.value.length === 0) {
      // kcat skips empty files; an empty value goes through its line mode with a key delimiter.
      execFileSync('kcat', [...args, '-K', '\t'], { input: `${c.key ?? ''}\t\n`, timeout: 30_000 });
      return;
    }
    writeFileSync(file, c.value);
    if (c.key !== null) args.push('-k', c.key);
    execFileSync('kcat', [...args, file], { timeout: 30_000 });
  }

  const expectSame = (got: Case[], want: Case[]): void => {
    expect(got).toHaveLength(want.length);
    for (const [i, w] of want.entries()) {
      const g = got[i]!;
      expect({ i, key: g.key, headers: g.headers }).toEqual({ i, key: w.key, headers: w.headers });
      if (!g.value.equals(w.value)) throw new Error(`message ${i} (${describeCase(w)}) came back as a ${g.value.length}-byte value that differs`);
    }
  };

  describe.each(['snappy', 'lz4', 'zstd'] as const)('%s', (codec) => {
    const type = CODEC_TYPES[codec];

    it('writes batches that the broker stores compressed with the codec and kcat (librdkafka) reads back exactly', async () => {
      const cases = generateCases(generator(SEED + type));
      const topic = await createTopic(`codec-out-${codec}`);
      await produceWithOurs(topic, codec, cases);
      const fromKcat = kcatRead(topic);
      expectSame(
        fromKcat.map((c) => ({ ...c, headers: Object.fromEntries(Object.entries(c.headers).filter(([name]) => name !== 'i')) })),
        cases,
      );
      // The broker serves what it stored: every batch of the topic must decompress with this codec.
      const { messages, batches } = await consumeWithOurs(topic, cases.length);
      expect(messages).toHaveLength(cases.length);
      expect(batches[type] ?? 0).toBeGreaterThan(0);
      expect(Object.keys(batches).map(Number)).toEqual([type]);
    });

    it('consumes exactly what kcat (librdkafka) produced with -z ' + codec + ', and those batches are compressed with it', async () => {
      const cases = generateCases(generator(SEED + 10 * type));
      const topic = await createTopic(`codec-in-${codec}`);
      cases.forEach((c, i) => kcatProduce(topic, codec, c, i));
      const { messages, batches, xerial } = await consumeWithOurs(topic, cases.length);
      expectSame(messages, cases);
      expect(xerial).toBe(0);
      // librdkafka sends a batch uncompressed when compressing does not make it smaller (random bytes,
      // or a short text and the frame overhead), so at least the text batches of 1000 bytes and more are compressed.
      const compressible = cases.filter((c, i) => i % 2 === 1 && c.value.length >= 1000).length;
      expect(batches[type] ?? 0).toBeGreaterThanOrEqual(compressible);
    });

    it('reads batches the broker (Java codecs) recompressed with ' + codec + ' for a topic with compression.type=' + codec, async () => {
      const cases = generateCases(generator(SEED + 100 * type));
      const topic = await createTopic(`codec-java-${codec}`, codec);
      await produceWithOurs(topic, 'none', cases);
      const { messages, batches, xerial } = await consumeWithOurs(topic, cases.length);
      expectSame(messages, cases);
      expect(batches[type] ?? 0).toBeGreaterThan(0);
      // Java frames snappy the xerial way (librdkafka and this package write raw snappy): both are read.
      expect(xerial).toBe(codec === 'snappy' ? batches[type] : 0);
    });
  });

  it('control: the batch count sees no codec when the producers send uncompressed batches', async () => {
    const cases = generateCases(generator(SEED)).slice(0, 10);
    const ours = await createTopic('codec-control-ours');
    await produceWithOurs(ours, 'none', cases);
    expect((await consumeWithOurs(ours, cases.length)).batches).toEqual({});
    const theirs = await createTopic('codec-control-kcat');
    cases.forEach((c, i) => kcatProduce(theirs, 'none', c, i));
    const { messages, batches } = await consumeWithOurs(theirs, cases.length);
    expectSame(messages, cases);
    expect(batches).toEqual({});
  });
});
