import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KafkaClient } from '../src/index.js';
import { consumeAtLeast, kafkaBrokers, startTsx, text, uniqueName, type TsxChild } from './helpers.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

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

  it('redelivers to a replacement what a SIGKILLed consumer took with consumeMessages but never committed', async () => {
    const topic = uniqueName('alo-kill');
    const groupId = uniqueName('g');
    // Both members use a short session so the coordinator evicts the dead one quickly.
    const sessionTimeoutMs = 6000;
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    let child: TsxChild | undefined;
    let consumerPid: number | undefined;
    try {
      child = startTsx(path.join(__dirname, 'fixtures/consume-then-hang.ts'), [kafkaBrokers().join(','), topic, groupId, String(sessionTimeoutMs)]);
      const committed = JSON.parse((await child.line('committed ')).slice('committed '.length)) as number[];
      const { pid, offsets: uncommitted } = JSON.parse((await child.line('uncommitted ')).slice('uncommitted '.length)) as { pid: number; offsets: number[] };
      expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(uncommitted).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      consumerPid = pid;
      process.kill(pid, 'SIGKILL'); // the node process running the consumer, not the tsx wrapper
      await child.exited; // the wrapper exits once the consumer process is gone
      expect(isAlive(pid)).toBe(false);
      const before = await client.getConsumerGroupInfo(groupId);
      expect(before.offsets).toEqual([{ topic, partition: 0, committedOffset: 10, logEndOffset: 30, lag: 20 }]);

      const replacement = await client.createConsumer({
        bootstrapServers: kafkaBrokers(),
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        sessionTimeoutMs,
        heartbeatIntervalMs: 500,
      });
      const again = await consumeAtLeast(client, replacement, [topic], 20, 45_000);
      // Everything after the last commit, including the ten the dead consumer had taken, exactly once.
      expect(again.map((m) => m.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 10));
      expect(again.slice(0, 10).map((m) => text(m.value))).toEqual(uncommitted.map((o) => `m${o}`));
      expect((await client.getConsumerGroupInfo(groupId)).members).toHaveLength(1); // the dead member was evicted
    } finally {
      if (consumerPid !== undefined && isAlive(consumerPid)) process.kill(consumerPid, 'SIGKILL');
      if (child !== undefined && child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGTERM'); // tsx relays SIGTERM to the consumer process
        await child.exited;
      }
    }
  }, 90_000);

  it('redelivers uncommitted messages to a replacement after a clean close without a commit', async () => {
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
    await client.closeConsumer(first); // leaves without committing 5..9
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
