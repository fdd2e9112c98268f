import diagnosticsChannel from 'node:diagnostics_channel';
import v8 from 'node:v8';
import vm from 'node:vm';
import { consumeAtLeast, text, uniqueName } from '../test/helpers.js';
import { startPrivateBroker, type PrivateBroker } from '../test/private-broker.js';
import { KafkaClient, type KafkaMetrics } from './index.js';


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap plus Buffer memory that survives a full collection. */
function retainedBytes(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe(KafkaClient, () => {
  let broker: PrivateBroker;
  beforeAll(async () => {
    broker = await startPrivateBroker({ warmUp: true });
  }, 180_000);
  afterAll(async () => {
    await broker?.stop();
  }, 60_000);

  it('bounds the producer buffer: while the broker is stopped, sends wait maxBlockMs and fail with KAFKA_BUFFER_FULL, memory stays bounded, and every accepted message is delivered', async () => {
    const client = new KafkaClient({ bootstrapServers: broker.brokers, logLevel: 'nothing' });
    try {
      const topic = uniqueName('buffer');
      const clientId = uniqueName('buf');
      await client.createTopic(topic, 1, 1);
      const bufferMemoryBytes = 64 * 1024;
      const maxBlockMs = 500;
      const producerId = await client.createProducer({ bootstrapServers: broker.brokers, clientId, compression: 'none', bufferMemoryBytes, maxBlockMs });
      await client.produceMessage(producerId, topic, null, 'warm-up'); // metadata cached, connection open
      const value = (i: number): Buffer => {
        const bytes = Buffer.alloc(2048, 0x20);
        bytes.write(`m${i} `);
        return bytes;
      };
      const offered = 20_000; // 40 MiB of values against a 64 KiB buffer
      const accepted: number[] = [];
      const codes = new Map<string, number>();
      let firstError: unknown;
      let shortestWait = Infinity;
      let settled = 0;
      const before = retainedBytes();
      let during = 0;
      let metrics: KafkaMetrics | undefined;
      process.kill(broker.pid, 'SIGSTOP');
      try {
        for (let round = 0; round < 10; round++) {
          for (let j = 0; j < offered / 10; j++) {
            const i = round * (offered / 10) + j;
            const started = performance.now();
            client.produceMessage(producerId, topic, null, value(i)).then(
              () => {
                accepted.push(i);
                settled++;
              },
              (error: { code?: string }) => {
                codes.set(String(error.code), (codes.get(String(error.code)) ?? 0) + 1);
                shortestWait = Math.min(shortestWait, performance.now() - started);
                firstError ??= error;
                settled++;
              },
            );
          }
          await sleep(100); // fire and forget: the offered load does not wait for results
        }
        await sleep(maxBlockMs + 500); // every parked call has timed out by now
        during = retainedBytes();
        metrics = await client.getKafkaMetrics(clientId);
      } finally {
        process.kill(broker.pid, 'SIGCONT');
      }
      // Memory held for the stopped broker is the buffer's, not the offered load's 40 MiB.
      expect(during - before).toBeLessThan(8 * 1024 * 1024);
      expect(metrics.bufferLimitBytes).toBe(bufferMemoryBytes);
      expect(metrics.bufferUsedBytes).toBeGreaterThan(0);
      expect(metrics.bufferUsedBytes).toBeLessThanOrEqual(bufferMemoryBytes);
      expect(metrics.bufferFullErrors).toBe(codes.get('KAFKA_BUFFER_FULL'));
      expect(metrics.blockedSends).toBeGreaterThanOrEqual(metrics.bufferFullErrors);
      expect([...codes.keys()]).toEqual(['KAFKA_BUFFER_FULL']);
      const rejected = codes.get('KAFKA_BUFFER_FULL')!;
      expect(rejected).toBeGreaterThan(offered - bufferMemoryBytes / 2048);
      expect(shortestWait).toBeGreaterThanOrEqual(maxBlockMs - 5);
      expect(firstError).toMatchObject({ name: 'KafkaBufferFullError', code: 'KAFKA_BUFFER_FULL' });
      expect((firstError as Error).message).toMatch(/no room in the producer's buffer within `maxBlockMs` \(500 ms\); \d+ of 65536 bytes \(`bufferMemoryBytes`\)/);

      // After the broker resumes, every accepted message is acknowledged and in the log; nothing else is.
      const deadline = Date.now() + 60_000;
      while (settled < offered && Date.now() < deadline) await sleep(100);
      expect(settled).toBe(offered);
      expect(accepted.length).toBe(offered - rejected);
      expect(accepted.length).toBeGreaterThan(0);
      const consumerId = await client.createConsumer({ bootstrapServers: broker.brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
      const log = await consumeAtLeast(client, consumerId, [topic], accepted.length + 1, 30_000);
      expect(log.map((m) => text(m.value)!.trimEnd()).sort()).toEqual(['warm-up', ...accepted.map((i) => `m${i}`)].sort());
      expect((await client.getKafkaMetrics(clientId)).bufferUsedBytes).toBe(0);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('after its kafkajs consumer crashes, hands out none of the buffered messages, and commitOffsets fails instead of resolving true', async () => {
    const client = new KafkaClient({ bootstrapServers: broker.brokers, logLevel: 'info' });
    const errors = diagnosticsChannel.channel('onex:kafka:error');
    const logs = diagnosticsChannel.channel('onex:kafka:log');
    const crashes: unknown[] = [];
    let restarts = 0;
    let killed = false; // a fresh broker can crash the first join too ("coordinator is loading"): count only later crashes
    const onError = (message: unknown): void => {
      if (killed && (message as { code?: string }).code === 'KAFKA_CONSUMER_FAILED') crashes.push(message);
    };
    // kafkajs logs "Starting" when it (re)starts its consumer: after a crash, it then retries to
    // connect for seconds, and its commitOffsets resolves meanwhile without sending anything.
    const onLog = (message: unknown): void => {
      if (crashes.length > 0 && (message as { message?: string }).message === 'Starting') restarts++;
    };
    errors.subscribe(onError);
    logs.subscribe(onLog);
    try {
      const topic = uniqueName('crash');
      const groupId = uniqueName('g');
      const clientId = uniqueName('crash');
      await client.createTopic(topic, 1, 1);
      const producerId = await client.createProducer({ bootstrapServers: broker.brokers });
      await Promise.all(Array.from({ length: 50 }, (_, i) => client.produceMessage(producerId, topic, null, `m${i}`)));
      await client.closeProducer(producerId);
      const consumerId = await client.createConsumer({
        bootstrapServers: broker.brokers,
        clientId,
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        maxPollRecords: 5,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 500,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 3000,
      });
      const first = await consumeAtLeast(client, consumerId, [topic], 5);
      expect(first.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4]);
      await expect(client.commitOffsets(consumerId, [{ topic, partition: 0, offset: 3 }])).resolves.toBe(true);
      killed = true;
      await broker.kill();
      const deadline = Date.now() + 60_000;
      while (restarts === 0 && Date.now() < deadline) await sleep(50);
      expect(crashes.length).toBeGreaterThan(0);
      expect(restarts).toBeGreaterThan(0);
      const commit = await client.commitOffsets(consumerId, [{ topic, partition: 0, offset: 5 }]).catch((e: unknown) => e);
      const afterCrash = await client.consumeMessages(consumerId, [topic], 1000);
      await broker.restart();
      const info = await client.getConsumerGroupInfo(groupId);
      // One comparison, so that a failure shows all three: the member left the group, so its buffer
      // may already be another member's; the commit of 5 was not stored, and the broker has 3.
      expect({
        handedOutAfterCrash: afterCrash.map((m) => m.offset),
        commit: commit === true ? true : { code: (commit as { code?: string }).code, name: (commit as Error).name },
        committedOffset: info.offsets.find((o) => o.partition === 0)?.committedOffset,
      }).toEqual({ handedOutAfterCrash: [], commit: { code: 'KAFKA_COMMIT_FAILED', name: 'KafkaCommitError' }, committedOffset: 3 });
      expect((commit as Error).message).toMatch(/the partition was taken from consumer .* nothing was committed/);
      const metrics = await client.getKafkaMetrics(clientId);
      expect(metrics.partitionsRevoked).toBeGreaterThanOrEqual(1);
      expect(metrics.droppedBufferedMessages).toBeGreaterThanOrEqual(1);
      expect(metrics.commitFailures).toBeGreaterThanOrEqual(1);
      expect(metrics.errorsByCode['KAFKA_COMMIT_FAILED']).toBeGreaterThanOrEqual(1);
    } finally {
      errors.unsubscribe(onError);
      logs.unsubscribe(onLog);
      await client.close();
    }
  }, 150_000);
});
