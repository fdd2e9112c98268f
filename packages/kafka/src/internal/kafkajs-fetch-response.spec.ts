import { isDeepStrictEqual } from 'node:util';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, KafkaMessage, Message } from 'kafkajs';
import KafkaJsDecoder from 'kafkajs/src/protocol/decoder.js';
import fetchRequests from 'kafkajs/src/protocol/requests/fetch/index.js';
import kafkajsV11 from 'kafkajs/src/protocol/requests/fetch/v11/response.js';
import { registerCompressionCodecs } from './compression.js';
import { decodeFetchV11 as decodeWith, fastFetchInstalled, fastFetchStats, fetchContextSocketFactory } from './kafkajs-fetch-response.js';
import { createTopicsAndWait, kafkaBrokers, uniqueName } from '../../test/helpers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const CODECS = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

/** Records of every shape a v2 batch carries: headers (repeated names, null values), null and empty keys and values. */
function shapes(tag: string, count: number): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 6;
    out.push({
      key: kind === 1 ? null : kind === 2 ? '' : `${tag}-k${i}`,
      value: kind === 3 ? null : kind === 4 ? Buffer.alloc(0) : kind === 5 ? Buffer.alloc(3000 + i, i & 0xff) : `${tag}-v${i}-ü`,
      headers: kind === 0 ? { one: 'a', twice: ['x', 'y'], 'ünï': Buffer.from([0, 1, 2]) } : kind === 2 ? { empty: '' } : undefined,
      timestamp: kind === 4 ? '0' : String(1_700_000_000_000 + i * 1000),
    });
  }
  return out;
}

const CONTEXT = { maxDecompressedBytes: 100_000_000, report: () => undefined };
const decodeFetchV11 = (raw: Buffer): Promise<object> => decodeWith(raw, CONTEXT);

/** A message as a consumer got it, with its partition. */
type Drained = KafkaMessage & { topic: string; partition: number };

/** True when a Fetch v11 response ends a partition's records inside a record batch (maxBytes cut it). */
function hasPartialBatch(raw: Buffer): boolean {
  const d = new KafkaJsDecoder(raw);
  d.readInt32();
  d.readInt16();
  d.readInt32();
  let partial = false;
  d.readArray((topic) => {
    topic.readString();
    topic.readArray((p) => {
      p.offset += 4 + 2 + 8 * 3;
      p.readArray((a) => (a.offset += 16));
      p.readInt32();
      const size = p.readInt32();
      const start = p.offset;
      if (size > 0) {
        let at = start;
        while (at + 12 <= start + size) at += 12 + raw.readInt32BE(at + 8);
        if (at !== start + size) partial = true;
        p.offset = start + size;
      }
    });
  });
  return partial;
}

// kafkajs's own encoders, for responses no broker here writes.
interface KafkaJsEncoder {
  writeInt16(v: number): KafkaJsEncoder;
  writeInt32(v: number): KafkaJsEncoder;
  writeInt64(v: string | number): KafkaJsEncoder;
  writeString(v: string): KafkaJsEncoder;
  writeBytes(v: Buffer): KafkaJsEncoder;
  readonly buffer: Buffer;
}
const KafkaJsEncoderClass = require('kafkajs/src/protocol/encoder.js') as new () => KafkaJsEncoder;
const kafkajsRecordBatch = (require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: object) => Promise<KafkaJsEncoder> }).RecordBatch;
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: object) => KafkaJsEncoder;
const kafkajsMessageSet = require('kafkajs/src/protocol/messageSet/index.js') as (args: object) => KafkaJsEncoder;
const kafkajsLong = require('kafkajs/src/utils/long.js') as { fromString(text: string): unknown };

/** A Fetch v11 response with one topic whose partitions hold `recordSets` (raw record bytes as the broker sends them). */
function fetchV11(recordSets: Buffer[]): Buffer {
  const e = new KafkaJsEncoderClass().writeInt32(0).writeInt16(0).writeInt32(0).writeInt32(1).writeString('t').writeInt32(recordSets.length);
  recordSets.forEach((records, partition) => {
    e.writeInt32(partition).writeInt16(0).writeInt64('1000').writeInt64('1000').writeInt64('0').writeInt32(0).writeInt32(-1).writeBytes(records);
  });
  return e.buffer;
}

const batchOf = async (firstOffset: string, records: object[], firstTimestamp = 1_700_000_000_000): Promise<Buffer> =>
  (await kafkajsRecordBatch({ firstOffset: kafkajsLong.fromString(firstOffset), firstTimestamp, maxTimestamp: firstTimestamp, lastOffsetDelta: records.length - 1, records: records.map((r) => kafkajsRecord(r)) })).buffer;

describe('kafkajs Fetch v11 responses no broker here writes', () => {
  async function same(raw: Buffer): Promise<unknown> {
    const theirs = await kafkajsV11.decode(raw);
    const ours = await decodeFetchV11(raw);
    // node's strict deep equality (prototypes, own properties): Jest's toStrictEqual compares `.constructor`, which a
    // header named `constructor` makes an own property of each side.
    expect(ours).toEqual(theirs);
    expect(isDeepStrictEqual(ours, theirs)).toBe(true);
    return theirs;
  }
  const messagesOf = (decoded: unknown): { offset: string; headers: object }[] =>
    (decoded as { responses: { partitions: { messages: { offset: string; headers: object }[] }[] }[] }).responses[0]!.partitions.flatMap((p) => p.messages);

  it('leaves legacy message sets (v0 and v1) to kafkajs', async () => {
    for (const messageVersion of [0, 1]) {
      const set = kafkajsMessageSet({ messageVersion, compression: 0, entries: [{ key: 'k', value: 'v', timestamp: 1_700_000_000_000 }, { key: null, value: 'w', timestamp: 1_700_000_000_001 }] }).buffer;
      const before = fastFetchStats.fallbackBatches;
      expect(messagesOf(await same(fetchV11([set])))).toHaveLength(2);
      expect(fastFetchStats.fallbackBatches).toBe(before); // kafkajs's decodeMessages took it before any batch was read
    }
  });

  it('leaves offsets and timestamps beyond 2^53, and header names Object.prototype answers for, to kafkajs, record by record', async () => {
    const before = fastFetchStats.fallbackRecords;
    const big = await batchOf('9007199254740990', [{ key: Buffer.from('a'), value: Buffer.from('1') }, { offsetDelta: 5, key: null, value: Buffer.from('2') }]);
    const lateTimestamp = await batchOf('7', [{ timestampDelta: kafkajsLong.fromString('9007199254740000'), key: null, value: null }]);
    const headers = await batchOf('20', [{ key: null, value: Buffer.from('h'), headers: { constructor: 'c', ['__proto__']: 'p', plain: ['1', '2', '3'] } }]);
    const decoded = messagesOf(await same(fetchV11([big, lateTimestamp, headers])));
    expect(decoded.map((m) => m.offset)).toEqual(['9007199254740990', '9007199254740995', '7', '20']);
    expect(fastFetchStats.fallbackRecords - before).toBe(3); // the second offset, the timestamp, the headers
  });

  it('ends a partition at a batch cut short, keeping the batches before it, as kafkajs does', async () => {
    const first = await batchOf('0', [{ key: null, value: Buffer.from('a') }, { offsetDelta: 1, key: null, value: Buffer.from('b') }]);
    const second = await batchOf('2', [{ key: null, value: Buffer.alloc(200, 1) }]);
    for (const cut of [1, 40, 60, 100, second.length - 1]) {
      const decoded = messagesOf(await same(fetchV11([Buffer.concat([first, second.subarray(0, cut)]), first])));
      expect(decoded.map((m) => m.offset)).toEqual(['0', '1', '0', '1']);
    }
  });
});

describe('kafkajs Fetch v11 responses decoded below kafkajs (kafkajs-fetch-response.ts)', () => {
  const brokers = kafkaBrokers();
  const kafka = new Kafka({ brokers, clientId: 'fetch-decode-spec', logLevel: logLevel.NOTHING });
  let admin: Admin;
  const topic = uniqueName('fetch-decode');
  const appendTimeTopic = uniqueName('fetch-decode-lat');
  let total = 0;
  const captured: Buffer[] = [];
  const original = fetchRequests.protocol;

  beforeAll(async () => {
    registerCompressionCodecs();
    admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [
      { topic, numPartitions: 2, replicationFactor: 1 },
      { topic: appendTimeTopic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
    ]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const [name, compression] of CODECS) {
      // Several batches per codec and partition, so that a small maxBytes cuts some of them.
      for (let b = 0; b < 4; b++) {
        const messages = shapes(`${name}${b}`, 12).map((m, i) => ({ ...m, partition: i % 2 }));
        await producer.send({ topic, compression, messages });
        total += messages.length;
      }
      await producer.send({ topic: appendTimeTopic, compression, messages: shapes(`${name}-lat`, 7) });
    }
    await producer.disconnect();
    // Transactions: a committed and an aborted one (control batches with commit and abort markers).
    const tx = kafka.producer({ transactionalId: uniqueName('fetch-decode-tx'), idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    for (const [outcome, compression] of [
      ['commit', CompressionTypes.None],
      ['abort', CompressionTypes.GZIP],
      ['commit', CompressionTypes.ZSTD],
      ['abort', CompressionTypes.None],
    ] as const) {
      const t = await tx.transaction();
      await t.send({ topic, compression, messages: shapes(`tx-${outcome}`, 8).map((m, i) => ({ ...m, partition: i % 2 })) });
      if (outcome === 'commit') {
        await t.commit();
        total += 8;
      } else await t.abort();
    }
    await tx.disconnect();
    // Every Fetch v11 response any consumer below decodes is kept (a copy of its bytes) for the comparisons.
    fetchRequests.protocol = ({ version }) => {
      const make = original({ version });
      if (make === undefined || version !== 11) return make;
      return (args) => {
        const built = make(args);
        const decode = built.response.decode;
        return { ...built, response: { ...built.response, decode: async (raw: Buffer) => (captured.push(Buffer.from(raw)), decode(raw)) } };
      };
    };
  }, 60_000);

  afterAll(async () => {
    fetchRequests.protocol = original;
    await admin.deleteTopics({ topics: [topic, appendTimeTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** Every message a kafkajs consumer gets from `topics` (on connections of a codec context, as a pull consumer's, when `fast`). */
  async function drain(topics: string[], count: number, options: { fast: boolean; readUncommitted?: boolean; maxBytesPerPartition?: number }): Promise<Drained[]> {
    const context = { maxDecompressedBytes: 100_000_000, report: () => undefined };
    const client = options.fast
      ? new Kafka({ brokers, clientId: 'fetch-decode-spec-fast', logLevel: logLevel.NOTHING, socketFactory: fetchContextSocketFactory({ current: context }) })
      : kafka;
    const consumer: Consumer = client.consumer({
      groupId: uniqueName('fetch-decode-g'),
      maxWaitTimeInMs: 200,
      readUncommitted: options.readUncommitted ?? false,
      ...(options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: options.maxBytesPerPartition, maxBytes: options.maxBytesPerPartition * 2 }),
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const got: Drained[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages`)), 30_000);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            // Partition order is the broker's; within a partition offsets ascend.
            got.push(...batch.messages.map((m) => ({ ...m, partition: batch.partition, topic: batch.topic }) as unknown as Drained));
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    const key = (m: Drained): string => `${m.topic}/${m.partition}/${m.offset.padStart(20, '0')}`;
    return got.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  }

  it('is installed on kafkajs 2.2.4, whose Fetch v11 is the version it replaces', () => {
    expect(fastFetchInstalled).toBe(true);
    expect(fetchRequests.versions.map(Number)).toContain(11);
    expect(Math.max(...fetchRequests.versions.map(Number))).toBe(11);
  });

  it('decodes every captured response into exactly what kafkajs decodes, field by field, on the fast path', async () => {
    captured.length = 0;
    const before = { ...fastFetchStats };
    // The same fetches a fast consumer makes (whose responses it decodes itself, not through the capturing decode).
    await drain([topic, appendTimeTopic], total + CODECS.length * 7, { fast: true, maxBytesPerPartition: 4096 });
    expect(fastFetchStats.responses).toBeGreaterThan(before.responses);
    await drain([topic, appendTimeTopic], total + CODECS.length * 7, { fast: false, maxBytesPerPartition: 4096 });
    await drain([topic], total + 16, { fast: false, readUncommitted: true });
    expect(captured.length).toBeGreaterThan(2);
    // The responses hold cut trailing batches (maxBytes), compressed batches of every codec, control batches, aborted data.
    expect(captured.some(hasPartialBatch)).toBe(true);
    const stats = { ...fastFetchStats };
    let records = 0;
    for (const raw of captured) {
      const theirs = (await kafkajsV11.decode(raw)) as { responses: { partitions: { messages: unknown[] }[] }[] };
      const ours = await decodeFetchV11(raw);
      expect(ours).toStrictEqual(theirs);
      for (const t of theirs.responses) for (const p of t.partitions) records += p.messages.length;
    }
    expect(records).toBeGreaterThan(total);
    // Nothing of it needed kafkajs's own decoder.
    expect(fastFetchStats.fallbackBatches).toBe(stats.fallbackBatches);
    expect(fastFetchStats.fallbackRecords).toBe(stats.fallbackRecords);
    // Control: the comparison sees one changed field of one record.
    const raw = captured.find((r) => hasPartialBatch(r) || r.length > 1000)!;
    const ours = (await decodeFetchV11(raw)) as { responses: { partitions: { messages: { timestamp: string }[] }[] }[] };
    const message = ours.responses.flatMap((t) => t.partitions).find((p) => p.messages.length > 0)!.messages[0]!;
    message.timestamp = String(Number(message.timestamp) + 1);
    expect(ours).not.toStrictEqual(await kafkajsV11.decode(raw));
  }, 90_000);

  it('gives a consumer the same messages as kafkajs, read_committed (aborted data and markers dropped) and read_uncommitted', async () => {
    for (const readUncommitted of [false, true]) {
      const count = readUncommitted ? total + 16 : total;
      const fast = await drain([topic], count, { fast: true, readUncommitted });
      const plain = await drain([topic], count, { fast: false, readUncommitted });
      expect(fast).toHaveLength(count);
      expect(fast).toStrictEqual(plain);
      const values = fast.map((m) => m.value?.toString() ?? null);
      expect(values.filter((v) => v?.startsWith('tx-abort')).length).toBe(readUncommitted ? 10 : 0);
      expect(values.filter((v) => v?.startsWith('tx-commit')).length).toBeGreaterThan(0);
    }
  }, 90_000);

  it('decodes only for consumers that asked for it (a plain kafkajs consumer keeps kafkajs decode)', async () => {
    const before = fastFetchStats.responses;
    await drain([appendTimeTopic], CODECS.length * 7, { fast: false });
    expect(fastFetchStats.responses).toBe(before);
    // Control: the same drain in a context that asked for it is decoded here.
    await drain([appendTimeTopic], CODECS.length * 7, { fast: true });
    expect(fastFetchStats.responses).toBeGreaterThan(before);
  }, 60_000);
});
