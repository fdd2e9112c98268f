import { isProtocolHttpClient } from '@onex/spi-types';
import { Readable } from 'node:stream';
import { startServer, waitFor, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';
import { HttpResponse } from './http-response.js';

describe(HttpClient, () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    server = await startServer((req, res, { body }) => {
      if (req.url?.startsWith('/status/')) {
        res.statusCode = Number(req.url.slice('/status/'.length));
        res.end(`status ${res.statusCode}`);
        return;
      }
      if (req.url === '/big') {
        res.end('x'.repeat(100));
        return;
      }
      if (req.url === '/not-json') {
        res.setHeader('content-type', 'application/json');
        res.end('{oops');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-multi', ['a', 'b']);
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') }));
    });
    client = new HttpClient({ baseUrl: server.origin, headers: { 'X-Default': 'yes', 'X-Override': 'client' } });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('satisfies the ProtocolHttpClient runtime guard', () => {
    expect(isProtocolHttpClient(client)).toBe(true);
  });

  it('sends each convenience method with its verb', async () => {
    for (const [call, verb] of [
      [() => client.get('/m'), 'GET'],
      [() => client.post('/m'), 'POST'],
      [() => client.put('/m'), 'PUT'],
      [() => client.delete('/m'), 'DELETE'],
      [() => client.patch('/m'), 'PATCH'],
      [() => client.request('options', '/m'), 'OPTIONS'],
    ] as const) {
      const response = await call();
      expect(response.json<{ method: string }>().method).toBe(verb);
    }
    const head = await client.request('HEAD', '/m');
    expect(head.statusCode).toBe(200);
    expect(head.body.byteLength).toBe(0);
  });

  it('appends params to the existing query and repeats array values', async () => {
    const response = await client.get('/search?q=a%20b', { params: { page: 2, tag: ['x', 'y'], on: true } });
    expect(response.json<{ url: string }>().url).toBe('/search?q=a%20b&page=2&tag=x&tag=y&on=true');
    expect(response.url).toBe(`${server.origin}/search?q=a%20b&page=2&tag=x&tag=y&on=true`);
  });

  it('merges headers case-insensitively with the request winning over the client defaults', async () => {
    const response = await client.get('/h', { headers: { 'x-OVERRIDE': 'request', Accept: 'text/plain' } });
    const { headers } = response.json<{ headers: Record<string, string> }>();
    expect(headers['x-default']).toBe('yes');
    expect(headers['x-override']).toBe('request');
    expect(headers['accept']).toBe('text/plain');
  });

  it('sends json with an application/json content type unless the caller sets one', async () => {
    const sent = (await client.post('/j', { json: { name: 'Ada', tags: [1, 2] } })).json<{ headers: Record<string, string>; body: string }>();
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ name: 'Ada', tags: [1, 2] });
    const custom = (await client.put('/j', { json: [1], headers: { 'Content-Type': 'application/vnd.api+json' } })).json<{
      headers: Record<string, string>;
    }>();
    expect(custom.headers['content-type']).toBe('application/vnd.api+json');
  });

  it('encodes data by type: text, bytes, form object and stream', async () => {
    const text = (await client.post('/d', { data: 'héllo' })).json<{ headers: Record<string, string>; body: string }>();
    expect(text).toMatchObject({ body: 'héllo', headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '6' } });

    const bytes = (await client.post('/d', { data: new Uint8Array([104, 105]) })).json<{ headers: Record<string, string>; body: string }>();
    expect(bytes).toMatchObject({ body: 'hi', headers: { 'content-type': 'application/octet-stream' } });

    const form = (await client.post('/d', { data: { a: 'x y', n: 1, list: ['p', 'q'], empty: null } })).json<{
      headers: Record<string, string>;
      body: string;
    }>();
    expect(form).toMatchObject({ body: 'a=x+y&n=1&list=p&list=q&empty=', headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    const stream = (await client.post('/d', { data: Readable.from([Buffer.from('chunk1-'), Buffer.from('chunk2')]) })).json<{
      body: string;
      headers: Record<string, string>;
    }>();
    expect(stream.body).toBe('chunk1-chunk2');
    expect(stream.headers['transfer-encoding']).toBe('chunked');
  });

  it('returns status codes as responses, with lower-case joined headers, text, json, timing and attempts', async () => {
    const response = await client.get('/status/404');
    expect(response).toBeInstanceOf(HttpResponse);
    expect(response.statusCode).toBe(404);
    expect(response.ok).toBe(false);
    expect(response.text()).toBe('status 404');
    expect(response.attempts).toBe(1);
    expect(response.elapsedMs).toBeGreaterThan(0);
    const ok = await client.get('/x');
    expect(ok.ok).toBe(true);
    expect(ok.headers['x-multi']).toBe('a, b');
    expect(ok.headers['content-type']).toBe('application/json');
  });

  it('rejects json() on a body that is not JSON with HTTP_INVALID_JSON', async () => {
    const response = await client.get('/not-json');
    expect(() => response.json()).toThrow(expect.objectContaining({ code: 'HTTP_INVALID_JSON', cause: expect.any(SyntaxError) }));
  });

  it('fails with HTTP_RESPONSE_TOO_LARGE when the body exceeds maxResponseSize', async () => {
    const small = new HttpClient({ baseUrl: server.origin, maxResponseSize: 10 });
    try {
      await expect(small.get('/big')).rejects.toMatchObject({ code: 'HTTP_RESPONSE_TOO_LARGE', details: expect.objectContaining({ maxResponseSize: 10 }) });
      await expect(small.get('/status/200')).resolves.toMatchObject({ statusCode: 200 });
    } finally {
      await small.close();
    }
  });

  it('throws HttpStatusError on 4xx/5xx when throwOnStatus is set, per call or per client', async () => {
    await expect(client.get('/status/503', { throwOnStatus: true })).rejects.toMatchObject({
      code: 'HTTP_STATUS',
      statusCode: 503,
      response: expect.objectContaining({ statusCode: 503 }),
    });
    const strict = new HttpClient({ baseUrl: server.origin, throwOnStatus: true });
    try {
      await expect(strict.get('/status/400')).rejects.toMatchObject({ code: 'HTTP_STATUS', statusCode: 400 });
      await expect(strict.get('/status/204')).resolves.toMatchObject({ statusCode: 204 });
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['a bad URL', () => client.get('http://exa mple.com:99999/'), 'HTTP_INVALID_URL'],
    ['a non-http URL', () => client.get('ftp://example.com/'), 'HTTP_INVALID_URL'],
    ['an unsupported method', () => client.request('CONNECT', '/x'), 'HTTP_INVALID_METHOD'],
    ['a negative timeout', () => client.get('/x', { timeoutSeconds: -1 }), 'HTTP_INVALID_OPTION'],
    ['a header value with CR/LF', () => client.get('/x', { headers: { 'x-evil': 'a\r\nInjected: 1' } }), 'HTTP_INVALID_HEADER'],
    ['a bad header name', () => client.get('/x', { headers: { 'bad name': 'v' } }), 'HTTP_INVALID_HEADER'],
    ['non-serialisable json', () => client.post('/x', { json: { n: 10n } }), 'HTTP_INVALID_BODY'],
    ['json and data together', () => client.post('/x', { json: {}, data: 'x' }), 'HTTP_INVALID_BODY'],
    ['a nested form object', () => client.post('/x', { data: { a: { b: 1 } } }), 'HTTP_INVALID_BODY'],
    ['a bad param value', () => client.get('/x', { params: { a: {} as never } }), 'HTTP_INVALID_OPTION'],
  ])('rejects %s with a typed error before any network I/O', async (_label, call, code) => {
    await expect(call()).rejects.toMatchObject({ code });
    expect(server.requests).toHaveLength(0);
    expect(server.accepted()).toBe(0);
  });

  it('names the option and the bad value in validation messages', async () => {
    await expect(client.get('/x', { timeoutSeconds: -1 })).rejects.toThrow('`timeoutSeconds` must be a positive finite number of seconds, got -1');
    expect(() => new HttpClient({ connections: 0 })).toThrow('`connections` must be a positive integer, got 0');
    expect(() => new HttpClient({ retry: { maxRetries: -1, backoffFactor: 1, retryOnStatusCodes: [] } })).toThrow(
      '`retry.maxRetries` must be a non-negative integer, got -1',
    );
    expect(() => new HttpClient({ proxy: 'not a url' })).toThrow(expect.objectContaining({ code: 'HTTP_INVALID_OPTION' }));
  });

  it('rejects calls after close() with HTTP_CLIENT_CLOSED and closes idempotently', async () => {
    await client.get('/x');
    await client.close();
    await client.close();
    expect(client.closed).toBe(true);
    await expect(client.get('/x')).rejects.toMatchObject({ code: 'HTTP_CLIENT_CLOSED' });
    await waitFor(() => server.sockets.size === 0);
    expect(server.sockets.size).toBe(0);
  });
});
