import { kafkaBrokers, uniqueName } from '../test/helpers.js';
import { startPrivateBroker, type PrivateBroker } from '../test/private-broker.js';
import { KafkaClient, isKafkaError } from './index.js';


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe(KafkaClient, () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('refuses a deliveryTimeoutMs that is not a positive integer or is shorter than lingerMs + requestTimeoutMs', async () => {
    const bootstrapServers = kafkaBrokers();
    await expect(client.createProducer({ bootstrapServers, deliveryTimeoutMs: 0 })).rejects.toMatchObject({
      code: 'KAFKA_INVALID_CONFIG',
      message: '`deliveryTimeoutMs` must be a positive integer, got 0',
    });
    await expect(client.createProducer({ bootstrapServers, deliveryTimeoutMs: 1.5 })).rejects.toMatchObject({ code: 'KAFKA_INVALID_CONFIG' });
    await expect(client.createProducer({ bootstrapServers, lingerMs: 5, requestTimeoutMs: 2000, deliveryTimeoutMs: 2004 })).rejects.toMatchObject({
      code: 'KAFKA_INVALID_CONFIG',
      message: '`deliveryTimeoutMs` must be at least `lingerMs` + `requestTimeoutMs` (5 + 2000 = 2005), got 2004',
    });
    await expect(client.createProducer({ bootstrapServers, lingerMs: 5, requestTimeoutMs: 2000, deliveryTimeoutMs: 2005 })).resolves.toMatch(/^producer-/);
  });
});

// A SIGSTOPped broker answers nothing: every produce request times out (a retriable error whose outcome
// is unknown, since the broker reads the requests when it resumes). kafkajs retries one request 5 times
// (about 8 s here with requestTimeoutMs 1000) and gives up.
describe('a producer whose broker stops answering', () => {
  let broker: PrivateBroker;
  let client: KafkaClient;
  const pause = (): boolean => process.kill(broker.pid, 'SIGSTOP');
  const resume = (): boolean => process.kill(broker.pid, 'SIGCONT');
  beforeAll(async () => {
    broker = await startPrivateBroker({ warmUp: true });
  }, 180_000);
  afterAll(async () => {
    await broker?.stop();
  }, 60_000);
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: broker.brokers, logLevel: 'nothing' });
  });
  afterEach(async () => {
    resume();
    await client.close();
  }, 60_000);

  /** A topic with one acknowledged message, and a producer that knows its metadata. */
  const setUp = async (config: object): Promise<{ topic: string; producerId: string }> => {
    const topic = uniqueName('dt');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: broker.brokers, requestTimeoutMs: 1000, ...config });
    await expect(client.produceMessage(producerId, topic, null, 'first')).resolves.toMatchObject({ offset: 0 });
    return { topic, producerId };
  };
  const values = async (topic: string, count: number): Promise<string[]> => {
    const consumerId = await client.createConsumer({ bootstrapServers: broker.brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const seen: string[] = [];
    const deadline = Date.now() + 30_000;
    while (seen.length < count && Date.now() < deadline) {
      for (const m of await client.consumeMessages(consumerId, [topic], 1000)) seen.push(Buffer.from(m.value ?? []).toString('utf8'));
    }
    await client.closeConsumer(consumerId);
    return seen;
  };

  it('keeps resending a message with the same producer id and sequence numbers until the broker answers, and it is written once', async () => {
    const { topic, producerId } = await setUp({ deliveryTimeoutMs: 90_000 });
    pause();
    let settled: string | undefined;
    const send = client.produceMessage(producerId, topic, null, 'kept').then(
      (r) => ((settled = 'acknowledged'), r),
      (e: unknown) => {
        settled = isKafkaError(e) ? e.code : String(e);
        throw e;
      },
    );
    send.catch(() => undefined);
    // Longer than kafkajs's own retries of one request: the message is still being resent.
    await sleep(20_000);
    expect(settled).toBeUndefined();
    resume();
    await expect(send).resolves.toMatchObject({ topic, partition: 0, offset: 1 });
    // The broker read every timed-out request when it resumed and dropped the repeats by their sequence numbers.
    await expect(client.produceMessage(producerId, topic, null, 'next')).resolves.toMatchObject({ offset: 2 });
    expect((await client.getTopicMetadata(topic)).partitions[0]).toMatchObject({ latestOffset: 3 });
    expect(await values(topic, 3)).toEqual(['first', 'kept', 'next']);
    expect((await client.getKafkaMetrics('onex')).unknownOutcomeResends).toBeGreaterThan(0);
  }, 120_000);

  it('rejects a message with KAFKA_DELIVERY_TIMEOUT (outcome unknown) once deliveryTimeoutMs has passed, and the producer works on with a new producer id', async () => {
    const { topic, producerId } = await setUp({ deliveryTimeoutMs: 8_000 });
    pause();
    const started = Date.now();
    const error = await client.produceMessage(producerId, topic, null, 'unknown').then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    resume();
    expect(error).toMatchObject({ name: 'KafkaDeliveryTimeoutError', code: 'KAFKA_DELIVERY_TIMEOUT', details: { topic, partition: 0, deliveryTimeoutMs: 8_000 } });
    expect((error as Error).message).toMatch(
      /^outcome unknown: the message may have been written\. 1 message\(s\) to .+\/0 were not acknowledged within `deliveryTimeoutMs` \(8000 ms\) after \d+ request\(s\) with the same producer id/,
    );
    // At most one kafkajs call (its retries included) after the time limit.
    expect(elapsed).toBeGreaterThanOrEqual(8_000);
    expect(elapsed).toBeLessThan(8_000 + 25_000);
    expect(await client.getKafkaMetrics('onex')).toMatchObject({ errorsByCode: { KAFKA_DELIVERY_TIMEOUT: 1 }, deliveryTimeouts: 1 });
    const after = await client.produceMessage(producerId, topic, null, 'after');
    const stored = await values(topic, after.offset + 1);
    expect(stored[0]).toBe('first');
    expect(stored[after.offset]).toBe('after');
    // The outcome was unknown: the broker read the request when it resumed and wrote it once, or not at all.
    expect(stored.filter((v) => v === 'unknown').length).toBeLessThanOrEqual(1);
  }, 120_000);

  it('rejects messages queued behind a request being resent with KAFKA_DELIVERY_TIMEOUT (never sent, so not written) once their own deliveryTimeoutMs has passed', async () => {
    // One request waits 10 s for its answer, so the request in front is still under way when the
    // messages behind it reach their own deadline (a request failing first would let them be sent).
    const { topic, producerId } = await setUp({ requestTimeoutMs: 10_000, deliveryTimeoutMs: 10_000 });
    pause();
    const settle = (p: Promise<unknown>): Promise<{ error: unknown; at: number }> =>
      p.then(
        () => ({ error: undefined, at: Date.now() }),
        (error: unknown) => ({ error, at: Date.now() }),
      );
    const inFlight = client.produceMessage(producerId, topic, null, 'in-flight');
    inFlight.catch(() => undefined);
    // Its request is under way: the next messages of the partition wait behind it.
    await sleep(1_500);
    const queuedAt = Date.now();
    const queued = await Promise.all(['q1', 'q2', 'q3'].map((v) => settle(client.produceMessage(producerId, topic, null, v))));
    for (const { error, at } of queued) {
      expect(error).toMatchObject({ name: 'KafkaDeliveryTimeoutError', code: 'KAFKA_DELIVERY_TIMEOUT', details: { topic, partition: 0, deliveryTimeoutMs: 10_000, requests: 0 } });
      expect((error as Error).message).toMatch(/^not sent, so not written: [1-3] message\(s\) to .+\/0 waited `deliveryTimeoutMs` \(10000 ms\) behind a request to the same partition whose outcome is not known yet/);
      // Their own deadline, not the request's in front of them (each expires when its own call is 10 s old).
      expect(at - queuedAt).toBeGreaterThanOrEqual(10_000);
      expect(at - queuedAt).toBeLessThanOrEqual(10_000 + 1_500);
    }
    // The request in front is answered when the broker resumes; the expired messages were never written.
    resume();
    await expect(inFlight).resolves.toMatchObject({ offset: 1 });
    const after = await client.produceMessage(producerId, topic, null, 'after');
    expect(await values(topic, after.offset + 1)).toEqual(['first', 'in-flight', 'after']);
    expect(await client.getKafkaMetrics('onex')).toMatchObject({ deliveryTimeouts: 3 });
  }, 120_000);

  it('rejects a message to a topic whose metadata does not arrive with KAFKA_DELIVERY_TIMEOUT (never sent, so not written) once deliveryTimeoutMs has passed', async () => {
    const { producerId } = await setUp({ deliveryTimeoutMs: 5_000 });
    // A second topic the producer has not seen: its first message waits for the topic's metadata.
    const topic = uniqueName('dt-meta');
    await client.createTopic(topic, 1, 1);
    pause();
    const started = Date.now();
    const error = await client.produceMessage(producerId, topic, null, 'waiting').then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ name: 'KafkaDeliveryTimeoutError', code: 'KAFKA_DELIVERY_TIMEOUT', details: { topic, messages: 1, deliveryTimeoutMs: 5_000, requests: 0 } });
    expect((error as Error).message).toMatch(/^not sent, so not written: 1 message\(s\) to ".+" waited `deliveryTimeoutMs` \(5000 ms\) for the topic's metadata/);
    // Its own deadline: the metadata request is asked again until then (before, its first timeout failed the call
    // with KAFKA_TIMEOUT after about 1.5 s, although the message might still have been sent in time).
    expect(elapsed).toBeGreaterThanOrEqual(5_000);
    expect(elapsed).toBeLessThan(5_000 + 1_500);
    resume();
    // The producer works on with the topic, and the expired message was never written.
    await expect(client.produceMessage(producerId, topic, null, 'after')).resolves.toMatchObject({ offset: 0 });
    expect(await values(topic, 1)).toEqual(['after']);
    expect(await client.getKafkaMetrics('onex')).toMatchObject({ deliveryTimeouts: 1 });
  }, 120_000);

  it('with retries set, rejects after those retries with the error of the last request, as the Java client does', async () => {
    const { topic, producerId } = await setUp({ retries: 1 });
    pause();
    await expect(client.produceMessage(producerId, topic, null, 'x')).rejects.toMatchObject({ code: 'KAFKA_TIMEOUT' });
  }, 120_000);
});
