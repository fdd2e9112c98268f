import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeKafkaClient } from '../../test/support/fake-kafka-client.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { BRIDGE_CHANNELS } from '../channels.js';
import { KafkaAdapter } from './kafka-adapter.js';
import { MemoryAdapter } from './memory-adapter.js';

const connection = { bootstrapServers: ['127.0.0.1:9092'], clientId: 'bridge-test' };

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe(KafkaAdapter, () => {
  let kafka: FakeKafkaClient;
  let memory: MemoryAdapter;
  let bridge: CommunicationBridge;

  beforeEach(() => {
    kafka = new FakeKafkaClient(3);
    memory = new MemoryAdapter();
    bridge = new CommunicationBridge({ adapters: [memory, new KafkaAdapter({ client: kafka, connection, pollTimeoutMs: 20, errorBackoffMs: 5 })] });
  });
  afterEach(() => bridge.close());

  it('produces to Kafka and answers with topic/partition/offset as the message id', async () => {
    const id = await bridge.createBridge('http-to-kafka', 'memory', 'kafka', { sourceEndpoint: 'in', targetTopic: 'events', keyMapping: 'payload.user_id' });
    const first = await bridge.sendMessageThroughBridge(id, { payload: { event: 'user_login', user_id: '12345' }, headers: { source: 'web-app' } });
    const second = await bridge.sendMessageThroughBridge(id, { payload: { event: 'user_login', user_id: '12345' } });
    expect(first.success).toBe(true);
    const [topic, partition, offset] = first.messageId!.split('/');
    expect(topic).toBe('events');
    expect(second.messageId).toBe(`events/${partition}/${Number(offset) + 1}`);
    expect(first).toMatchObject({ receipt: { messageId: first.messageId, kafka: { topic: 'events', partition: Number(partition), offset: Number(offset) } } });
    const stored = kafka.messages('events')[0]!;
    expect(new TextDecoder().decode(stored.key!)).toBe('12345');
    expect(JSON.parse(new TextDecoder().decode(stored.value!))).toEqual({ event: 'user_login', user_id: '12345' });
    expect(new TextDecoder().decode(stored.headers['source'])).toBe('web-app');
    expect(kafka.producerConfigs[0]).toMatchObject({ bootstrapServers: connection.bootstrapServers });
  });

  it('routes to topics chosen by rules and dead-letters produce failures to a DLQ topic', async () => {
    const id = await bridge.createBridge('k', 'memory', 'kafka', {
      sourceEndpoint: 'in',
      targetTopic: 'events',
      dlqTarget: 'events.dlq',
      retryPolicy: { maxRetries: 1, initialDelayMs: 1 },
    });
    await bridge.configureBridgeRouting(id, [{ condition: "payload.event == 'order_created'", targetTopic: 'order-events' }]);
    expect((await bridge.sendMessageThroughBridge(id, { payload: { event: 'order_created' } })).messageId).toMatch(/^order-events\/\d\/0$/);
    kafka.produceFailures.push(new Error('NOT_LEADER'), new Error('NOT_LEADER'));
    const failed = await bridge.sendMessageThroughBridge(id, { payload: { event: 'x' } });
    expect(failed).toMatchObject({ success: false, deadLettered: true, attempts: 2 });
    const dead = kafka.messages('events.dlq')[0]!;
    expect(new TextDecoder().decode(dead.headers['x-onex-error-message'])).toContain('NOT_LEADER');
  });

  it('consumes source topics, delivers to the target and commits the next offsets', async () => {
    for (let i = 0; i < 6; i += 1) await kafka.produceMessage(await kafka.createProducer(connection), 'orders', `k${i}`, JSON.stringify({ i }));
    const id = await bridge.createBridge('kafka-to-mem', 'kafka', 'memory', { sourceEndpoint: 'orders', targetEndpoint: 'sink' });
    await until(() => memory.records('sink').length === 6);
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-kafka-to-mem')).offsets.length > 0 && (await bridge.monitorBridgeHealth(id)).lag === 0);
    const info = await kafka.getConsumerGroupInfo('onex-bridge-kafka-to-mem');
    for (const o of info.offsets) expect(o.committedOffset).toBe(o.logEndOffset);
    expect(memory.records('sink').map((r) => (r.payload as { i: number }).i).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(kafka.consumerConfigs[0]).toMatchObject({ groupId: 'onex-bridge-kafka-to-mem', enableAutoCommit: false, autoOffsetReset: 'earliest' });
    const health = await bridge.monitorBridgeHealth(id);
    expect(health).toMatchObject({ verdict: 'healthy', lag: 0, source: { reachable: true } });
  });

  it('dead-letters undecodable records and keeps committing past them', async () => {
    const producer = await kafka.createProducer(connection);
    await kafka.produceMessage(producer, 'raw', 'a', 'not json', { partition: 0 });
    await kafka.produceMessage(producer, 'raw', 'a', '{"ok":true}', { partition: 0 });
    await bridge.createBridge('poison', 'kafka', 'memory', { sourceEndpoint: 'raw', targetEndpoint: 'sink', dlqTarget: 'memory:dlq' });
    await until(() => memory.records('sink').length === 1 && memory.records('dlq').length === 1);
    expect(memory.records('dlq')[0]!.headers['x-onex-error-code']).toBe('BRIDGE_FORMAT');
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-poison')).offsets.some((o) => o.partition === 0 && o.committedOffset === 2));
  });

  it('dead-letters a record nested too deep to handle and keeps consuming past it', async () => {
    const producer = await kafka.createProducer(connection);
    await kafka.produceMessage(producer, 'deep', 'a', `${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}`, { partition: 0 });
    await kafka.produceMessage(producer, 'deep', 'a', '{"ok":true}', { partition: 0 });
    const id = await bridge.createBridge('deep', 'kafka', 'memory', { sourceEndpoint: 'deep', targetEndpoint: 'sink', dlqTarget: 'memory:dlq' });
    await until(() => memory.records('sink').length === 1 && memory.records('dlq').length === 1);
    expect(memory.records('dlq')[0]!.headers['x-onex-error-code']).toBe('BRIDGE_FORMAT');
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-deep')).offsets.some((o) => o.partition === 0 && o.committedOffset === 2));
    expect((await bridge.monitorBridgeHealth(id)).reasons.join()).not.toContain('halted');
  });

  it('halts without committing past a message it could neither deliver nor dead-letter', async () => {
    const producer = await kafka.createProducer(connection);
    await kafka.produceMessage(producer, 't', 'a', '{"n":1}', { partition: 0 });
    await kafka.produceMessage(producer, 't', 'a', '{"n":2}', { partition: 0 });
    let calls = 0;
    memory.subscribe('sink', (record) => {
      calls += 1;
      if ((record.payload as { n: number }).n === 2) throw new Error('sink rejects n=2');
    });
    const id = await bridge.createBridge('halting', 'kafka', 'memory', { sourceEndpoint: 't', targetEndpoint: 'sink', retryPolicy: { maxRetries: 1, initialDelayMs: 1 } });
    await until(async () => (await bridge.getBridgeStatus(id)).state === 'degraded' && calls === 3);
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-halting')).offsets.length > 0);
    const info = await kafka.getConsumerGroupInfo('onex-bridge-halting');
    expect(info.offsets.find((o) => o.partition === 0)).toMatchObject({ committedOffset: 1, lag: 1 });
    const health = await bridge.monitorBridgeHealth(id);
    expect(health.verdict).toBe('unhealthy');
    expect(health.reasons.join()).toContain('kafka source halted at t/0/1');
    expect((await bridge.getBridgeMetrics(id)).poison).toEqual({ halted: 1, skipped: 0, parked: 0 });
  });

  async function poisonScenario(name: string, onPoison: unknown, beforeStart?: () => void): Promise<{ id: string; events: unknown[] }> {
    const producer = await kafka.createProducer(connection);
    await kafka.produceMessage(producer, `${name}-in`, 'a', '{"n":1}', { partition: 0, headers: { trace: 't1' } });
    await kafka.produceMessage(producer, `${name}-in`, 'a', '{"n":2}', { partition: 0 });
    await kafka.produceMessage(producer, `${name}-in`, 'a', '{"n":3}', { partition: 0 });
    memory.subscribe('sink', (record) => {
      if ((record.payload as { n: number }).n === 2) throw new Error('sink rejects n=2');
    });
    const events: unknown[] = [];
    const listener = (event: unknown): void => void events.push(event);
    diagnosticsChannel.subscribe(BRIDGE_CHANNELS.poison, listener);
    afterCleanup.push(() => diagnosticsChannel.unsubscribe(BRIDGE_CHANNELS.poison, listener));
    beforeStart?.();
    const id = await bridge.createBridge(name, 'kafka', 'memory', {
      sourceEndpoint: `${name}-in`,
      targetEndpoint: 'sink',
      retryPolicy: { maxRetries: 0 },
      options: { onPoison: onPoison as never },
    });
    return { id, events };
  }

  const afterCleanup: (() => void)[] = [];
  afterEach(() => afterCleanup.splice(0).forEach((f) => f()));

  it("skips a poison message under onPoison 'skip': counted, published, committed past, and the source keeps going", async () => {
    const { id, events } = await poisonScenario('skipper', 'skip');
    await until(() => memory.records('sink').length === 2);
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-skipper')).offsets.some((o) => o.partition === 0 && o.committedOffset === 3));
    expect(memory.records('sink').map((r) => (r.payload as { n: number }).n)).toEqual([1, 3]);
    expect((await bridge.getBridgeMetrics(id)).poison).toEqual({ halted: 0, skipped: 1, parked: 0 });
    expect(events).toEqual([expect.objectContaining({ decision: 'skipped', topic: 'skipper-in', partition: 0, offset: 1, error: expect.objectContaining({ code: 'BRIDGE_DELIVERY_FAILED' }) })]);
    const health = await bridge.monitorBridgeHealth(id);
    expect(health.reasons.join()).not.toContain('halted');
    expect((await bridge.getBridgeStatus(id)).lastError?.message).toContain('skipped poison message skipper-in/0/1');
  });

  it('parks a poison message in parkTopic with its headers and the error, then commits past it', async () => {
    const { id, events } = await poisonScenario('parker', { parkTopic: 'parked' });
    await until(() => memory.records('sink').length === 2 && kafka.messages('parked').length === 1);
    await until(async () => (await kafka.getConsumerGroupInfo('onex-bridge-parker')).offsets.some((o) => o.partition === 0 && o.committedOffset === 3));
    const parked = kafka.messages('parked')[0]!;
    const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
    expect(text(parked.value!)).toBe('{"n":2}');
    expect(text(parked.key!)).toBe('a');
    expect(text(parked.headers['x-onex-error-code'])).toBe('BRIDGE_DELIVERY_FAILED');
    expect(text(parked.headers['x-onex-original-position'])).toBe('parker-in/0/1');
    expect((await bridge.getBridgeMetrics(id)).poison).toEqual({ halted: 0, skipped: 0, parked: 1 });
    expect(events).toEqual([expect.objectContaining({ decision: 'parked', parkTopic: 'parked', offset: 1 })]);
  });

  it('halts when parking a poison message fails, so nothing is lost', async () => {
    const { id } = await poisonScenario('park-fails', { parkTopic: 'parked2' }, () => kafka.produceFailures.push(new Error('park topic unavailable')));
    await until(async () => (await bridge.getBridgeMetrics(id)).poison.halted === 1);
    const health = await bridge.monitorBridgeHealth(id);
    expect(health.verdict).toBe('unhealthy');
    expect(health.reasons.join()).toContain('kafka source halted at park-fails-in/0/1');
    expect(health.reasons.join()).toContain('park topic unavailable');
    const info = await kafka.getConsumerGroupInfo('onex-bridge-park-fails');
    expect(info.offsets.find((o) => o.partition === 0)?.committedOffset).toBe(1);
  });

  it.each([
    ['drop', "`options.onPoison` must be 'halt', 'skip' or { parkTopic: '<topic>' }, got \"drop\""],
    [{ parkTopic: '' }, "`options.onPoison` must be 'halt', 'skip' or { parkTopic: '<topic>' }, got an object"],
  ])('rejects onPoison %j', async (onPoison, message) => {
    await expect(bridge.createBridge('bad-poison', 'kafka', 'memory', { sourceEndpoint: 't', targetEndpoint: 'sink', options: { onPoison: onPoison as never } })).rejects.toMatchObject({
      code: 'BRIDGE_INVALID_CONFIG',
      message,
    });
  });

  it('gives up an in-flight produce when the drain timeout aborts it, with a typed error, and dead-letters the message', async () => {
    let release: (() => void) | undefined;
    let stuck = 0;
    const slow = new FakeKafkaClient(1);
    const produce = slow.produceMessage.bind(slow);
    slow.produceMessage = async (...args: Parameters<FakeKafkaClient['produceMessage']>) => {
      if (args[1] === 'stuck') {
        stuck += 1;
        await new Promise<void>((resolve) => (release = resolve));
      }
      return produce(...args);
    };
    const draining = new CommunicationBridge({ drainTimeoutMs: 50, adapters: [memory, new KafkaAdapter({ client: slow, connection })] });
    const id = await draining.createBridge('abort', 'memory', 'kafka', { sourceEndpoint: 'in', targetTopic: 'stuck', dlqTarget: 'memory:dlq' });
    const sent = draining.sendMessageThroughBridge(id, { payload: { n: 1 } });
    await until(() => stuck === 1);
    const destroyed = await Promise.race([draining.destroyBridge(id).then(() => 'destroyed'), sleep(2000).then(() => 'still draining')]);
    expect(destroyed).toBe('destroyed');
    const result = await sent;
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 1, error: { code: 'BRIDGE_DELIVERY_FAILED' } });
    expect(result.error!.message).toContain("delivery to 'stuck' was abandoned");
    expect(memory.records('dlq')[0]!.headers['x-onex-error-message']).toContain('outcome is unknown');
    // The produce was not cancelled: it may still complete, which is why the outcome is "unknown".
    release!();
    await until(() => slow.messages('stuck').length === 1);
  });

  it('produces nothing for a delivery whose signal already fired, before and after the producer exists', async () => {
    const adapter = new KafkaAdapter({ client: kafka, connection });
    const handle = { bridgeId: 'b', name: 'b', config: { targetTopic: 't' } } as unknown as Parameters<KafkaAdapter['createTarget']>[0];
    const target = adapter.createTarget(handle);
    const message = { body: 'x', payload: 'x', key: null, headers: {}, contentType: 'text/plain', deliveryId: 'k' } as unknown as Parameters<typeof target.deliver>[1];
    await expect(target.deliver('t', message, AbortSignal.abort(new Error('drained')), 1)).rejects.toMatchObject({ code: 'BRIDGE_DELIVERY_ABORTED' });
    await expect(target.deliver('t', message, new AbortController().signal, 1)).resolves.toMatchObject({ messageId: 't/0/0' });
    await expect(target.deliver('t', message, AbortSignal.abort(new Error('drained')), 1)).rejects.toMatchObject({ code: 'BRIDGE_DELIVERY_ABORTED' });
    await sleep(20);
    expect(kafka.messages('t')).toHaveLength(1);
  });

  it('rejects a Kafka source without topics and an invalid client', async () => {
    await expect(bridge.createBridge('x', 'kafka', 'memory', { targetEndpoint: 'y' })).rejects.toMatchObject({
      code: 'BRIDGE_INVALID_CONFIG',
      message: '`sourceEndpoint` must list the topics to read (comma-separated), got undefined',
    });
    expect(() => new KafkaAdapter({ client: {} as never, connection })).toThrow('`client` must implement ProtocolKafkaClient');
    expect(() => new KafkaAdapter({ client: kafka, connection: { bootstrapServers: [] } })).toThrow('`connection.bootstrapServers` must be a non-empty list of host:port, got an array of length 0');
  });
});
