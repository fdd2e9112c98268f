import kafkajs from 'kafkajs';
import xxh32 from 'lz4js/xxh32.js';
import { decompress as fzstdDecompress } from 'fzstd';
import type { ProtocolKafkaMessage } from '@onex/spi-types';
import { KafkaClient, isKafkaError } from '../src/index.js';
import { lz4Compress, runWithCodecContext } from '../src/internal/compression.js';
import { zstdRleFrame } from './zstd-frames.js';
import { createTopicsAndWait, kafkaBrokers, uniqueName } from './helpers.js';

// Hostile compressed record batches on the consume path, stored by the real broker: it keeps a batch as
// the producer compressed it when the topic's compression.type is 'producer', and it checks neither an
// LZ4 frame's content checksum nor how large a batch decompresses (it validates records as a stream).

const { CompressionCodecs, CompressionTypes } = kafkajs;
type Registry = Record<number, (() => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> }) | undefined>;
const registry = CompressionCodecs as Registry;

/** The LZ4 frame of `records` (as our producer writes it), flagged as carrying a content checksum, with a wrong one. */
function badChecksumFrame(records: Buffer): Buffer {
  const frame = Buffer.from(lz4Compress(records));
  frame[4] = frame[4]! | 0x04;
  frame[6] = (xxh32.hash(0, frame, 4, 2) >> 8) & 0xff;
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE((xxh32.hash(0, records, 0, records.length) ^ 0x5a5a5a5a) >>> 0);
  return Buffer.concat([frame, checksum]);
}

/** Zigzag varint, as record fields are encoded. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value >= 0 ? value * 2 : -value * 2 - 1; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      bytes.push(v);
      return Buffer.from(bytes);
    }
    bytes.push((v % 128) | 0x80);
  }
}

/** A zstd frame of one record with a null key and `valueBytes` zero bytes as value: a few KiB that inflate to the whole value. */
function zstdBombRecord(valueBytes: number): Buffer {
  const valueLength = varint(valueBytes);
  const body = 4 + valueLength.length + valueBytes + 1; // attributes, timestamp delta, offset delta, key length -1, value length, value, no headers
  const prefix = Buffer.concat([varint(body), Buffer.from([0, 0, 0]), varint(-1), valueLength]);
  return zstdRleFrame(prefix, valueBytes, Buffer.from([0]));
}

describe('hostile compressed record batches', () => {
  let admin: kafkajs.Admin;
  let client: KafkaClient;
  const raw = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING });
  beforeAll(async () => {
    admin = raw.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'compression.type', value: 'producer' }] }]);
    return topic;
  }

  /** Sends one batch of `count` records through kafkajs, its records compressed by `frame` instead of the real codec. */
  async function produceCrafted(topic: string, type: number, count: number, frame: (records: Buffer) => Buffer): Promise<void> {
    const saved = registry[type];
    registry[type] = () => ({ compress: async (encoder) => frame(encoder.buffer), decompress: async () => Buffer.alloc(0) });
    const producer = raw.producer();
    try {
      await producer.connect();
      await producer.send({ topic, compression: type, messages: Array.from({ length: count }, (_, i) => ({ value: `crafted-${i}` })) });
    } finally {
      registry[type] = saved;
      await producer.disconnect();
    }
  }

  async function produceGood(topic: string, compression: 'lz4' | 'zstd', values: string[]): Promise<void> {
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), compression });
    for (const value of values) await client.produceMessage(producerId, topic, null, Buffer.from(value));
    await client.closeProducer(producerId);
  }

  /** Polls until a poll throws or `deadlineMs` passed: what was delivered before, and the error. */
  async function consumeUntilError(consumerId: string, topic: string, deadlineMs = 30_000): Promise<{ messages: ProtocolKafkaMessage[]; error: unknown }> {
    const messages: ProtocolKafkaMessage[] = [];
    for (const deadline = Date.now() + deadlineMs; Date.now() < deadline; ) {
      try {
        messages.push(...(await client.consumeMessages(consumerId, [topic], 500)));
      } catch (error) {
        return { messages, error };
      }
    }
    return { messages, error: undefined };
  }

  /** Control: a plain kafkajs consumer (the previous code path): what eachBatch got, and the error it crashed with. */
  async function consumeWithKafkaJs(topic: string, deadlineMs = 15_000): Promise<{ delivered: number; crash: Error | undefined }> {
    const consumer = raw.consumer({ groupId: uniqueName('control') });
    let delivered = 0;
    let crash: Error | undefined;
    consumer.on(consumer.events.CRASH, (event) => (crash ??= event.payload.error));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => void (delivered += batch.messages.length) });
    for (const deadline = Date.now() + deadlineMs; Date.now() < deadline && crash === undefined; ) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    return { delivered, crash };
  }

  it('delivers the records before a corrupt LZ4 batch, then raises KAFKA_CORRUPT_RECORD_BATCH naming topic, partition, offsets and codec, and does not move past it', async () => {
    const topic = await createTopic('corrupt-lz4');
    await produceGood(topic, 'lz4', ['before-0', 'before-1', 'before-2']);
    await produceCrafted(topic, CompressionTypes.LZ4, 2, badChecksumFrame); // offsets 3 and 4
    await produceGood(topic, 'lz4', ['after-0']);
    const groupId = uniqueName('g');
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId, autoOffsetReset: 'earliest' });

    const { messages, error } = await consumeUntilError(consumerId, topic);
    expect(messages.map((m) => `${m.offset}:${Buffer.from(m.value!).toString()}`)).toEqual(['0:before-0', '1:before-1', '2:before-2']);
    expect(isKafkaError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'KafkaCorruptRecordBatchError', code: 'KAFKA_CORRUPT_RECORD_BATCH', details: { topic, partition: 0, offset: 3, lastOffset: 4, codec: 'lz4', reason: 'corrupt' } });
    expect((error as Error).message).toContain(`${topic}:0`);
    expect((error as Error).message).toContain('the lz4-compressed record batch at offsets 3-4');
    expect((error as Error).message).toContain('content checksum mismatch');
    // The position stays at the batch: the next poll raises it again and nothing after it is handed out.
    await expect(client.consumeMessages(consumerId, [topic], 2_000)).rejects.toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH', details: { offset: 3 } });
    await client.closeConsumer(consumerId);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);

    // Control: the same bytes through kafkajs alone deliver nothing (the records before the batch
    // were in the same fetch) and crash with an error that is not one of ours.
    const control = await consumeWithKafkaJs(topic);
    expect(control.delivered).toBe(0);
    expect(control.crash).toBeDefined();
    expect(isKafkaError(control.crash)).toBe(false);
    expect(control.crash!.message).toContain('content checksum mismatch');
  }, 90_000);

  it('delivers the records before a zstd batch that inflates past the limit, then raises KAFKA_CORRUPT_RECORD_BATCH without inflating it', async () => {
    const topic = await createTopic('bomb-zstd');
    await produceGood(topic, 'zstd', ['before-0']);
    const valueBytes = 100 * 1024 * 1024; // more than the 100,000,000-byte default limit
    const bomb = zstdBombRecord(valueBytes);
    expect(bomb.length).toBeLessThan(5_000);
    await produceCrafted(topic, CompressionTypes.ZSTD, 1, () => bomb); // offset 1
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });

    const { messages, error } = await consumeUntilError(consumerId, topic);
    expect(messages.map((m) => Buffer.from(m.value!).toString())).toEqual(['before-0']);
    expect(error).toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH', details: { topic, partition: 0, offset: 1, codec: 'zstd', reason: 'too-large', limit: 100_000_000 } });
    expect((error as Error).message).toContain('zstd data decompresses to more than the 100000000-byte limit');

    // Control: the previous zstd path (fzstd with no limit) inflates the same few KiB to the whole record.
    const saved = registry[CompressionTypes.ZSTD];
    let inflated = 0;
    registry[CompressionTypes.ZSTD] = () => ({
      compress: saved!().compress,
      decompress: async (buffer) => {
        const out = Buffer.from(fzstdDecompress(buffer));
        inflated = Math.max(inflated, out.length);
        return out;
      },
    });
    try {
      await consumeWithKafkaJs(topic, 5_000);
    } finally {
      registry[CompressionTypes.ZSTD] = saved;
    }
    expect(inflated).toBeGreaterThan(valueBytes);
  }, 90_000);

  it('raises a bad batch that is the first record batch of the partition, and applies maxDecompressedBatchBytes', async () => {
    const topic = await createTopic('first-bad');
    await produceCrafted(topic, CompressionTypes.ZSTD, 1, () => zstdBombRecord(2 * 1024 * 1024)); // offset 0: 2 MiB once inflated
    await produceGood(topic, 'zstd', ['after-0']);
    const small = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest', maxDecompressedBatchBytes: 1024 * 1024 });
    const { messages, error } = await consumeUntilError(small, topic);
    expect(messages).toEqual([]);
    expect(error).toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH', details: { topic, partition: 0, offset: 0, codec: 'zstd', reason: 'too-large', limit: 1024 * 1024 } });
    // Control: under the default limit the same batch is read, and the record after it too.
    const roomy = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const read: ProtocolKafkaMessage[] = [];
    for (const deadline = Date.now() + 30_000; read.length < 2 && Date.now() < deadline; ) read.push(...(await client.consumeMessages(roomy, [topic], 500)));
    expect(read.map((m) => m.value!.length)).toEqual([2 * 1024 * 1024, 7]);
  }, 90_000);

  it('stops fetching a bad batch while its error stands, where kafkajs alone would fetch it again and again', async () => {
    const topic = await createTopic('refetch');
    await produceGood(topic, 'lz4', ['before-0']);
    await produceCrafted(topic, CompressionTypes.LZ4, 1, badChecksumFrame);
    const saved = registry[CompressionTypes.LZ4];
    let decoded = 0;
    registry[CompressionTypes.LZ4] = () => ({ compress: saved!().compress, decompress: (buffer) => ((decoded += 1), saved!().decompress(buffer)) });
    try {
      const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
      const { error } = await consumeUntilError(consumerId, topic);
      expect(error).toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH' });
      const atError = decoded;
      await new Promise((r) => setTimeout(r, 3_000));
      await expect(client.consumeMessages(consumerId, [topic], 0)).rejects.toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH' });
      expect(decoded - atError).toBeLessThanOrEqual(2);
      await client.closeConsumer(consumerId);

      // Control: a kafkajs consumer whose codec context only records the failures (no pause) decodes the batch in a loop.
      let reports = 0;
      const consumer = raw.consumer({ groupId: uniqueName('control') });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await runWithCodecContext({ maxDecompressedBytes: 100_000_000, report: () => void (reports += 1) }, () => consumer.run({ eachBatch: async () => undefined }));
      await new Promise((r) => setTimeout(r, 3_000));
      await consumer.disconnect();
      expect(reports).toBeGreaterThan(20);
    } finally {
      registry[CompressionTypes.LZ4] = saved;
    }
  }, 90_000);

  it.each([0, -1, 1.5, '1000', 2 ** 31])('refuses maxDecompressedBatchBytes %p with KAFKA_INVALID_CONFIG', async (value) => {
    await expect(
      client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), maxDecompressedBatchBytes: value as number }),
    ).rejects.toMatchObject({ code: 'KAFKA_INVALID_CONFIG', message: expect.stringContaining('maxDecompressedBatchBytes') });
  });
});
