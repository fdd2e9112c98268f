import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, jwtVerify } from 'jose';
import { FakeKafkaClient } from '../../test/support/fake-kafka-client.js';
import { FetchHttpClient } from '../../test/support/fetch-http-client.js';
import { rawRequest, startIngressProcess, type IngressProcess } from '../../test/support/ingress-process.js';
import { WsHttpExtended } from '../../test/support/ws-http-extended.js';
import { HttpAdapter } from '../adapters/http-adapter.js';
import { KafkaAdapter } from '../adapters/kafka-adapter.js';
import { MemoryAdapter } from '../adapters/memory-adapter.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { apiKeyAuthenticator, jwtAuthenticator } from './ingress-auth.js';
import { IngressServer, type IngressServerOptions } from './ingress-server.js';

const secret = new TextEncoder().encode('a-test-secret-of-32-bytes-length!');

describe(IngressServer, () => {
  let bridge: CommunicationBridge;
  let ingress: IngressServer;
  let memory: MemoryAdapter;
  let kafka: FakeKafkaClient;
  let base: string;

  async function start(
    options: IngressServerOptions = {},
    bridgeOptions: ConstructorParameters<typeof CommunicationBridge>[0] = {},
  ) {
    ingress = new IngressServer(options);
    memory = new MemoryAdapter();
    kafka = new FakeKafkaClient(2);
    bridge = new CommunicationBridge({
      adapters: [
        memory,
        new HttpAdapter({ ingress }),
        new KafkaAdapter({ client: kafka, connection: { bootstrapServers: ['x:9092'] } }),
      ],
      ...bridgeOptions,
    });
    await bridge.createBridge('http-to-kafka', 'http', 'kafka', {
      sourceEndpoint: 'https://api.example.com/events',
      targetTopic: 'events',
    });
    await bridge.createBridge('http-to-mem', 'http', 'memory', {
      sourceEndpoint: '/mem',
      targetEndpoint: 'sink',
    });
    base = ingress.address().url;
  }

  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
  });

  const post = (
    path: string,
    body: string | Uint8Array,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(`${base}${path}`, { method: 'POST', body, headers });

  it('accepts one message on POST /topics/{topic} and answers with partition and offset', async () => {
    await start();
    const response = await post('/topics/events', JSON.stringify({ event: 'user_login', user_id: '12345' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { offsets: Record<string, unknown>[] };
    expect(body.offsets).toHaveLength(1);
    expect(body.offsets[0]).toMatchObject({
      success: true,
      partition: expect.any(Number),
      offset: 0,
      messageId: expect.stringMatching(/^events\/\d\/0$/),
    });
    expect(kafka.messages('events')).toHaveLength(1);
  });

  it('accepts { records: [...] } on the source endpoint path with keys and Strimzi-style headers', async () => {
    await start();
    const response = await post(
      '/events',
      JSON.stringify({
        records: [
          { key: 'u1', value: { n: 1 }, headers: [{ key: 'trace', value: 't1' }] },
          { key: 'u1', value: { n: 2 } },
        ],
      }),
      { 'content-type': 'application/vnd.kafka.json.v2+json' },
    );
    expect(response.status).toBe(200);
    const { offsets } = (await response.json()) as { offsets: { partition: number; offset: number }[] };
    expect(offsets.map((o) => o.offset).sort()).toEqual([0, 1]);
    expect(offsets[0]!.partition).toBe(offsets[1]!.partition);
    const first = kafka.messages('events').find((m) => m.offset === 0)!;
    expect(new TextDecoder().decode(first.headers['trace'])).toBe('t1');
  });

  it('answers per record with 207 when a record fails', async () => {
    await start();
    memory.subscribe('sink', (r) => {
      if ((r.payload as { bad?: boolean }).bad)
        throw Object.assign(new Error('refused'), { details: { retryable: false } });
    });
    const response = await post(
      '/mem',
      JSON.stringify({ records: [{ value: { ok: 1 } }, { value: { bad: true } }] }),
    );
    expect(response.status).toBe(207);
    const { offsets } = (await response.json()) as { offsets: Record<string, unknown>[] };
    expect(offsets[0]).toMatchObject({ success: true, messageId: 'sink/0' });
    expect(offsets[1]).toMatchObject({
      success: false,
      code: 'BRIDGE_DELIVERY_FAILED',
      message: expect.stringContaining('refused'),
    });
  });

  it.each([
    ['malformed JSON', '/mem', '{"a":', 'application/json', 400, 'BRIDGE_MALFORMED_BODY'],
    ['empty records', '/mem', '{"records":[]}', 'application/json', 400, 'BRIDGE_MALFORMED_BODY'],
    [
      'a record without value',
      '/mem',
      '{"records":[{"key":"k"}]}',
      'application/json',
      400,
      'BRIDGE_MALFORMED_BODY',
    ],
    ['a wrong content type', '/mem', '<a/>', 'application/xml', 415, 'BRIDGE_UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown topic', '/topics/nope', '{}', 'application/json', 404, 'BRIDGE_ROUTE_NOT_FOUND'],
    ['an unknown path', '/elsewhere', '{}', 'application/json', 404, 'BRIDGE_ROUTE_NOT_FOUND'],
  ])('answers %s with its status', async (_what, path, body, type, status, code) => {
    await start();
    const response = await post(path, body, { 'content-type': type });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error_code: status, code });
  });

  it('answers 413 for a body over maxBodyBytes, declared or streamed', async () => {
    await start({ maxBodyBytes: 64 });
    const declared = await post('/mem', JSON.stringify({ a: 'x'.repeat(100) }));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'BRIDGE_PAYLOAD_TOO_LARGE' });
    const chunks = (async function* () {
      yield new TextEncoder().encode('{"a":"');
      yield new TextEncoder().encode('x'.repeat(100));
      yield new TextEncoder().encode('"}');
    })();
    const streamed = await fetch(`${base}/mem`, {
      method: 'POST',
      body: chunks as never,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers 405 with Allow for a GET on a bridge path', async () => {
    await start();
    const response = await fetch(`${base}/mem`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('routes by the normalised path of the raw request target, ignoring the query', async () => {
    await start();
    // fetch would normalise these itself, so they go out exactly as written through node:http.
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${base}${path}`,
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.once('error', reject);
        req.end('{"n":1}');
      });
    expect(await raw('/mem?trace=1')).toBe(200);
    expect(await raw('/x/../mem')).toBe(200);
    expect(await raw('/x/%2e%2e/mem')).toBe(200);
    expect(await raw('/./mem')).toBe(200);
    expect(await raw('/mem/')).toBe(404);
    expect(await raw('/me%6D')).toBe(404);
    expect(memory.records('sink')).toHaveLength(4);
  });

  it('answers 429 with Retry-After when the in-flight limit is reached', async () => {
    await start({ maxInFlight: 1, retryAfterSeconds: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    memory.subscribe('sink', () => gate);
    const first = post('/mem', '{"n":1}');
    await new Promise((r) => setTimeout(r, 50));
    const second = await post('/mem', '{"n":2}');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    release();
    expect((await first).status).toBe(200);
  });

  it('answers 503 with Retry-After when the bridge queue is full', async () => {
    await start({}, { maxQueuedMessages: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    memory.subscribe('sink', () => gate);
    const first = post('/mem', '{"n":1}');
    await new Promise((r) => setTimeout(r, 50));
    const second = await post('/mem', '{"n":2}');
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ code: 'BRIDGE_OVERLOADED' });
    release();
    await first;
  });

  it('answers 401 and 403 through a JWT auth hook backed by authenticateJwt', async () => {
    const verifier = new WsHttpExtended(
      async (token) => (await jwtVerify(token, secret, { algorithms: ['HS256'] })).payload,
    );
    await start({
      authenticate: jwtAuthenticator(verifier, {
        authorize: (claims, req) => (claims['topics'] as string[]).includes(req.topic ?? req.bridgeName),
      }),
    });
    const token = (topics: string[]) =>
      new SignJWT({ topics })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('svc')
        .setExpirationTime('1m')
        .sign(secret);
    const missing = await post('/topics/events', '{}');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const forged = await post('/topics/events', '{}', {
      'content-type': 'application/json',
      authorization: `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-another-secret-xx'))}`,
    });
    expect(forged.status).toBe(401);
    const wrongTopic = await post('/topics/events', '{}', {
      'content-type': 'application/json',
      authorization: `Bearer ${await token(['other'])}`,
    });
    expect(wrongTopic.status).toBe(403);
    expect(await wrongTopic.json()).toMatchObject({ code: 'BRIDGE_FORBIDDEN' });
    const ok = await post('/topics/events', '{}', {
      'content-type': 'application/json',
      authorization: `Bearer ${await token(['events'])}`,
    });
    expect(ok.status).toBe(200);
  });

  it('answers 401 and 403 through an API key hook', async () => {
    await start({ authenticate: apiKeyAuthenticator({ keys: { k1: ['http-to-mem'], admin: '*' } }) });
    expect((await post('/mem', '{}')).status).toBe(401);
    expect(
      (await post('/mem', '{}', { 'content-type': 'application/json', 'x-api-key': 'zzz' })).status,
    ).toBe(401);
    expect(
      (await post('/topics/events', '{}', { 'content-type': 'application/json', 'x-api-key': 'k1' })).status,
    ).toBe(403);
    expect((await post('/mem', '{}', { 'content-type': 'application/json', 'x-api-key': 'k1' })).status).toBe(
      200,
    );
    expect(
      (await post('/topics/events', '{}', { 'content-type': 'application/json', 'x-api-key': 'admin' }))
        .status,
    ).toBe(200);
  });

  it('serves /health, /ready and Prometheus /metrics', async () => {
    await start();
    await post('/mem', '{"n":1}');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    expect(text).toContain('# TYPE onex_bridge_messages_in_total counter');
    expect(text).toContain('onex_bridge_messages_in_total{bridge="http-to-mem"} 1');
    expect(text).toContain('onex_bridge_route_deliveries_total{bridge="http-to-mem",route="default"} 1');
    expect(text).toMatch(/onex_bridge_ingress_requests_total\{code="200"\} \d+/);
  });

  it('answers 503 on /ready and for posts once its bridges stop', async () => {
    await start();
    const [mem] = (await bridge.getAllBridges()).filter((b) => b.name === 'http-to-mem');
    await bridge.destroyBridge(mem!.bridgeId);
    expect((await post('/mem', '{}')).status).toBe(404);
    await bridge.close();
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
  });

  it.each(['/topics/%zz', '/topics/%e0%a4', '/topics/ev%ents', '/me%zzm'])(
    'answers 400 BRIDGE_BAD_REQUEST to the bad percent-encoding in %s',
    async (target) => {
      await start();
      const response = await rawRequest(ingress.address().port, [
        `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      ]);
      expect(response?.status).toBe(400);
      expect(response?.json).toMatchObject({
        error_code: 400,
        code: 'BRIDGE_BAD_REQUEST',
        message: `request target ${JSON.stringify(target)} has invalid percent-encoding`,
      });
    },
  );

  it('answers a request before refusing garbage that follows it on the same connection', async () => {
    await start();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    memory.subscribe('sink', () => gate);
    setTimeout(() => release(), 100);
    const response = await rawRequest(ingress.address().port, [
      'POST /mem HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"n":1}GARBAGE\r\n\r\n',
    ]);
    expect(response?.status).toBe(200);
    expect(response?.json).toMatchObject({ offsets: [{ success: true, messageId: 'sink/0' }] });
    expect(memory.records('sink')).toHaveLength(1);
  });

  it('answers an Expect header it cannot meet with a typed 417, and 100-continue with the usual answer', async () => {
    await start();
    const send = (expectation: string) =>
      rawRequest(ingress.address().port, [
        `POST /mem HTTP/1.1\r\nHost: x\r\nExpect: ${expectation}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      ]);
    const refused = await send('something-else');
    expect(refused?.status).toBe(417);
    expect(refused?.json).toEqual({
      error_code: 417,
      code: 'BRIDGE_BAD_REQUEST',
      message: 'Expect: "something-else" is not supported (only 100-continue)',
    });
    expect((await send('100-continue'))?.status).toBe(200);
    expect(memory.records('sink')).toHaveLength(1);
  });

  it('refuses a text body that is not valid UTF-8 with 400 BRIDGE_FORMAT, and keeps a byte order mark as sent', async () => {
    await start();
    await bridge.createBridge('http-to-text', 'http', 'memory', {
      sourceEndpoint: '/text',
      targetEndpoint: 'text',
      messageFormat: 'text',
    });
    const invalid = Uint8Array.from([0x68, 0x69, 0xff, 0xfe, 0x21]);
    const response = await post('/text', invalid, { 'content-type': 'text/plain' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: 400,
      code: 'BRIDGE_FORMAT',
      message: 'request body is not valid UTF-8',
    });
    const surrogate = Uint8Array.from([0x61, 0xed, 0xa0, 0x80]);
    expect((await post('/text', surrogate, { 'content-type': 'text/plain; charset=utf-8' })).status).toBe(
      400,
    );
    const bom = await post('/text', Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]), {
      'content-type': 'text/plain',
    });
    expect(bom.status).toBe(200);
    expect(memory.records('text').map((r) => r.payload)).toEqual(['\ufeffhé']);
  });

  it('refuses a JSON body that is not valid UTF-8 with 400 BRIDGE_FORMAT instead of altering the string', async () => {
    await start();
    const response = await post(
      '/mem',
      Uint8Array.from([...Buffer.from('{"name":"'), 0xc3, 0x28, ...Buffer.from('"}')]),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'BRIDGE_FORMAT',
      message: 'request body is not valid UTF-8',
    });
    expect(memory.records('sink')).toHaveLength(0);
    expect((await post('/mem', Buffer.from('{"name":"é"}'))).status).toBe(200);
    expect(memory.records('sink').map((r) => r.payload)).toEqual([{ name: 'é' }]);
  });

  it('refuses a charset other than UTF-8 with 415', async () => {
    await start();
    const response = await post('/mem', '{"n":1}', {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'BRIDGE_UNSUPPORTED_MEDIA_TYPE' });
    expect(
      (await post('/mem', '{"n":1}', { 'content-type': 'application/json; charset="UTF-8"' })).status,
    ).toBe(200);
  });

  it('refuses JSON nested deeper than the codec maxJsonDepth with 400 before parsing it', async () => {
    await start();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const response = await post('/mem', deep(100_000));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: 400,
      code: 'BRIDGE_MALFORMED_BODY',
      message: "request body is nested deeper than 256 levels (the bridge's maxJsonDepth)",
    });
    expect((await post('/mem', deep(257))).status).toBe(400);
    const wrapped = await post('/mem', JSON.stringify({ records: [{ value: JSON.parse(deep(257)) }] }));
    expect(wrapped.status).toBe(400);
    expect(memory.records('sink')).toHaveLength(0);
    // The limit is the payload's: 256 levels pass alone and inside { records: [...] }.
    expect((await post('/mem', deep(256))).status).toBe(200);
    expect((await post('/mem', JSON.stringify({ records: [{ value: JSON.parse(deep(256)) }] }))).status).toBe(
      200,
    );
    expect(memory.records('sink')).toHaveLength(2);
  });

  describe('slow clients', () => {
    const port = () => ingress.address().port;
    const head = (length: number) =>
      `POST /mem HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

    it('holds no in-flight slot for clients stalled mid-body and answers them 408 after bodyIdleTimeoutMs', async () => {
      await start({ maxInFlight: 2, bodyIdleTimeoutMs: 300, headersTimeoutMs: 2000, requestTimeoutMs: 5000 });
      const started = Date.now();
      // Two clients send their headers and half a body, then stall.
      const stalled = [
        rawRequest(port(), [head(20), '{"n":'], { timeoutMs: 5000 }),
        rawRequest(port(), [head(20), '{"n":'], { timeoutMs: 5000 }),
      ];
      await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect((await post('/mem', '{"n":1}')).status).toBe(200);
      expect(ingress.inFlight).toBe(0);
      for (const response of await Promise.all(stalled)) {
        expect(response?.status).toBe(408);
        expect(response?.json).toMatchObject({
          error_code: 408,
          code: 'BRIDGE_REQUEST_TIMEOUT',
          message: 'a pause in the request body took longer than 300 ms (bodyIdleTimeoutMs)',
        });
        expect(response?.headers['connection']).toBe('close');
      }
      expect(Date.now() - started).toBeLessThan(4000);
      expect(memory.records('sink')).toHaveLength(1);
    });

    it('answers 408 to a client that stalls in its headers, after headersTimeoutMs', async () => {
      await start({ headersTimeoutMs: 200, requestTimeoutMs: 2000 });
      const started = Date.now();
      const response = await rawRequest(port(), ['POST /mem HTTP/1.1\r\nHost: x\r\n'], { timeoutMs: 5000 });
      expect(response?.status).toBe(408);
      expect(response?.json).toMatchObject({
        code: 'BRIDGE_REQUEST_TIMEOUT',
        message: 'request headers took longer than 200 ms (headersTimeoutMs)',
      });
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('answers 408 to a body that trickles in for longer than requestTimeoutMs, and loses no accepted record', async () => {
      await start({ headersTimeoutMs: 200, requestTimeoutMs: 600, bodyIdleTimeoutMs: 400 });
      const body = '{"n":"' + 'x'.repeat(20) + '"}';
      const chunks = [head(body.length), ...body.match(/.{1,2}/g)!];
      const response = await rawRequest(port(), chunks, { gapMs: 100, timeoutMs: 4000 });
      expect(response?.status).toBe(408);
      expect(response?.json).toMatchObject({ code: 'BRIDGE_REQUEST_TIMEOUT' });
      expect(memory.records('sink')).toHaveLength(0);
      expect((await post('/mem', '{"n":2}')).status).toBe(200);
    });

    it('validates its timeouts', () => {
      expect(() => new IngressServer({ bodyIdleTimeoutMs: 0 })).toThrow(
        '`bodyIdleTimeoutMs` must be a positive integer, got 0',
      );
      expect(() => new IngressServer({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
        '`headersTimeoutMs` (5000) must not be greater than `requestTimeoutMs` (1000)',
      );
    });
  });

  it('validates its options', () => {
    expect(() => new IngressServer({ port: 70000 })).toThrow(
      '`port` must be an integer from 0 to 65535, got 70000',
    );
    expect(() => new IngressServer({ maxBodyBytes: 0 })).toThrow(
      '`maxBodyBytes` must be a positive integer, got 0',
    );
  });
});

// Each test starts its own child (tsx), which can take seconds on a loaded machine: 30 s per test.
describe('IngressServer under hostile requests (in a child process)', () => {
  let ingress: IngressProcess | undefined;
  afterEach(async () => {
    await ingress?.stop();
    ingress = undefined;
  });

  const post = (target: string, body = '{"n":1}', extra = '') =>
    `POST ${target} HTTP/1.1\r\nHost: x\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

  it('answers 400 BRIDGE_BAD_REQUEST to request targets that are not URLs, before auth, and stays up', async () => {
    ingress = await startIngressProcess({ apiKeys: { k1: '*' } });
    for (const target of ['http://[', 'http://a:99999/', 'http://%zz/', 'http://[::1/json']) {
      const response = await rawRequest(ingress.port, [post(target)]);
      expect({ target, status: response?.status, code: response?.json?.['code'] }).toEqual({
        target,
        status: 400,
        code: 'BRIDGE_BAD_REQUEST',
      });
      expect(response?.json?.['message']).toContain('request target');
      expect(ingress.alive()).toBe(true);
    }
    const normal = await rawRequest(ingress.port, [post('/json', '{"n":1}', 'X-Api-Key: k1\r\n')]);
    expect(normal?.status).toBe(200);
    expect((await ingress.records())['events']).toHaveLength(1);
  }, 30_000);

  it('answers requests the HTTP parser refuses with a typed 400 or 431 and stays up', async () => {
    ingress = await startIngressProcess({ maxHeaderBytes: 1024 });
    const cases: [string, number][] = [
      ['GARBAGE\r\n\r\n', 400],
      ['POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}', 400],
      ['POST /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
      [`POST /json HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`, 431],
    ];
    for (const [request, status] of cases) {
      const response = await rawRequest(ingress.port, [request]);
      expect({
        request: request.slice(0, 60),
        status: response?.status,
        code: response?.json?.['code'],
      }).toEqual({ request: request.slice(0, 60), status, code: 'BRIDGE_BAD_REQUEST' });
      expect(ingress.alive()).toBe(true);
    }
    expect((await rawRequest(ingress.port, [post('/json')]))?.status).toBe(200);
  }, 30_000);

  it('answers CONNECT with a typed 405 instead of dropping the connection', async () => {
    ingress = await startIngressProcess();
    for (const target of ['/', 'example.com:443']) {
      const response = await rawRequest(ingress.port, [`CONNECT ${target} HTTP/1.1\r\nHost: x\r\n\r\n`]);
      expect(response?.status).toBe(405);
      expect(response?.headers['allow']).toBe('POST');
      expect(response?.json).toMatchObject({
        error_code: 405,
        code: 'BRIDGE_ROUTE_NOT_FOUND',
        message: `method CONNECT not allowed on ${target}`,
      });
    }
    expect(ingress.alive()).toBe(true);
  }, 30_000);
});

describe(HttpAdapter, () => {
  let server: Server;
  let url: string;
  let received: { headers: IncomingMessage['headers']; body: string }[];
  let statuses: number[];
  let bridge: CommunicationBridge;
  let memory: MemoryAdapter;

  beforeEach(async () => {
    received = [];
    statuses = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'HEAD') return res.end();
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        const status = statuses.shift() ?? 200;
        res.writeHead(status, status === 200 ? { 'x-message-id': `srv-${received.length}` } : {});
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    memory = new MemoryAdapter();
    bridge = new CommunicationBridge({
      adapters: [memory, new HttpAdapter({ client: new FetchHttpClient() })],
    });
  });
  afterEach(async () => {
    await bridge.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts each message to the webhook with its content type, key and an idempotency key', async () => {
    const id = await bridge.createBridge('to-hook', 'memory', 'http', {
      sourceEndpoint: 'in',
      targetEndpoint: url,
      keyMapping: 'payload.id',
    });
    const result = await bridge.sendMessageThroughBridge(id, {
      payload: { id: 'a1', n: 1 },
      headers: { 'x-trace': 't' },
    });
    expect(result).toEqual({ success: true, messageId: 'srv-1', target: url, attempts: 1 });
    expect(JSON.parse(received[0]!.body)).toEqual({ id: 'a1', n: 1 });
    expect(received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-onex-key': 'a1',
      'x-trace': 't',
      'idempotency-key': expect.any(String),
    });
  });

  it('retries 5xx with the same idempotency key, and sends 4xx straight to the DLQ', async () => {
    const id = await bridge.createBridge('hook-retry', 'memory', 'http', {
      sourceEndpoint: 'in',
      targetEndpoint: url,
      dlqTarget: 'memory:dlq',
      retryPolicy: { maxRetries: 3, initialDelayMs: 1 },
    });
    statuses.push(503, 500);
    const retried = await bridge.sendMessageThroughBridge(id, { payload: { n: 1 } });
    expect(retried).toMatchObject({ success: true, attempts: 3 });
    expect(new Set(received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    statuses.push(400);
    const rejected = await bridge.sendMessageThroughBridge(id, { payload: { n: 2 } });
    expect(rejected).toMatchObject({
      success: false,
      deadLettered: true,
      attempts: 1,
      error: { code: 'BRIDGE_DELIVERY_FAILED', message: expect.stringContaining('answered 400') },
    });
    expect(memory.records('dlq')).toHaveLength(1);
  });

  it('reports the webhook reachable, then unreachable once it is gone', async () => {
    const id = await bridge.createBridge('hook-health', 'memory', 'http', {
      sourceEndpoint: 'in',
      targetEndpoint: url,
    });
    expect((await bridge.monitorBridgeHealth(id)).target.reachable).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    const health = await bridge.monitorBridgeHealth(id);
    expect(health.verdict).toBe('unhealthy');
    expect(health.target.reachable).toBe(false);
    server = createServer().listen(0);
  });

  it('rejects a relative webhook URL and a missing client', async () => {
    await expect(
      bridge.createBridge('rel', 'memory', 'http', { sourceEndpoint: 'in', targetEndpoint: '/hook' }),
    ).rejects.toMatchObject({
      code: 'BRIDGE_INVALID_CONFIG',
      message: '`targetEndpoint` must be an absolute http(s) URL, got "/hook"',
    });
    expect(() => new HttpAdapter({})).toThrow(
      '`client` (for targets) or `ingress` (for sources) must be given, got neither',
    );
  });
});
