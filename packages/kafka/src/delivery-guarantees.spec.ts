import diagnosticsChannel from 'node:diagnostics_channel';
import path from 'node:path';
import type { ProtocolKafkaMessage } from '@onex/spi-types';
import { consumeAtLeast, kafkaBrokers, startTsx, uniqueName } from '../test/helpers.js';
import { KAFKA_CHANNELS, KafkaClient } from './index.js';

const fixture = path.join(__dirname, '../test/fixtures/poll-then-process.ts');
const memberFixture = path.join(__dirname, '../test/fixtures/join-and-poll.ts');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe(KafkaClient, () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('with the default auto commit, redelivers a batch whose consumer was SIGKILLed while processing it; an eager commit loses it', async () => {
    // One scenario per mode, run side by side: the consumer (child process) polls 0..9, processes
    // them for longer than the 5 s auto-commit interval, polls 10..19 and is killed more than one
    // interval later while still processing them.
    const scenario = async (mode: 'auto' | 'eager') => {
      const topic = uniqueName(`alo-${mode}`);
      const groupId = uniqueName('g');
      await client.createTopic(topic, 1, 1);
      const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
      await Promise.all(range(0, 30).map((i) => client.produceMessage(producerId, topic, null, `m${i}`)));
      const child = startTsx(fixture, [kafkaBrokers().join(','), topic, groupId, mode]);
      let pid: number | undefined;
      try {
        const first = JSON.parse((await child.line('first ')).slice('first '.length)) as number[];
        const second = JSON.parse((await child.line('second ')).slice('second '.length)) as { pid: number; offsets: number[] };
        pid = second.pid;
        await sleep(6000); // more than one auto-commit interval with the second batch in hand
        process.kill(pid, 'SIGKILL'); // the node process running the consumer, not the tsx wrapper
        await child.exited;
        const committed = (await client.getConsumerGroupInfo(groupId)).offsets[0]?.committedOffset;
        const replacement = await client.createConsumer({
          bootstrapServers: kafkaBrokers(),
          groupId,
          autoOffsetReset: 'earliest',
          enableAutoCommit: false,
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 500,
        });
        const again = await consumeAtLeast(client, replacement, [topic], 30 - (committed ?? 0), 45_000);
        return { first, second: second.offsets, committed, again: again.map((m) => m.offset) };
      } finally {
        if (child.process.exitCode === null && child.process.signalCode === null) {
          if (pid !== undefined) process.kill(pid, 'SIGKILL');
          child.process.kill('SIGTERM');
          await child.exited;
        }
      }
    };
    const [auto, eager] = await Promise.all([scenario('auto'), scenario('eager')]);
    expect(auto.first).toEqual(range(0, 10));
    expect(auto.second).toEqual(range(10, 20));
    // The second poll committed the first batch; the batch in hand at the kill was never committed.
    expect(auto.committed).toBe(10);
    expect(auto.again).toEqual(range(10, 30));
    // Control: committing before processing stores 20, so 10..19 never come back.
    expect(eager.second).toEqual(range(10, 20));
    expect(eager.committed).toBe(20);
    expect(eager.again).toEqual(range(20, 30));
  }, 120_000);

  it('leaves the group when consumeMessages is not called within maxPollIntervalMs; the next call fails with KAFKA_POLL_INTERVAL_EXCEEDED and the one after rejoins', async () => {
    const topic = uniqueName('poll-interval');
    const groupId = uniqueName('g');
    const clientId = uniqueName('pi');
    await client.createTopic(topic, 2, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(range(0, 20).map((i) => client.produceMessage(producerId, topic, `k${i}`, `m${i}`)));
    const config = {
      bootstrapServers: kafkaBrokers(),
      clientId,
      groupId,
      autoOffsetReset: 'earliest' as const,
      enableAutoCommit: false,
      maxPollIntervalMs: 3000,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
    };
    const stuck = await client.createConsumer(config);
    const taken = await consumeAtLeast(client, stuck, [topic], 1);
    expect(client.getAssignment(stuck)).toHaveLength(2);
    // `stuck` never polls again; `other` joins and must end up with both partitions.
    const other = await client.createConsumer(config);
    const received: ProtocolKafkaMessage[] = [];
    const deadline = Date.now() + 25_000;
    while (client.getAssignment(other).length < 2 && Date.now() < deadline) received.push(...(await client.consumeMessages(other, [topic], 200)));
    expect(client.getAssignment(other)).toHaveLength(2);
    expect(client.getAssignment(stuck)).toEqual([]);
    received.push(...(await consumeAtLeast(client, other, [topic], 20 - received.length, 15_000)));
    expect(new Set(received.map((m) => `${m.partition}:${m.offset}`)).size).toBe(20); // nothing committed: all of it, including what `stuck` took
    const last = taken[taken.length - 1]!;
    await expect(client.commitOffsets(stuck, [{ topic, partition: last.partition, offset: last.offset + 1 }])).rejects.toMatchObject({
      code: 'KAFKA_POLL_INTERVAL_EXCEEDED',
    });
    const error = await client.consumeMessages(stuck, [topic], 100).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KAFKA_POLL_INTERVAL_EXCEEDED', name: 'KafkaPollIntervalExceededError' });
    expect((error as Error).message).toMatch(/did not call consumeMessages within `maxPollIntervalMs` \(3000 ms\)/);
    // The following calls rejoin: the partitions are split again.
    const until = Date.now() + 30_000;
    while ((client.getAssignment(stuck).length !== 1 || client.getAssignment(other).length !== 1) && Date.now() < until) {
      await Promise.all([client.consumeMessages(stuck, [topic], 200), client.consumeMessages(other, [topic], 200)]);
    }
    expect(client.getAssignment(stuck)).toHaveLength(1);
    expect(client.getAssignment(other)).toHaveLength(1);
    const metrics = await client.getKafkaMetrics(clientId);
    expect(metrics.pollIntervalExceeded).toBe(1);
    expect(metrics.errorsByCode['KAFKA_POLL_INTERVAL_EXCEEDED']).toBe(1);
  }, 90_000);

  it('rejects at once a message that can never fit bufferMemoryBytes, and with maxBlockMs 0 fails the sends that find the buffer full', async () => {
    const topic = uniqueName('buffer-full');
    const clientId = uniqueName('bf');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), clientId, bufferMemoryBytes: 1024, maxBlockMs: 0 });
    const tooLarge = await client.produceMessage(producerId, topic, null, Buffer.alloc(1000)).catch((e: unknown) => e);
    expect(tooLarge).toMatchObject({ code: 'KAFKA_MESSAGE_TOO_LARGE' });
    expect((tooLarge as Error).message).toBe('message of 1000 bytes (+128 bytes of bookkeeping) can never fit `bufferMemoryBytes` (1024)');
    // Each message counts 2 + 128 bytes: 7 fit in 1024, the other 13 find the buffer full.
    const results = await Promise.allSettled(range(0, 20).map((i) => client.produceMessage(producerId, topic, null, `m${i}`)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.offset : (r.reason as { code: string }).code))).toEqual([
      ...range(0, 7),
      ...Array.from({ length: 13 }, () => 'KAFKA_BUFFER_FULL'),
    ]);
    const metrics = await client.getKafkaMetrics(clientId);
    expect(metrics).toMatchObject({ bufferUsedBytes: 0, bufferLimitBytes: 1024, blockedSends: 13, bufferFullErrors: 13 });
    expect(metrics.errorsByCode).toMatchObject({ KAFKA_BUFFER_FULL: 13, KAFKA_MESSAGE_TOO_LARGE: 1 });
    await expect(client.produceMessage(producerId, topic, null, 'again')).resolves.toMatchObject({ offset: 7 });
  });

  it('drops the buffered messages of partitions a second member takes over, and commits report what the broker stored', async () => {
    const topic = uniqueName('revoke');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 2, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(range(0, 200).map((i) => client.produceMessage(producerId, topic, `k${i}`, `m${i}`)));
    const config = {
      bootstrapServers: kafkaBrokers(),
      groupId,
      autoOffsetReset: 'earliest' as const,
      enableAutoCommit: false,
      maxPollRecords: 1,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
    };
    const first = await client.createConsumer(config);
    const seenFirst: ProtocolKafkaMessage[] = await consumeAtLeast(client, first, [topic], 1);
    // Let the first member buffer both partitions before the second one joins.
    await sleep(1500);
    expect(client.getAssignment(first)).toHaveLength(2);
    const m0 = seenFirst[0]!;
    await expect(client.commitOffsets(first, [{ topic, partition: m0.partition, offset: m0.offset + 1 }])).resolves.toBe(true);
    const second = await client.createConsumer(config);
    const seenSecond: ProtocolKafkaMessage[] = [];
    const deadline = Date.now() + 30_000;
    while ((client.getAssignment(second).length !== 1 || client.getAssignment(first).length !== 1) && Date.now() < deadline) {
      seenSecond.push(...(await client.consumeMessages(second, [topic], 200)));
    }
    expect(client.getAssignment(first)).toHaveLength(1);
    const [mine] = client.getAssignment(first);
    // From now on the first member hands out messages of the partition it kept only.
    const later = await consumeAtLeast(client, first, [topic], 20, 10_000);
    expect(later.length).toBeGreaterThan(0);
    expect(new Set(later.map((m) => `${m.topic}:${m.partition}`))).toEqual(new Set([mine]));
    // A commit resolves true only once stored: the coordinator reports exactly that offset.
    const tail = later[later.length - 1]!;
    await expect(client.commitOffsets(first, [{ topic, partition: tail.partition, offset: tail.offset + 1 }])).resolves.toBe(true);
    const info = await client.getConsumerGroupInfo(groupId);
    expect(info.offsets.find((o) => o.partition === tail.partition)?.committedOffset).toBe(tail.offset + 1);
  }, 90_000);

  it('hands out nothing while its rejoin waits for a stalled member, and hands out again after the new assignment', async () => {
    const topic = uniqueName('rejoin');
    const groupId = uniqueName('g');
    await client.createTopic(topic, 4, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    await Promise.all(range(0, 400).map((i) => client.produceMessage(producerId, topic, `k${i}`, `m${i}`)));
    const config = {
      bootstrapServers: kafkaBrokers(),
      groupId,
      autoOffsetReset: 'earliest' as const,
      enableAutoCommit: false,
      maxPollRecords: 1,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
    };
    const first = await client.createConsumer(config);
    await consumeAtLeast(client, first, [topic], 1);
    const joins: { consumerId: string; at: number }[] = [];
    const onRebalance = (message: unknown): void => void joins.push({ consumerId: (message as { consumerId: string }).consumerId, at: Date.now() });
    diagnosticsChannel.subscribe(KAFKA_CHANNELS.rebalance, onRebalance);
    // A member in a child process joins (the first keeps two partitions), then is SIGSTOPped: it
    // stops heartbeating, so the next rebalance waits until its 15 s session expires.
    const child = startTsx(memberFixture, [kafkaBrokers().join(','), topic, groupId, '15000']);
    let stalled: number | undefined;
    try {
      let joined: { pid: number } | undefined;
      void child.line('joined ').then((l) => (joined = JSON.parse(l.slice('joined '.length)) as { pid: number }), () => undefined);
      const deadline = Date.now() + 30_000;
      while ((joined === undefined || client.getAssignment(first).length !== 2) && Date.now() < deadline) await client.consumeMessages(first, [topic], 200);
      expect(client.getAssignment(first)).toHaveLength(2);
      stalled = joined!.pid;
      // Fresh messages, so that the first member has some of its two partitions buffered.
      await Promise.all(range(400, 800).map((i) => client.produceMessage(producerId, topic, `k${i}`, `m${i}`)));
      await sleep(1500);
      process.kill(stalled, 'SIGSTOP');
      const second = await client.createConsumer(config);
      const startedAt = Date.now();
      const secondJoin = client.consumeMessages(second, [topic], 100).catch(() => []); // its join waits for the stalled member too
      const polls: { at: number; count: number }[] = [];
      const until = Date.now() + 40_000;
      while (!joins.some((j) => j.consumerId === first && j.at > startedAt) && Date.now() < until) {
        const got = await client.consumeMessages(first, [topic], 200);
        polls.push({ at: Date.now(), count: got.length });
        await sleep(100); // one message per 100 ms at most: the buffer lasts beyond the rejoin
      }
      await secondJoin;
      const rejoinedAt = joins.find((j) => j.consumerId === first && j.at > startedAt)?.at;
      expect(rejoinedAt).toBeDefined();
      expect(rejoinedAt! - startedAt).toBeGreaterThan(6000); // the rebalance really waited for the stalled member
      // After a heartbeat interval or two the first member knows a rebalance is on: from then until
      // its new assignment, it hands out nothing (its partitions may be about to move).
      const during = polls.filter((p) => p.at > startedAt + 2500 && p.at < rejoinedAt!);
      expect(during.length).toBeGreaterThan(10);
      expect(during.reduce((n, p) => n + p.count, 0)).toBe(0);
      const after = await consumeAtLeast(client, first, [topic], 1, 10_000);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((m) => client.getAssignment(first).includes(`${m.topic}:${m.partition}`))).toBe(true);
    } finally {
      diagnosticsChannel.unsubscribe(KAFKA_CHANNELS.rebalance, onRebalance);
      if (stalled !== undefined) process.kill(stalled, 'SIGKILL');
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGTERM');
        await child.exited;
      }
    }
  }, 120_000);
});
