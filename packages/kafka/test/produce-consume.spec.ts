import { KafkaClient, partitionForKey } from '../src/index.js';
import { consumeAtLeast, kafkaBrokers, text, uniqueName } from './helpers.js';

describe(KafkaClient, () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('resolves each concurrent produceMessage with its own partition and offset, in order per partition', async () => {
    const topic = uniqueName('produce');
    await client.createTopic(topic, 3, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), clientId: uniqueName('c') });
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) => client.produceMessage(producerId, topic, `key-${i % 17}`, `value-${i}`, { headers: { n: String(i) } })),
    );
    for (const [i, r] of results.entries()) {
      expect(r.topic).toBe(topic);
      expect(r.partition).toBe(partitionForKey(`key-${i % 17}`, 3));
    }
    const byPartition = new Map<number, number[]>();
    for (const r of results) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
    for (const offsets of byPartition.values()) {
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const meta = await client.getTopicMetadata(topic);
    expect(meta.partitions.reduce((n, p) => n + p.latestOffset, 0)).toBe(600);

    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const messages = await consumeAtLeast(client, consumerId, [topic], 600);
    expect(messages).toHaveLength(600);
    const first = messages.find((m) => text(m.value) === 'value-5')!;
    const produced = results[5]!;
    expect(first).toMatchObject({ topic, partition: produced.partition, offset: produced.offset, timestamp: produced.timestamp });
    expect(text(first.key)).toBe('key-5');
    expect(text(first.headers['n'])).toBe('5');
  });

  it('sends to an explicit partition and rejects a partition the topic does not have', async () => {
    const topic = uniqueName('explicit');
    await client.createTopic(topic, 2, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    const r = await client.produceMessage(producerId, topic, null, 'x', { partition: 1 });
    expect(r.partition).toBe(1);
    await expect(client.produceMessage(producerId, topic, null, 'x', { partition: 5 })).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PARTITION' });
  });

  it('auto-creates an unknown topic like any producer would when the broker allows it', async () => {
    const topic = uniqueName('autocreate');
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    const r = await client.produceMessage(producerId, topic, 'k', 'v');
    expect(r).toMatchObject({ topic, offset: 0 });
  });

  it('flushes queued messages on closeProducer and rejects later calls with KAFKA_UNKNOWN_PRODUCER', async () => {
    const topic = uniqueName('flush');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), lingerMs: 200 });
    const pending = Array.from({ length: 50 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`));
    await client.closeProducer(producerId);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.offset)).toEqual(results.map((_, i) => i));
    await expect(client.produceMessage(producerId, topic, null, 'late')).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PRODUCER' });
  });

  it('rejects every call after close with KAFKA_CLOSED', async () => {
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await client.close();
    await expect(client.produceMessage(producerId, 'x', null, 'v')).rejects.toMatchObject({ code: 'KAFKA_CLOSED' });
    await expect(client.createTopic('x', 1, 1)).rejects.toMatchObject({ code: 'KAFKA_CLOSED' });
  });

  it('commits offsets in every accepted form and refuses ambiguous or unknown ones', async () => {
    const topic = uniqueName('commit');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 2, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all([0, 1].flatMap((p) => [0, 1, 2].map((i) => client.produceMessage(producerId, topic, null, `p${p}-${i}`, { partition: p }))));
    const consumerId = await client.createConsumer({
      bootstrapServers: kafkaBrokers(),
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
    });
    const messages = await consumeAtLeast(client, consumerId, [topic], 6);
    expect(messages).toHaveLength(6);
    await expect(client.commitOffsets(consumerId, { [topic]: 3 })).rejects.toMatchObject({ code: 'KAFKA_AMBIGUOUS_OFFSETS' });
    await expect(client.commitOffsets(consumerId, { [`${topic}:7`]: 1 })).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PARTITION' });
    await expect(client.commitOffsets(consumerId, { [`${topic}:0`]: 9 })).rejects.toMatchObject({ code: 'KAFKA_OFFSET_OUT_OF_RANGE' });
    await expect(client.commitOffsets(consumerId, [{ topic, partition: 0, offset: -1 }])).rejects.toMatchObject({ code: 'KAFKA_INVALID_ARGUMENT' });
    expect(await client.commitOffsets(consumerId, { [`${topic}:0`]: 3 })).toBe(true);
    expect(await client.commitOffsets(consumerId, [{ topic, partition: 1, offset: 2 }])).toBe(true);
    const info = await client.getConsumerGroupInfo(groupId);
    expect(info.offsets.map((o) => [o.partition, o.committedOffset, o.logEndOffset, o.lag])).toEqual([
      [0, 3, 3, 0],
      [1, 2, 3, 1],
    ]);
    expect(info.totalLag).toBe(1);
    expect(info.state).toBe('Stable');
    expect(info.members).toHaveLength(1);
    expect(info.members[0]!.assignments).toEqual({ [topic]: [0, 1] });
  });

  it('accepts the seed form { topic: offset } when one partition of the topic was delivered', async () => {
    const topic = uniqueName('seedform');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all([0, 1, 2].map((i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId, autoOffsetReset: 'earliest', enableAutoCommit: false });
    const messages = await consumeAtLeast(client, consumerId, [topic], 3);
    expect(await client.commitOffsets(consumerId, { [topic]: messages[2]!.offset + 1 })).toBe(true);
    const info = await client.getConsumerGroupInfo(groupId);
    expect(info.offsets).toEqual([{ topic, partition: 0, committedOffset: 3, logEndOffset: 3, lag: 0 }]);
  });

  it('re-subscribes when the topic set changes and returns [] at the deadline when idle', async () => {
    const a = uniqueName('sub-a');
    const b = uniqueName('sub-b');
    await client.createTopic(a, 1, 1);
    await client.createTopic(b, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await client.produceMessage(producerId, a, null, 'from-a');
    await client.produceMessage(producerId, b, null, 'from-b');
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const first = await consumeAtLeast(client, consumerId, [a], 1);
    expect(first.map((m) => text(m.value))).toEqual(['from-a']);
    const second = await consumeAtLeast(client, consumerId, [a, b], 1);
    expect(second.map((m) => text(m.value))).toEqual(['from-b']);
    expect(client.getAssignment(consumerId)).toEqual([`${a}:0`, `${b}:0`]);
    const started = Date.now();
    expect(await client.consumeMessages(consumerId, [a, b], 300)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('keeps the buffer bounded by pausing partitions and still delivers everything in order', async () => {
    const topic = uniqueName('backpressure');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(Array.from({ length: 3000 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    const consumerId = await client.createConsumer({
      bootstrapServers: kafkaBrokers(),
      groupId: uniqueName('g'),
      autoOffsetReset: 'earliest',
      maxPollRecords: 100,
      maxBufferedRecords: 200,
    });
    const got = await consumeAtLeast(client, consumerId, [topic], 3000, 60_000);
    expect(got.map((m) => m.offset)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('reports produce latency in ms rounded to the microsecond, like every ONEX package', async () => {
    const topic = uniqueName('latency');
    await client.createTopic(topic, 1, 1);
    const clientId = uniqueName('c');
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), clientId });
    for (let i = 0; i < 5; i += 1) await client.produceMessage(producerId, topic, null, `v${i}`);
    const { produceLatency } = await client.getKafkaMetrics(clientId);
    expect(produceLatency.count).toBe(5);
    for (const ms of [produceLatency.p50Ms, produceLatency.p95Ms, produceLatency.p99Ms, produceLatency.maxMs]) {
      expect(ms).toBeGreaterThan(0);
      expect(Math.round(ms * 1000) / 1000).toBe(ms);
    }
  });
});
