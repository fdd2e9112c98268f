import { randomBytes } from 'node:crypto';
import { KafkaClient } from '../src/index.js';
import { consumeAtLeast, kafkaBrokers, text, uniqueName } from './helpers.js';

describe(KafkaClient, () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('delivers 100,000 concurrently produced messages exactly once, in order per partition', async () => {
    const topic = uniqueName('exactly-once');
    await client.createTopic(topic, 3, 1);
    const clientId = uniqueName('rel');
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), clientId, acks: 'all', enableIdempotence: true });
    const total = 100_000;
    const results = await Promise.all(Array.from({ length: total }, (_, i) => client.produceMessage(producerId, topic, `k${i % 1000}`, `v${i}`)));
    const metrics = await client.getKafkaMetrics(clientId);
    expect(metrics.messagesProduced).toBe(total);
    expect(metrics.averageBatchSize).toBeGreaterThan(1);

    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), clientId, groupId: uniqueName('g'), autoOffsetReset: 'earliest', maxPollRecords: 5000 });
    const messages = await consumeAtLeast(client, consumerId, [topic], total, 90_000);
    expect(messages).toHaveLength(total);
    const seen = new Set(messages.map((m) => text(m.value)));
    expect(seen.size).toBe(total);
    // Per partition: offsets contiguous and values in the order they were produced.
    const lastIndex = new Map<number, number>();
    const lastOffset = new Map<number, number>();
    for (const m of messages) {
      const index = Number(text(m.value)!.slice(1));
      expect(index).toBeGreaterThan(lastIndex.get(m.partition) ?? -1);
      expect(m.offset).toBe((lastOffset.get(m.partition) ?? -1) + 1);
      expect(results[index]).toMatchObject({ partition: m.partition, offset: m.offset });
      lastIndex.set(m.partition, index);
      lastOffset.set(m.partition, m.offset);
    }
    const after = await client.getKafkaMetrics(clientId);
    expect(after.messagesConsumed).toBe(total);
  }, 180_000);

  it('redelivers messages to a replacement when a consumer dies before committing (at-least-once)', async () => {
    const topic = uniqueName('alo');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    const config = { bootstrapServers: kafkaBrokers(), groupId, autoOffsetReset: 'earliest' as const, enableAutoCommit: false, maxPollRecords: 10 };
    const first = await client.createConsumer(config);
    const got = await consumeAtLeast(client, first, [topic], 10);
    expect(got.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await client.commitOffsets(first, { [`${topic}:0`]: 5 }); // processed 0..4 only
    await client.closeConsumer(first); // dies without committing 5..9
    const replacement = await client.createConsumer(config);
    const again = await consumeAtLeast(client, replacement, [topic], 15);
    expect(again.map((m) => m.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i + 5));
  });

  it('commits delivered messages automatically at the next poll when auto commit is on', async () => {
    const topic = uniqueName('autocommit');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId, autoOffsetReset: 'earliest', autoCommitIntervalMs: 0 });
    await consumeAtLeast(client, consumerId, [topic], 5);
    await client.consumeMessages(consumerId, [topic], 0);
    const info = await client.getConsumerGroupInfo(groupId);
    expect(info.offsets).toEqual([{ topic, partition: 0, committedOffset: 5, logEndOffset: 5, lag: 0 }]);
  });

  it('splits partitions between two consumers and survives a third joining, without loss', async () => {
    const topic = uniqueName('rebalance');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 6, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    const produce = (from: number, count: number) =>
      Promise.all(Array.from({ length: count }, (_, i) => client.produceMessage(producerId, topic, `k${from + i}`, `v${from + i}`)));
    const config = { bootstrapServers: kafkaBrokers(), groupId, autoOffsetReset: 'earliest' as const, autoCommitIntervalMs: 0, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 };
    const consumers = [await client.createConsumer(config), await client.createConsumer(config)];
    const seen = new Map<string, number>();
    const pollAll = async (ids: string[], rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        const batches = await Promise.all(ids.map((id) => client.consumeMessages(id, [topic], 200)));
        for (const m of batches.flat()) seen.set(text(m.value)!, (seen.get(text(m.value)!) ?? 0) + 1);
      }
    };
    await produce(0, 3000);
    const deadline = Date.now() + 30_000;
    while ((client.getAssignment(consumers[0]!).length !== 3 || client.getAssignment(consumers[1]!).length !== 3) && Date.now() < deadline) {
      await pollAll(consumers, 1);
    }
    expect(client.getAssignment(consumers[0]!)).toHaveLength(3);
    expect(client.getAssignment(consumers[1]!)).toHaveLength(3);
    consumers.push(await client.createConsumer(config));
    await produce(3000, 3000);
    const until = Date.now() + 45_000;
    while ((seen.size < 6000 || consumers.some((id) => client.getAssignment(id).length !== 2)) && Date.now() < until) {
      await pollAll(consumers, 1);
    }
    expect(seen.size).toBe(6000);
    expect(consumers.map((id) => client.getAssignment(id).length)).toEqual([2, 2, 2]);
    const all = consumers.flatMap((id) => client.getAssignment(id)).sort();
    expect(new Set(all).size).toBe(6);
    const info = await client.getConsumerGroupInfo(groupId);
    expect(info.members).toHaveLength(3);
    const metrics = await client.getKafkaMetrics('onex');
    expect(metrics.rebalances).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('rejects an oversized message with a typed error and loses nothing accepted before', async () => {
    const topic = uniqueName('oversize');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), maxMessageBytes: 8 * 1024 * 1024 });
    const before = Array.from({ length: 10 }, (_, i) => client.produceMessage(producerId, topic, null, `ok${i}`));
    const big = client.produceMessage(producerId, topic, null, randomBytes(2 * 1024 * 1024)); // incompressible, over the broker's 1 MiB limit
    const after = Array.from({ length: 10 }, (_, i) => client.produceMessage(producerId, topic, null, `ok${10 + i}`));
    await expect(big).rejects.toMatchObject({ code: 'KAFKA_MESSAGE_TOO_LARGE', name: 'KafkaMessageTooLargeError' });
    const ok = await Promise.all([...before, ...after]);
    expect(ok.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const strict = await client.createProducer({ bootstrapServers: kafkaBrokers(), maxMessageBytes: 1000 });
    await expect(client.produceMessage(strict, topic, null, Buffer.alloc(1001))).rejects.toThrow('message of 1001 bytes exceeds `maxMessageBytes` (1000)');
    await expect(client.produceMessage(strict, '', null, 'v')).rejects.toMatchObject({ code: 'KAFKA_INVALID_ARGUMENT' });
    await expect(client.consumeMessages(await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: 'g' }), [''])).rejects.toMatchObject({
      code: 'KAFKA_INVALID_ARGUMENT',
    });
    const meta = await client.getTopicMetadata(topic);
    expect(meta.partitions[0]!.latestOffset).toBe(20);
  });
});
