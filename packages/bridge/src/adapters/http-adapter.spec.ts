import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKafkaClient } from '../../test/support/fake-kafka-client.js';
import { FetchHttpClient } from '../../test/support/fetch-http-client.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { IngressServer } from '../ingress/ingress-server.js';
import type { BridgeAdapter } from './bridge-adapter.js';
import { HttpAdapter } from './http-adapter.js';
import { KafkaAdapter } from './kafka-adapter.js';
import { MemoryAdapter } from './memory-adapter.js';

describe(HttpAdapter, () => {
  let server: Server;
  let url: string;
  let received: IncomingHttpHeaders[];
  let bridge: CommunicationBridge;
  let memory: MemoryAdapter;

  beforeEach(async () => {
    received = [];
    server = createServer((request, response) => {
      received.push({ ...request.headers, path: request.url });
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    memory = new MemoryAdapter();
  });
  afterEach(async () => {
    await bridge?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  let client: FetchHttpClient;

  function start(headers?: Record<string, string>): Promise<string> {
    client = new FetchHttpClient();
    bridge = new CommunicationBridge({ adapters: [memory, new HttpAdapter({ client, ...(headers ? { headers } : {}) })] });
    return bridge.createBridge('hook', 'memory', 'http', {
      sourceEndpoint: 'in',
      targetEndpoint: url,
      dlqTarget: 'memory:dlq',
      retryPolicy: { maxRetries: 3, initialDelayMs: 1 },
    });
  }

  it('never forwards hop-by-hop or credential headers of a record, and configured headers win', async () => {
    const id = await start({ Authorization: 'Bearer configured', 'X-Tenant': 'acme' });
    const result = await bridge.sendMessageThroughBridge(id, {
      payload: { a: 1 },
      key: 'k1',
      headers: {
        Host: 'evil.example',
        authorization: 'Bearer stolen',
        Cookie: 'sid=1',
        'Proxy-Authorization': 'Basic eA==',
        'proxy-connection': 'keep-alive',
        Connection: 'x-hop',
        'x-hop': 'listed in Connection',
        'Keep-Alive': 'timeout=5',
        'Transfer-Encoding': 'chunked',
        TE: 'trailers',
        Trailer: 'x-t',
        Upgrade: 'websocket',
        'Content-Length': '999',
        'x-api-key': 'client-key',
        'x-tenant': 'other',
        'Content-Type': 'text/evil',
        'Idempotency-Key': 'client-chosen',
        'X-Onex-Key': 'client-key-header',
        'x-trace': 'kept',
      },
    });
    expect(result).toMatchObject({ success: true, attempts: 1 });
    expect(received).toHaveLength(1);
    const headers = received[0]!;
    expect(headers).toMatchObject({
      host: new URL(url).host,
      authorization: 'Bearer configured',
      'x-tenant': 'acme',
      'content-type': 'application/json',
      'x-onex-key': 'k1',
      'x-trace': 'kept',
    });
    expect(headers['idempotency-key']).not.toBe('client-chosen');
    expect(headers['content-length']).toBe('7');
    for (const name of ['cookie', 'proxy-authorization', 'proxy-connection', 'x-hop', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'x-api-key']) {
      expect(headers[name]).toBeUndefined();
    }
  });

  it.each([
    ['a CRLF in a value', { 'x-note': 'a\r\nInjected: 1' }, "record header 'x-note' has a character not allowed in an HTTP header value"],
    ['a NUL in a value', { 'x-note': 'a\u0000b' }, "record header 'x-note' has a character not allowed in an HTTP header value"],
    ['an invalid name', { 'bad name': 'v' }, 'record header name "bad name" is not a valid HTTP header name'],
  ])('dead-letters a record with %s at once, without retrying', async (_what, headers, reason) => {
    const id = await start();
    const result = await bridge.sendMessageThroughBridge(id, { payload: 1, headers });
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 1, error: { code: 'BRIDGE_DELIVERY_FAILED' } });
    expect(result.error!.message).toContain(reason);
    expect(received).toHaveLength(0);
    expect((await bridge.getBridgeMetrics(id)).retries).toBe(0);
    expect(memory.records('dlq')).toHaveLength(1);
  });

  it('dead-letters such a record to a webhook DLQ without the headers HTTP cannot carry, naming them', async () => {
    client = new FetchHttpClient();
    bridge = new CommunicationBridge({ adapters: [memory, new HttpAdapter({ client })] });
    const id = await bridge.createBridge('hook', 'memory', 'http', { sourceEndpoint: 'in', targetEndpoint: url, dlqTarget: url.replace('/hook', '/dlq') });
    const result = await bridge.sendMessageThroughBridge(id, { payload: 1, headers: { 'x-note': 'a\r\nInjected: 1', 'x-ok': 'yes' } });
    expect(result).toMatchObject({ success: false, deadLettered: true, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/dlq', 'x-ok': 'yes', 'x-onex-error-code': 'BRIDGE_DELIVERY_FAILED', 'x-onex-dropped-headers': 'x-note' });
    expect(received[0]!['x-note']).toBeUndefined();
    expect(received[0]!['injected']).toBeUndefined();
  });

  it('hands a record header named __proto__ to the HTTP client', async () => {
    const id = await start();
    const headers = JSON.parse('{"__proto__":"p","x-a":"1"}') as Record<string, string>;
    expect(await bridge.sendMessageThroughBridge(id, { payload: 1, headers })).toMatchObject({ success: true });
    // Node's fetch (behind the test client) leaves a header named __proto__ off the wire, so the
    // check is on what the adapter handed to the ProtocolHttpClient.
    const sent = client.requests[0]!.headers;
    expect(Object.getOwnPropertyNames(sent)).toEqual(expect.arrayContaining(['__proto__', 'x-a']));
    expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toBe('p');
    expect(received[0]).toMatchObject({ 'x-a': '1' });
  });

  it("turns the client's own retries off by default, so the bridge's retryPolicy is the only retry budget", async () => {
    const policies: unknown[] = [];
    const own = new FetchHttpClient();
    own.configureRetryPolicy = async (policy) => (policies.push(policy), true);
    bridge = new CommunicationBridge({ adapters: [memory, new HttpAdapter({ client: own })] });
    await bridge.createBridge('a', 'memory', 'http', { sourceEndpoint: 'in', targetEndpoint: url });
    await bridge.createBridge('b', 'memory', 'http', { sourceEndpoint: 'in2', targetEndpoint: url });
    expect(policies).toEqual([{ maxRetries: 0, backoffFactor: 0, retryOnStatusCodes: [] }]);
    await bridge.close();
    policies.length = 0;
    bridge = new CommunicationBridge({ adapters: [memory, new HttpAdapter({ client: own, retries: 'client' })] });
    await bridge.createBridge('c', 'memory', 'http', { sourceEndpoint: 'in', targetEndpoint: url });
    expect(policies).toEqual([]);
    expect(() => new HttpAdapter({ client: own, retries: 'both' as never })).toThrow("`retries` must be 'bridge' or 'client', got \"both\"");
  });

  it('validates its configured headers', () => {
    const client = new FetchHttpClient();
    expect(() => new HttpAdapter({ client, headers: { 'bad name': 'x' } })).toThrow('`headers` name "bad name" is not a valid HTTP header name');
    expect(() => new HttpAdapter({ client, headers: { 'x-a': 'a\nb' } })).toThrow("`headers.x-a` has a character not allowed in an HTTP header value, got \"a\\nb\"");
    expect(() => new HttpAdapter({ client, headers: { 'x-a': 1 as never } })).toThrow('`headers.x-a` must be a string, got 1');
  });
});

describe('HttpAdapter receipts at the ingress', () => {
  let webhook: Server;
  let ingress: IngressServer;
  let bridge: CommunicationBridge;

  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
    await new Promise((resolve) => webhook.close(resolve));
  });

  it("reports a webhook's x-message-id as the message id, never parsed into a Kafka partition and offset", async () => {
    webhook = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'x-message-id': 'a/1/2' }).end('ok'));
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    ingress = new IngressServer({ port: 0 });
    bridge = new CommunicationBridge({ adapters: [new HttpAdapter({ client: new FetchHttpClient(), ingress })] });
    const id = await bridge.createBridge('relay', 'http', 'http', { sourceEndpoint: '/in', targetEndpoint: hook });
    const response = await fetch(`${ingress.address().url}/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(response.status).toBe(200);
    const { offsets } = (await response.json()) as { offsets: Record<string, unknown>[] };
    expect(offsets).toEqual([{ success: true, attempts: 1, messageId: 'a/1/2', target: hook }]);
    const direct = await bridge.sendMessageThroughBridge(id, { payload: 2 });
    expect(direct).toEqual({ success: true, messageId: 'a/1/2', target: hook, attempts: 1 });
  });
});

describe('Idempotency-Key of webhook deliveries', () => {
  let webhook: Server;
  let hook: string;
  let keys: string[];
  let answer: number;
  let ingress: IngressServer | undefined;
  let bridge: CommunicationBridge;

  beforeEach(async () => {
    keys = [];
    answer = 200;
    webhook = createServer((request, response) => {
      keys.push(String(request.headers['idempotency-key']));
      request.resume();
      request.on('end', () => response.writeHead(answer).end());
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
    ingress = undefined;
    await new Promise((resolve) => webhook.close(resolve));
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${ingress!.address().url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  it("passes on the ingress client's own Idempotency-Key, or each record's id, so the client's retries keep their key", async () => {
    ingress = new IngressServer({ port: 0 });
    bridge = new CommunicationBridge({ adapters: [new HttpAdapter({ client: new FetchHttpClient(), ingress })] });
    await bridge.createBridge('relay', 'http', 'http', { sourceEndpoint: '/in', targetEndpoint: hook });
    expect((await post('/in', { n: 1 }, { 'Idempotency-Key': 'order-7' })).status).toBe(200);
    expect((await post('/in', { n: 1 }, { 'Idempotency-Key': 'order-7' })).status).toBe(200);
    expect((await post('/in', { records: [{ value: 1 }, { value: 2 }] }, { 'Idempotency-Key': 'batch-1' })).status).toBe(200);
    expect((await post('/in', { records: [{ id: 'rec-a', value: 1 }, { value: 2 }] }, { 'Idempotency-Key': 'batch-2' })).status).toBe(200);
    expect((await post('/in', { records: [{ id: 'rec-b', value: 1 }] })).status).toBe(200);
    expect(keys.slice(0, 2)).toEqual(['order-7', 'order-7']);
    expect(keys.slice(2, 4).sort()).toEqual(['batch-1/0', 'batch-1/1']);
    expect(keys.slice(4, 6).sort()).toEqual(['batch-2/1', 'rec-a']);
    expect(keys[6]).toBe('rec-b');
    // Without a key of its own, a message gets a generated one, different each time.
    expect((await post('/in', { n: 2 })).status).toBe(200);
    expect((await post('/in', { n: 2 })).status).toBe(200);
    expect(keys[7]).not.toBe(keys[8]);
  });

  it('refuses an Idempotency-Key or record id that cannot be sent as one, saying what was wrong', async () => {
    ingress = new IngressServer({ port: 0 });
    bridge = new CommunicationBridge({ adapters: [new HttpAdapter({ client: new FetchHttpClient(), ingress })] });
    const id = await bridge.createBridge('relay', 'http', 'http', { sourceEndpoint: '/in', targetEndpoint: hook });
    const long = await post('/in', { n: 1 }, { 'Idempotency-Key': 'x'.repeat(1025) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ code: 'BRIDGE_BAD_REQUEST', message: 'the Idempotency-Key header must be 1 to 1024 visible ASCII characters, got 1025 characters' });
    const badId = await post('/in', { records: [{ id: 7, value: 1 }] });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ code: 'BRIDGE_MALFORMED_BODY', message: '`records[0].id` must be a string, got number' });
    const blank = await post('/in', { records: [{ id: 'a\u00e9', value: 1 }] });
    expect(blank.status).toBe(400);
    expect(await blank.json()).toMatchObject({ code: 'BRIDGE_MALFORMED_BODY', message: '`records[0].id` must be 1 to 1024 visible ASCII characters, got "aé"' });
    await expect(bridge.sendMessageThroughBridge(id, { payload: 1 }, { idempotencyKey: '' })).rejects.toMatchObject({
      code: 'BRIDGE_INVALID_MESSAGE',
      message: '`idempotencyKey` must be 1 to 1024 visible ASCII characters, got ""',
    });
    expect(keys).toEqual([]);
  });

  it('derives the key of a Kafka-sourced message from its consumer group and position, so a redelivery after a restart keeps it', async () => {
    const kafka = new FakeKafkaClient(1);
    await kafka.produceMessage(await kafka.createProducer({ bootstrapServers: ['x:1'] }), 'orders', 'k', '{"n":1}');
    const adapters = (): BridgeAdapter[] => [new KafkaAdapter({ client: kafka, connection: { bootstrapServers: ['x:1'] }, pollTimeoutMs: 20 }), new HttpAdapter({ client: new FetchHttpClient() })];
    // First run: the webhook refuses it (400, no DLQ), so the source halts without committing.
    answer = 400;
    bridge = new CommunicationBridge({ adapters: adapters() });
    const first = await bridge.createBridge('k2h', 'kafka', 'http', { sourceEndpoint: 'orders', targetEndpoint: hook });
    await waitFor(async () => (await bridge.getBridgeMetrics(first)).poison.halted === 1);
    await bridge.close();
    // Second run, a new bridge in the same consumer group: the message comes again, with the same key.
    answer = 200;
    bridge = new CommunicationBridge({ adapters: adapters() });
    await bridge.createBridge('k2h', 'kafka', 'http', { sourceEndpoint: 'orders', targetEndpoint: hook });
    await waitFor(() => keys.length === 2);
    expect(keys).toEqual(['kafka/onex-bridge-k2h/orders/0/0', 'kafka/onex-bridge-k2h/orders/0/0']);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
