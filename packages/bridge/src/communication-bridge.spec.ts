import { isProtocolCommunicationBridge, type ContextValue, type ProtocolBridgeResult } from '@onex/spi-types';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeCircuitBreaker } from '../test/support/fake-circuit-breaker.js';
import { MemoryAdapter } from './adapters/memory-adapter.js';
import { CommunicationBridge } from './communication-bridge.js';
import { BridgeFormatError } from './errors/bridge-errors.js';

function setup(options: ConstructorParameters<typeof CommunicationBridge>[0] = {}) {
  const memory = new MemoryAdapter();
  const bridge = new CommunicationBridge({ adapters: [memory], ...options });
  return { memory, bridge };
}

describe(CommunicationBridge, () => {
  let bridge: CommunicationBridge;
  afterEach(async () => {
    await bridge?.close();
  });

  it('satisfies the ProtocolCommunicationBridge guard', () => {
    ({ bridge } = setup());
    expect(isProtocolCommunicationBridge(bridge)).toBe(true);
  });

  it('delivers a message to the default target and reports it in status and metrics', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('b1', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'out' });
    const result = await bridge.sendMessageThroughBridge(id, {
      payload: { event: 'user_login', user_id: '12345' },
      headers: { source: 'web-app' },
      metadata: { timestamp: '2024-01-19T10:00:00Z' },
    });
    expect(result).toEqual({ success: true, messageId: 'out/0', target: 'out', attempts: 1 });
    const [record] = s.memory.records('out');
    expect(JSON.parse(record!.body as string)).toEqual({ event: 'user_login', user_id: '12345' });
    expect(record!.headers).toEqual({ source: 'web-app' });
    expect(record!.contentType).toBe('application/json');
    const status = await bridge.getBridgeStatus(id);
    expect(status).toMatchObject({ bridgeId: id, name: 'b1', state: 'running', messagesProcessed: 1, messagesFailed: 0, inFlight: 0 });
    const metrics = await bridge.getBridgeMetrics(id);
    expect(metrics).toMatchObject({ messagesIn: 1, messagesOut: 1, perRoute: { default: 1 }, retries: 0, dlqCount: 0 });
    expect(metrics.latency.count).toBe(1);
    expect(metrics.throughputPerSecond).toBeGreaterThan(0);
  });

  it('reads messages published to its memory source channel', async () => {
    const s = setup();
    bridge = s.bridge;
    await bridge.createBridge('reader', 'memory', 'memory', { sourceEndpoint: 'memory:in', targetEndpoint: 'out' });
    const [result] = await s.memory.publish('in', { payload: { n: 1 } });
    expect(result!.success).toBe(true);
    expect(s.memory.records('out')).toHaveLength(1);
  });

  it('keeps the last maxRetained records of a memory channel, oldest first, and clears them', async () => {
    const memory = new MemoryAdapter({ maxRetained: 3 });
    bridge = new CommunicationBridge({ adapters: [memory] });
    const id = await bridge.createBridge('ring', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'out' });
    for (let i = 0; i < 7; i += 1) await bridge.sendMessageThroughBridge(id, { payload: { i } });
    const kept = memory.records('out');
    expect(kept.map((r) => [r.sequence, (r.payload as { i: number }).i])).toEqual([
      [4, 4],
      [5, 5],
      [6, 6],
    ]);
    // A snapshot: later deliveries do not change an array already handed out.
    await bridge.sendMessageThroughBridge(id, { payload: { i: 7 } });
    expect(kept).toHaveLength(3);
    expect(memory.records('out').map((r) => r.sequence)).toEqual([5, 6, 7]);
    memory.clear('out');
    expect(memory.records('out')).toEqual([]);
    const after = await bridge.sendMessageThroughBridge(id, { payload: { i: 8 } });
    expect(after.messageId).toBe('out/8');
    expect(memory.records('out').map((r) => r.sequence)).toEqual([8]);
  });

  it('routes by the first matching rule, as in the seed example', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('routes', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'events' });
    await bridge.configureBridgeRouting(id, [
      { condition: "payload.event == 'user_login'", targetEndpoint: 'user-events', name: 'logins' },
      { condition: "payload.event == 'order_created'", targetEndpoint: 'order-events' },
      { condition: "payload.event.startsWith('user')", targetEndpoint: 'all-users' },
    ]);
    expect((await bridge.sendMessageThroughBridge(id, { payload: { event: 'user_login' } })).target).toBe('user-events');
    expect((await bridge.sendMessageThroughBridge(id, { payload: { event: 'order_created' } })).target).toBe('order-events');
    expect((await bridge.sendMessageThroughBridge(id, { payload: { event: 'other' } })).target).toBe('events');
    const metrics = await bridge.getBridgeMetrics(id);
    expect(metrics.perRoute).toEqual({ logins: 1, "payload.event == 'order_created'": 1, default: 1 });
    expect(metrics.unmatched).toBe(1);
  });

  it('gives every matching rule a copy in fan-out mode', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('fan', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'd', routingMode: 'fan_out' });
    await bridge.configureBridgeRouting(id, [
      { condition: 'payload.amount > 100', targetEndpoint: 'big' },
      { condition: "headers.region == 'eu'", targetEndpoint: 'eu' },
    ]);
    const result = await bridge.sendMessageThroughBridge(id, { payload: { amount: 500 }, headers: { region: 'eu' } });
    expect(result.success).toBe(true);
    expect(result.deliveries?.map((d) => d.target)).toEqual(['big', 'eu']);
    expect(s.memory.records('big')).toHaveLength(1);
    expect(s.memory.records('eu')).toHaveLength(1);
  });

  it('rejects unmatched messages when configured to, dead-lettering them', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('strict', 'memory', 'memory', { sourceEndpoint: 'in', unmatched: 'reject', dlqTarget: 'memory:dlq' });
    await bridge.configureBridgeRouting(id, [{ condition: 'payload.ok == true', targetEndpoint: 'good' }]);
    const result = await bridge.sendMessageThroughBridge(id, { payload: { ok: false } });
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 0, error: { code: 'BRIDGE_NO_ROUTE' } });
    expect(s.memory.records('dlq')[0]!.headers['x-onex-error-code']).toBe('BRIDGE_NO_ROUTE');
  });

  it('dead-letters a message whose rule cannot be evaluated instead of taking the default route', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('errs', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'fallback', dlqTarget: 'memory:dlq' });
    await bridge.configureBridgeRouting(id, [
      { name: 'deep', condition: 'payload.missing.deep == 1', targetEndpoint: 'never' },
      { condition: 'true', targetEndpoint: 'later' },
    ]);
    const result = await bridge.sendMessageThroughBridge(id, { payload: { other: 1 } });
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 0, error: { code: 'BRIDGE_RULE_EVALUATION' } });
    expect(result.error!.message).toContain("routing rule 'deep' of bridge 'errs' could not be evaluated");
    expect(result.error!.message).toContain('missing');
    expect(s.memory.records('fallback')).toEqual([]);
    expect(s.memory.records('later')).toEqual([]);
    expect(s.memory.records('dlq')[0]!.headers['x-onex-error-code']).toBe('BRIDGE_RULE_EVALUATION');
    expect(await bridge.getBridgeMetrics(id)).toMatchObject({ ruleEvaluationErrors: 1, unmatched: 0, dlqCount: 1 });
    const fan = await bridge.createBridge('errs-fan', 'memory', 'memory', { sourceEndpoint: 'in2', targetEndpoint: 'fallback', routingMode: 'fan_out' });
    await bridge.configureBridgeRouting(fan, [
      { condition: 'true', targetEndpoint: 'always' },
      { name: 'number', condition: 'payload.other', targetEndpoint: 'never' },
    ]);
    expect(await bridge.sendMessageThroughBridge(fan, { payload: { other: 1 } })).toMatchObject({
      success: false,
      error: { code: 'BRIDGE_RULE_EVALUATION', message: "routing rule 'number' of bridge 'errs-fan' could not be evaluated: condition returned number, not bool" },
    });
    expect(s.memory.records('always')).toEqual([]);
    expect(await bridge.getBridgeStatus(fan)).toMatchObject({ messagesFailed: 1, lastError: { code: 'BRIDGE_RULE_EVALUATION' } });
  });

  it.each([
    ['an object', '{}'],
    ['a string', '"x"'],
    ['null', 'null'],
  ])('routes, maps keys and maps headers of a payload whose constructor key is %s', async (_what, value) => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('ctor', 'memory', 'memory', {
      sourceEndpoint: 'in',
      targetEndpoint: 'default',
      keyMapping: 'payload.user',
      headerMapping: { 'x-event': 'payload.event', 'x-region': 'headers.region' },
    });
    await bridge.configureBridgeRouting(id, [{ condition: "payload.event == 'fraud'", targetEndpoint: 'fraud' }]);
    const text = `{"event":"fraud","user":"u1","constructor":${value}}`;
    const headers = JSON.parse('{"region":"eu","constructor":"x","__proto__":"p"}') as Record<string, string>;
    for (const payload of [JSON.parse(text) as ContextValue, new TextEncoder().encode(text)]) {
      const result = await bridge.sendMessageThroughBridge(id, { payload, headers });
      expect(result).toMatchObject({ success: true, target: 'fraud' });
    }
    for (const record of s.memory.records('fraud')) {
      expect(record.key).toBe('u1');
      expect(record.headers).toMatchObject({ 'x-event': 'fraud', 'x-region': 'eu' });
    }
    expect(s.memory.records('fraud')).toHaveLength(2);
    expect(await bridge.getBridgeMetrics(id)).toMatchObject({ ruleEvaluationErrors: 0 });
  });

  it('routes on payload.event the same whatever adversarial keys the payload also has (property)', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('prop', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'default', dlqTarget: 'memory:dlq' });
    await bridge.configureBridgeRouting(id, [
      { name: 'fraud', condition: "payload.event == 'fraud'", targetEndpoint: 'fraud' },
      { name: 'login', condition: "payload.event == 'login'", targetEndpoint: 'login' },
    ]);
    const adversarial = fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__', 'size', 'length');
    const key = fc.oneof(adversarial, fc.string({ maxLength: 8 }));
    // Values may themselves be objects with adversarial keys.
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }));
    const extra = fc.array(fc.tuple(key, value), { maxLength: 6 });
    const event = fc.constantFrom('fraud', 'login', 'other');
    const json = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
    await fc.assert(
      fc.asyncProperty(event, extra, fc.boolean(), async (name, entries, asBytes) => {
        const plain = json([['event', name]]);
        const hostile = json([...entries.filter(([k]) => k !== 'event'), ['event', name]]);
        const send = (text: string) =>
          bridge.sendMessageThroughBridge(id, { payload: asBytes ? new TextEncoder().encode(text) : (JSON.parse(text) as ContextValue) });
        const [expected, actual] = [await send(plain), await send(hostile)];
        expect(expected).toMatchObject({ success: true });
        expect(actual).toMatchObject({ success: true, target: expected.target });
      }),
      { numRuns: 300 },
    );
    expect((await bridge.getBridgeMetrics(id)).ruleEvaluationErrors).toBe(0);
  });

  it('refuses a routing rule that tests membership in a payload list inside a comprehension', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('quad', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'd' });
    const error = await bridge
      .configureBridgeRouting(id, [{ condition: 'payload.a.exists(x, x in payload.b)', targetEndpoint: 'hit' }])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BRIDGE_RULE_UNSAFE', details: { where: 'routingRules[0].condition' } });
    expect((error as Error).message).toContain("'in' inside a comprehension");
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`);
    expect(await bridge.sendMessageThroughBridge(id, { payload: { a, b } })).toMatchObject({ success: true, target: 'd' });
  });

  it('keeps the old rules when new rules fail to compile', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('keep', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'd' });
    await bridge.configureBridgeRouting(id, [{ condition: 'payload.a == 1', targetEndpoint: 'a' }]);
    await expect(bridge.configureBridgeRouting(id, [{ condition: 'payload.a ==', targetEndpoint: 'b' }])).rejects.toMatchObject({
      code: 'BRIDGE_RULE_SYNTAX',
      message: expect.stringContaining('line 1, column 13'),
    });
    expect((await bridge.sendMessageThroughBridge(id, { payload: { a: 1 } })).target).toBe('a');
  });

  it('maps the key and headers with expressions', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('map', 'memory', 'memory', {
      sourceEndpoint: 'in',
      targetEndpoint: 'out',
      keyMapping: 'payload.user_id',
      headerMapping: { 'X-Event': 'payload.event', 'x-count': 'payload.n + 1.0' },
    });
    await bridge.sendMessageThroughBridge(id, { payload: { user_id: 'u1', event: 'e', n: 41 } });
    const [record] = s.memory.records('out');
    expect(record!.key).toBe('u1');
    expect(record!.headers).toMatchObject({ 'x-event': 'e', 'x-count': '42' });
  });

  it('keeps a header named __proto__, from the record and from headerMapping', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('proto', 'memory', 'memory', {
      sourceEndpoint: 'in',
      targetEndpoint: 'out',
      dlqTarget: 'memory:dlq',
      headerMapping: JSON.parse('{"__proto__":"payload.p","x-q":"payload.p"}') as Record<string, string>,
    });
    const headers = JSON.parse('{"__proto__":"from-record","x-a":"1"}') as Record<string, string>;
    await bridge.sendMessageThroughBridge(id, { payload: { p: 'mapped' }, headers: JSON.parse('{"x-a":"1"}') as Record<string, string> });
    await bridge.sendMessageThroughBridge(id, { payload: { p: 'mapped' }, headers });
    await bridge.sendMessageThroughBridge(id, { payload: new TextEncoder().encode('not json'), headers });
    const own = (record: { headers: object } | undefined) => Object.getOwnPropertyDescriptor(record!.headers, '__proto__')?.value as unknown;
    const [first, second] = s.memory.records('out');
    expect(own(first)).toBe('mapped');
    expect(own(second)).toBe('mapped');
    expect(first!.headers).toMatchObject({ 'x-a': '1', 'x-q': 'mapped' });
    expect(own(s.memory.records('dlq')[0])).toBe('from-record');
  });

  it('converts text and bytes formats', async () => {
    const s = setup();
    bridge = s.bridge;
    const text = await bridge.createBridge('text', 'memory', 'memory', { sourceEndpoint: 'i1', targetEndpoint: 't', messageFormat: 'text' });
    const bytes = await bridge.createBridge('bytes', 'memory', 'memory', { sourceEndpoint: 'i2', targetEndpoint: 'b', messageFormat: 'bytes' });
    await bridge.sendMessageThroughBridge(text, { payload: new TextEncoder().encode('héllo') });
    await bridge.sendMessageThroughBridge(bytes, { payload: 'abc' });
    expect(s.memory.records('t')[0]!.body).toBe('héllo');
    expect(s.memory.records('b')[0]!.body).toEqual(new Uint8Array([97, 98, 99]));
    const bad = await bridge.sendMessageThroughBridge(text, { payload: { not: 'text' } });
    expect(bad).toMatchObject({ success: false, error: { code: 'BRIDGE_FORMAT' } });
  });

  it('dead-letters a payload that cannot be encoded as a BRIDGE_FORMAT error and keeps delivering', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('deep', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'out', dlqTarget: 'memory:dlq' });
    let deep: ContextValue = {};
    for (let i = 0; i < 20_000; i += 1) deep = { d: deep };
    const tooDeep = await bridge.sendMessageThroughBridge(id, { payload: deep });
    expect(tooDeep).toMatchObject({ success: false, deadLettered: true, attempts: 0, error: { code: 'BRIDGE_FORMAT' } });
    expect(tooDeep.error!.message).toMatch(/^messageFormat 'json' payload cannot be encoded as JSON: /);
    const bigint = await bridge.sendMessageThroughBridge(id, { payload: { n: 1n } as never });
    expect(bigint).toMatchObject({ success: false, deadLettered: true, error: { code: 'BRIDGE_FORMAT', message: expect.stringContaining('BigInt') } });
    const [published] = await s.memory.publish('in', { payload: new TextEncoder().encode(`${'['.repeat(5000)}${']'.repeat(5000)}`) });
    expect(published).toMatchObject({ success: false, deadLettered: true, error: { code: 'BRIDGE_FORMAT' } });
    expect(await bridge.sendMessageThroughBridge(id, { payload: { ok: true } })).toMatchObject({ success: true, target: 'out' });
    expect(s.memory.records('dlq').map((r) => r.headers['x-onex-error-code'])).toEqual(['BRIDGE_FORMAT', 'BRIDGE_FORMAT', 'BRIDGE_FORMAT']);
    expect(await bridge.getBridgeStatus(id)).toMatchObject({ messagesProcessed: 4, messagesDeadLettered: 3, inFlight: 0 });
  });

  it('refuses JSON nested deeper than the maxJsonDepth option', async () => {
    const s = setup({ maxJsonDepth: 2 });
    bridge = s.bridge;
    const id = await bridge.createBridge('shallow', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'out' });
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(await bridge.sendMessageThroughBridge(id, { payload: bytes('{"a":[1,2]}') })).toMatchObject({ success: true });
    expect(await bridge.sendMessageThroughBridge(id, { payload: bytes('{"a":[[1]]}') })).toMatchObject({
      success: false,
      error: { code: 'BRIDGE_FORMAT', message: 'JSON payload is nested deeper than 2 levels (maxJsonDepth)' },
    });
    for (const bad of [0, 1.5, 1001, '5']) {
      expect(() => new CommunicationBridge({ maxJsonDepth: bad as number })).toThrow(
        expect.objectContaining({ code: 'BRIDGE_INVALID_CONFIG', message: `\`maxJsonDepth\` must be an integer from 1 to 1000, got ${JSON.stringify(bad)}` }),
      );
    }
  });

  it.each([
    [{ now: 5 }, '`now` must be a function, got 5'],
    [{ drainTimeoutMs: [1] }, '`drainTimeoutMs` must be a non-negative number, got an array of length 1'],
    [{ maxQueuedMessages: { n: 1 } }, '`maxQueuedMessages` must be a positive integer, got an object'],
  ])('words a bad option %p like every package (option, expectation, shared value renderer)', (options, message) => {
    expect(() => new CommunicationBridge(options as never)).toThrow(expect.objectContaining({ code: 'BRIDGE_INVALID_CONFIG', message }));
  });

  it('does not retry a delivery whose target reports a format error', async () => {
    const s = setup();
    bridge = s.bridge;
    let calls = 0;
    s.memory.subscribe('picky', () => {
      calls += 1;
      throw new BridgeFormatError('target cannot represent this payload');
    });
    const id = await bridge.createBridge('picky', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'picky', dlqTarget: 'memory:dlq', retryPolicy: { maxRetries: 3, initialDelayMs: 1 } });
    const result = await bridge.sendMessageThroughBridge(id, { payload: 1 });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 1, error: { code: 'BRIDGE_DELIVERY_FAILED', message: expect.stringContaining('target cannot represent this payload') } });
    expect((await bridge.getBridgeMetrics(id)).retries).toBe(0);
  });

  it('retries failed deliveries through the breaker, then dead-letters with the error attached', async () => {
    const breaker = new FakeCircuitBreaker({ failureThreshold: 100 });
    const s = setup({ circuitBreaker: breaker });
    bridge = s.bridge;
    let calls = 0;
    s.memory.subscribe('flaky', () => {
      calls += 1;
      throw new Error('target down');
    });
    const id = await bridge.createBridge('retry', 'memory', 'memory', {
      sourceEndpoint: 'in',
      targetEndpoint: 'flaky',
      retryPolicy: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      dlqTarget: 'memory:dead',
    });
    const result = await bridge.sendMessageThroughBridge(id, { payload: { x: 1 }, headers: { trace: 't1' } });
    expect(calls).toBe(3);
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 3, target: 'flaky', messageId: 'dead/0', error: { code: 'BRIDGE_DELIVERY_FAILED' } });
    expect(result.error!.message).toContain('target down');
    const [dead] = s.memory.records('dead');
    expect(dead!.headers).toMatchObject({ trace: 't1', 'x-onex-error-code': 'BRIDGE_DELIVERY_FAILED', 'x-onex-original-target': 'flaky', 'x-onex-attempts': '3' });
    expect((await breaker.getCircuitMetrics('retry')).failureCount).toBe(3);
    expect(await bridge.getBridgeMetrics(id)).toMatchObject({ retries: 2, dlqCount: 1 });
    expect(await bridge.getBridgeStatus(id)).toMatchObject({ state: 'degraded', messagesFailed: 1, messagesDeadLettered: 1, lastError: { code: 'BRIDGE_DELIVERY_FAILED' } });
  });

  it('retries many messages at once without a listener-leak warning', () => {
    // Node reports MaxListenersExceededWarning on the real process object, which Jest's sandbox does
    // not see, so the scenario runs in a child process.
    const root = path.resolve(__dirname, '../../..');
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../test/fixtures/many-retries.ts')], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ delivered: 32, warnings: [] });
  });

  it('succeeds on a retry after a transient failure', async () => {
    const s = setup();
    bridge = s.bridge;
    let calls = 0;
    s.memory.subscribe('t', () => {
      if (++calls < 3) throw new Error('transient');
    });
    const id = await bridge.createBridge('transient', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 't', retryPolicy: { initialDelayMs: 1 } });
    expect(await bridge.sendMessageThroughBridge(id, { payload: 1 })).toEqual({ success: true, messageId: 't/0', target: 't', attempts: 3 });
  });

  it('waits for an open circuit and reports failure without a DLQ', async () => {
    const breaker = new FakeCircuitBreaker({ failureThreshold: 1, timeoutSeconds: 60 });
    const s = setup({ circuitBreaker: breaker });
    bridge = s.bridge;
    s.memory.subscribe('down', () => {
      throw new Error('boom');
    });
    const id = await bridge.createBridge('open', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'down', retryPolicy: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 10 } });
    const result = await bridge.sendMessageThroughBridge(id, { payload: 1 });
    expect(result.success).toBe(false);
    expect(result.deadLettered).toBeUndefined();
    expect((result as ProtocolBridgeResult).error?.message).toContain("circuit 'open' is open");
    const health = await bridge.monitorBridgeHealth(id);
    expect(health).toMatchObject({ verdict: 'unhealthy', breakerState: 'open' });
    expect(health.reasons.join()).toContain("circuit 'open' is open");
  });

  it('preserves per-key order when ordering is on', async () => {
    const s = setup();
    bridge = s.bridge;
    const id = await bridge.createBridge('ordered', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'o', ordering: true, concurrency: 8, keyMapping: 'payload.k' });
    s.memory.subscribe('o', async (record) => {
      // Earlier messages take longer, so without ordering they would finish last.
      await sleep(10 - (record.payload as { i: number }).i);
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => bridge.sendMessageThroughBridge(id, { payload: { k: i % 2 === 0 ? 'even' : 'odd', i } })));
    const seen = s.memory.records('o').map((r) => r.payload as { k: string; i: number });
    expect(seen.filter((p) => p.k === 'even').map((p) => p.i)).toEqual([0, 2, 4, 6, 8]);
    expect(seen.filter((p) => p.k === 'odd').map((p) => p.i)).toEqual([1, 3, 5, 7, 9]);
  });

  it('drains in-flight messages on destroy and refuses new ones', async () => {
    const s = setup();
    bridge = s.bridge;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    s.memory.subscribe('slow', () => gate);
    const id = await bridge.createBridge('busy', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'slow' });
    const inFlight = Array.from({ length: 5 }, (_, i) => bridge.sendMessageThroughBridge(id, { payload: i }));
    await sleep(5);
    expect((await bridge.getBridgeStatus(id)).inFlight).toBe(5);
    const destroyed = bridge.destroyBridge(id);
    await expect(bridge.sendMessageThroughBridge(id, { payload: 'late' })).rejects.toMatchObject({ code: 'BRIDGE_STOPPED' });
    release();
    expect(await destroyed).toBe(true);
    expect((await Promise.all(inFlight)).every((r) => r.success)).toBe(true);
    expect(s.memory.records('slow')).toHaveLength(5);
    await expect(bridge.getBridgeStatus(id)).rejects.toMatchObject({ code: 'BRIDGE_NOT_FOUND' });
  });

  it('aborts retries after the drain timeout and dead-letters what was left', async () => {
    const s = setup({ drainTimeoutMs: 20 });
    bridge = s.bridge;
    s.memory.subscribe('never', () => {
      throw new Error('still down');
    });
    const id = await bridge.createBridge('stuck', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'never', dlqTarget: 'memory:dlq', retryPolicy: { maxRetries: 100, initialDelayMs: 1000, maxDelayMs: 1000 } });
    const pending = bridge.sendMessageThroughBridge(id, { payload: 'x' });
    await sleep(5);
    await bridge.destroyBridge(id);
    expect(await pending).toMatchObject({ success: false, deadLettered: true });
    expect(s.memory.records('dlq')).toHaveLength(1);
  });

  it('sheds load with BRIDGE_OVERLOADED when the queue is full', async () => {
    const s = setup({ maxQueuedMessages: 2 });
    bridge = s.bridge;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    s.memory.subscribe('q', () => gate);
    const id = await bridge.createBridge('full', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'q', concurrency: 1 });
    const first = [bridge.sendMessageThroughBridge(id, { payload: 1 }), bridge.sendMessageThroughBridge(id, { payload: 2 })];
    await expect(bridge.sendMessageThroughBridge(id, { payload: 3 })).rejects.toMatchObject({ code: 'BRIDGE_OVERLOADED', retryAfterMs: 1000 });
    release();
    await Promise.all(first);
  });

  it('lists every bridge and frees a name after destroy', async () => {
    const s = setup();
    bridge = s.bridge;
    const a = await bridge.createBridge('a', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y' });
    await bridge.createBridge('b', 'memory', 'memory', { sourceEndpoint: 'x2', targetEndpoint: 'y' });
    await expect(bridge.createBridge('a', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y' })).rejects.toMatchObject({ code: 'BRIDGE_DUPLICATE_NAME' });
    const all = await bridge.getAllBridges();
    expect(all.map((b) => [b.name, b.sourceProtocol, b.targetProtocol, b.state])).toEqual([
      ['a', 'memory', 'memory', 'running'],
      ['b', 'memory', 'memory', 'running'],
    ]);
    await bridge.destroyBridge(a);
    await bridge.createBridge('a', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y' });
    expect((await bridge.getAllBridges()).length).toBe(2);
  });

  it('reports a healthy bridge with reachable source and target', async () => {
    const breaker = new FakeCircuitBreaker();
    const s = setup({ circuitBreaker: breaker });
    bridge = s.bridge;
    const id = await bridge.createBridge('ok', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y' });
    await bridge.sendMessageThroughBridge(id, { payload: 1 });
    const health = await bridge.monitorBridgeHealth(id);
    expect(health).toMatchObject({ bridgeId: id, verdict: 'healthy', source: { reachable: true }, target: { reachable: true }, breakerState: 'closed', reasons: [] });
  });

  it.each([
    ['an unknown source protocol', 'nope', 'memory', { targetEndpoint: 'y' }, 'BRIDGE_UNKNOWN_PROTOCOL', "no adapter can act as source for protocol 'nope'"],
    ['a bad message format', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y', messageFormat: 'xml' }, 'BRIDGE_INVALID_CONFIG', '`config.messageFormat` must be one of json, text, bytes, got "xml"'],
    ['a negative retry count', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y', retryPolicy: { maxRetries: -1 } }, 'BRIDGE_INVALID_CONFIG', '`config.retryPolicy.maxRetries` must be an integer from 0 to 100, got -1'],
    ['a zero concurrency', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y', concurrency: 0 }, 'BRIDGE_INVALID_CONFIG', '`config.concurrency` must be a positive integer, got 0'],
    ['no default target', 'memory', 'memory', { sourceEndpoint: 'x' }, 'BRIDGE_INVALID_CONFIG', '`config.targetTopic` or `config.targetEndpoint` must be set'],
    ['a bad key mapping', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y', keyMapping: 'payload.' }, 'BRIDGE_RULE_SYNTAX', '`config.keyMapping`'.replace(/`/g, '')],
    ['a missing memory channel', 'memory', 'memory', { targetEndpoint: 'y' }, 'BRIDGE_INVALID_CONFIG', '`sourceEndpoint` must name a memory channel'],
    ['an unknown DLQ protocol', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y', dlqTarget: 'kafka:dead' }, 'BRIDGE_UNKNOWN_PROTOCOL', "no adapter can act as dead-letter for protocol 'kafka'"],
  ])('rejects %s', async (_what, source, target, config, code, message) => {
    ({ bridge } = setup());
    const error = await bridge.createBridge('bad', source, target, config as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(message);
    expect(await bridge.getAllBridges()).toEqual([]);
  });

  it.each([
    [null, '`message` must be an object with a payload, got null'],
    [{}, '`message.payload` is required, got undefined'],
    [{ payload: 1, headers: { a: 1 } }, '`message.headers.a` must be a string, got 1'],
    [{ payload: 1, key: 5 }, '`message.key` must be a string, got 5'],
  ])('rejects the invalid message %j', async (message, text) => {
    ({ bridge } = setup());
    const id = await bridge.createBridge('m', 'memory', 'memory', { sourceEndpoint: 'x', targetEndpoint: 'y' });
    await expect(bridge.sendMessageThroughBridge(id, message as never)).rejects.toMatchObject({ code: 'BRIDGE_INVALID_MESSAGE', message: text });
  });

  it('rejects unknown bridge ids and bad constructor options', async () => {
    ({ bridge } = setup());
    await expect(bridge.destroyBridge('nope')).rejects.toMatchObject({ code: 'BRIDGE_NOT_FOUND', message: "no bridge with id 'nope'" });
    expect(() => new CommunicationBridge({ maxQueuedMessages: -1 })).toThrow('`maxQueuedMessages` must be a positive integer, got -1');
  });
});
