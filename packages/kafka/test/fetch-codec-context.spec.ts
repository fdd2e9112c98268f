import kafkajs from 'kafkajs';
import type { ProtocolKafkaMessage } from '@onex/spi-types';
import { KafkaClient } from '../src/index.js';
import { runWithCodecContext } from '../src/internal/compression.js';
import { fastFetchStats } from '../src/internal/kafkajs-fetch-response.js';
import { createTopicsAndWait, kafkaBrokers, uniqueName } from './helpers.js';

// A pull consumer's fetches are decoded in its codec context (its maxDecompressedBatchBytes and failure report)
// found through its own connections, not through an AsyncLocalStorage: on Node 20, entering a store once turns on
// promise hooks that run for every promise of the process from then on, the application's included.

/** The process's codec-context store (@onex/spi-types/support); `enabled` is Node 20's flag for "promise hooks on". */
const store = (globalThis as Record<symbol, unknown>)[Symbol.for('@onex/kafka:codec-context')] as { enabled?: boolean };
const hasEnabledFlag = typeof store === 'object' && store !== null && 'enabled' in store;

describe('codec context of a pull consumer', () => {
  const raw = new kafkajs.Kafka({ brokers: kafkaBrokers(), logLevel: kafkajs.logLevel.NOTHING });
  let admin: kafkajs.Admin;
  let client: KafkaClient;
  beforeAll(async () => {
    admin = raw.admin();
    await admin.connect();
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterAll(async () => {
    await client.close();
    await admin.disconnect();
  });

  async function read(consumerId: string, topic: string, count: number): Promise<{ messages: ProtocolKafkaMessage[]; error: unknown }> {
    const messages: ProtocolKafkaMessage[] = [];
    try {
      for (const deadline = Date.now() + 30_000; messages.length < count && Date.now() < deadline; ) messages.push(...(await client.consumeMessages(consumerId, [topic], 500)));
    } catch (error) {
      return { messages, error };
    }
    return { messages, error: undefined };
  }

  it('applies its limit to the batches it fetches, without entering an AsyncLocalStorage store', async () => {
    const topic = uniqueName('codec-context');
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'compression.type', value: 'producer' }] }]);
    // Offsets 0-2: small gzip batches; offset 3: one gzip batch of 600 KiB of zeros (a few KiB compressed).
    const producer = raw.producer();
    await producer.connect();
    for (const value of ['a', 'b', 'c']) await producer.send({ topic, compression: kafkajs.CompressionTypes.GZIP, messages: [{ value }] });
    await producer.send({ topic, compression: kafkajs.CompressionTypes.GZIP, messages: [{ value: Buffer.alloc(600 * 1024) }] });
    await producer.disconnect();
    const before = fastFetchStats.responses;

    const limited = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest', maxDecompressedBatchBytes: 512 * 1024 });
    const { messages, error } = await read(limited, topic, 4);
    // The records before the batch over its limit are delivered, then that batch is raised: the codecs had the context.
    expect(messages.map((m) => m.value!.toString())).toEqual(['a', 'b', 'c']);
    expect(error).toMatchObject({ code: 'KAFKA_CORRUPT_RECORD_BATCH', details: { topic, offset: 3, codec: 'gzip', reason: 'too-large', limit: 512 * 1024 } });
    // Control: under the default limit another consumer reads the same batch.
    const roomy = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const all = await read(roomy, topic, 4);
    expect(all.error).toBeUndefined();
    expect(all.messages.map((m) => m.value!.length)).toEqual([1, 1, 1, 600 * 1024]);
    // Both decoded their fetches below kafkajs (kafkajs-fetch-response.ts).
    expect(fastFetchStats.responses).toBeGreaterThan(before);
    // Fetches with nothing new (an empty partition in the response) as well, the common case of a consumer that keeps up.
    const idle = fastFetchStats.responses;
    expect(await client.consumeMessages(roomy, [topic], 2_000)).toEqual([]);
    expect(fastFetchStats.responses).toBeGreaterThan(idle);

    if (hasEnabledFlag) {
      // Node 20: the store was never entered, so no promise hooks run.
      expect(store.enabled).toBe(false);
      // Control: the way the context was passed before (a store around the kafkajs consumer's run) enters it.
      await runWithCodecContext({ maxDecompressedBytes: 1, report: () => undefined }, async () => undefined);
      expect(store.enabled).toBe(true);
    } else {
      // Node 22+ keeps an AsyncLocalStorage's store in the async context frame, without promise hooks (no flag to read).
      expect(process.versions.node.split('.').map(Number)[0]).toBeGreaterThanOrEqual(22);
    }
  }, 90_000);
});
