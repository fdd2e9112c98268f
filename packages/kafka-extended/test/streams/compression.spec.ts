import { execFileSync } from 'node:child_process';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { CompressedBatchError } from '@onex/spi-types/support';
import { KafkaExtended } from '../../src/index.js';
import { kafkaBrokers, uniqueName } from '../../../../tools/jest/kafka-env.js';
import { createTopics, rawKafka, readTopic } from './kafka-test-utils.js';
import { registerCompressionCodecs } from '../../src/streams/internal/compression.js';

// The codecs are written once in @onex/spi-types/support; this package registers them with its own libraries.
// Runs before any client of this file is created, so kafkajs's registry still holds its placeholders.
describe(registerCompressionCodecs, () => {
  it('puts the shared bounded codecs into kafkajs, where they were placeholders before', async () => {
    const registry = kafkajs.CompressionCodecs as Record<number, () => { decompress(buffer: Buffer): Promise<Buffer> }>;
    // control: kafkajs alone has no LZ4 codec
    expect(() => registry[kafkajs.CompressionTypes.LZ4]!()).toThrow(/not implemented/i);
    registerCompressionCodecs();
    const lz4 = registry[kafkajs.CompressionTypes.LZ4]!();
    const error: unknown = await lz4.decompress(Buffer.from('not an lz4 frame')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompressedBatchError);
    expect((error as CompressedBatchError).failure).toMatchObject({ codec: 'lz4', reason: 'corrupt' });
  });
});

// The stream processor's consumer reads input batches compressed by any client; kcat (librdkafka)
// writes them here. Its producer writes uncompressed batches.
describe(`${KafkaExtended.name} compressed input`, () => {
  let kafka: Kafka;
  let admin: Admin;
  let extended: KafkaExtended;
  const brokers = kafkaBrokers();

  beforeAll(async () => {
    kafka = rawKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });
  beforeEach(() => {
    extended = new KafkaExtended({ bootstrapServers: brokers, clientId: 'compression-spec' });
  });
  afterEach(async () => {
    await extended.close();
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)('processes input that kcat produced with -z %s', async (codec) => {
    const input = uniqueName(`codec-in-${codec}`);
    const output = uniqueName(`codec-out-${codec}`);
    await createTopics(admin, [input, output], 1);
    // JSON lines compress well, so librdkafka really sends them compressed (it does not when that would not shrink them).
    const values = Array.from({ length: 200 }, (_, i) => JSON.stringify({ n: i, user: `user-${i % 7}`, event: 'page_view', note: 'x'.repeat(i % 50) }));
    execFileSync('kcat', ['-P', '-b', brokers.join(','), '-t', input, '-z', codec, '-K', '\t'], { input: values.map((v, i) => `k-${i}\t${v}\n`).join(''), timeout: 30_000 });
    const id = await extended.createStreamProcessor({ applicationId: uniqueName(`codec-app-${codec}`), bootstrapServers: brokers });
    await extended.processKafkaStream(id, [input], output, (record) => ({ key: record.key, value: `seen:${Buffer.from(record.value as Uint8Array).toString()}` }));
    const outputs = await readTopic(kafka, output, (r) => r.length >= values.length);
    expect(outputs.map((r) => [r.key, r.value])).toEqual(values.map((v, i) => [`k-${i}`, `seen:${v}`]));
  });
});
