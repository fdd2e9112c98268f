import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchHttpClient } from '../../test/support/fetch-http-client.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { IngressServer } from '../ingress/ingress-server.js';
import { HttpAdapter } from './http-adapter.js';
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
