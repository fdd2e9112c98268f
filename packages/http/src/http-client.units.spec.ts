import { startServer, type TestServer } from '../test/support/test-server.js';
import { startUnresponsiveListener, type UnresponsiveListener } from '../test/support/unresponsive-listener.js';
import { HttpRetryAfterTooLongError, HttpValidationError } from './errors/http-errors.js';
import { HttpClient } from './http-client.js';
import type { HttpClientOptions, HttpRetryPolicy } from './http-client-options.js';

/** Durations are named `…Ms`; the old `…Seconds` names stay accepted as deprecated aliases for one release. */
describe('HttpClient duration options: …Ms names with their deprecated …Seconds aliases', () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  let server: TestServer;
  const clients: HttpClient[] = [];
  const open = (options: HttpClientOptions): HttpClient => {
    const client = new HttpClient(options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/no-headers') return; // never answers
      if (req.url === '/stalled-body') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        return; // never finishes
      }
      if (req.url === '/headers-after-2s') {
        setTimeout(() => res.end('late'), 2000);
        return;
      }
      res.end('ok');
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await server.close();
  });

  describe.each([
    ['headersTimeoutMs', { headersTimeoutMs: 100 }],
    ['headersTimeoutSeconds (deprecated alias)', { headersTimeoutSeconds: 0.1 }],
  ] as const)('%s', (_name, options) => {
    it('fails a call whose headers arrive later with HTTP_TIMEOUT_HEADERS; a longer value lets the same call through', async () => {
      const client = open({ baseUrl: server.origin, ...options });
      await expect(client.get('/headers-after-2s')).rejects.toMatchObject({
        code: 'HTTP_TIMEOUT_HEADERS',
        kind: 'headers',
      });
      const relaxed = open({ baseUrl: server.origin, headersTimeoutMs: 5000 });
      await expect(relaxed.get('/headers-after-2s')).resolves.toMatchObject({ statusCode: 200 });
    });

    it('overrides the client value for one call', async () => {
      const relaxed = open({ baseUrl: server.origin, headersTimeoutMs: 30_000 });
      await expect(relaxed.get('/no-headers', options)).rejects.toMatchObject({
        code: 'HTTP_TIMEOUT_HEADERS',
      });
    });
  });

  describe.each([
    ['bodyTimeoutMs', { bodyTimeoutMs: 100 }],
    ['bodyTimeoutSeconds (deprecated alias)', { bodyTimeoutSeconds: 0.1 }],
  ] as const)('%s', (_name, options) => {
    it('fails a body that goes idle with HTTP_TIMEOUT_BODY, as client default and per call', async () => {
      await expect(open({ baseUrl: server.origin, ...options }).get('/stalled-body')).rejects.toMatchObject({
        code: 'HTTP_TIMEOUT_BODY',
        kind: 'body',
      });
      await expect(open({ baseUrl: server.origin }).get('/stalled-body', options)).rejects.toMatchObject({
        code: 'HTTP_TIMEOUT_BODY',
      });
    });
  });

  describe('connectTimeoutMs', () => {
    let listener: UnresponsiveListener;

    beforeAll(async () => {
      listener = await startUnresponsiveListener();
    });

    afterAll(async () => {
      await listener.close();
    });

    it.each([
      ['connectTimeoutMs', { connectTimeoutMs: 300 }],
      ['connectTimeoutSeconds (deprecated alias)', { connectTimeoutSeconds: 0.3 }],
    ] as const)('%s: a handshake that never completes fails with HTTP_TIMEOUT_CONNECT after 300 ms', async (_name, options) => {
      const error = await open(options)
        .get(`http://127.0.0.1:${listener.port}/`)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'HTTP_TIMEOUT_CONNECT',
        kind: 'connect',
        details: expect.objectContaining({ timeoutMs: 300 }),
      });
    });
  });

  describe('keepAliveTimeoutMs', () => {
    let quiet: TestServer;

    beforeAll(async () => {
      // keepAliveTimeout 0: the server neither sends a `Keep-Alive: timeout` hint nor closes idle sockets itself.
      quiet = await startServer(
        (_req, res) => {
          res.end('ok');
        },
        { keepAliveTimeout: 0 },
      );
    });

    afterAll(async () => {
      await quiet.close();
    });

    const idleSocketClosedWithin = async (client: HttpClient, waitMs: number): Promise<boolean> => {
      await client.get(quiet.url);
      for (let waited = 0; waited < waitMs; waited += 50) {
        if (quiet.sockets.size === 0) return true;
        await sleep(50);
      }
      return quiet.sockets.size === 0;
    };

    it.each([
      ['keepAliveTimeoutMs', { keepAliveTimeoutMs: 100 }],
      ['keepAliveTimeoutSeconds (deprecated alias)', { keepAliveTimeoutSeconds: 0.1 }],
    ] as const)('%s: the client closes an idle socket after that time; with 60 s the socket stays open', async (_name, options) => {
      expect(await idleSocketClosedWithin(open(options), 3000)).toBe(true);
      const control = open({ keepAliveTimeoutMs: 60_000 });
      expect(await idleSocketClosedWithin(control, 1000)).toBe(false);
      await control.close();
    });
  });

  describe('retry policy', () => {
    let flaky: TestServer;
    const base: HttpRetryPolicy = {
      maxRetries: 1,
      backoffFactor: 3600,
      retryOnStatusCodes: [503],
      jitter: 'none',
    };

    beforeEach(async () => {
      // The first request of each test gets a 503 (with a Retry-After when the path asks for one), the second a 200.
      flaky = await startServer((req, res, { index }) => {
        if (index > 1) return void res.end('ok');
        const retryAfter = /retry-after=(\d+)/.exec(req.url ?? '')?.[1];
        res.writeHead(503, retryAfter === undefined ? {} : { 'retry-after': retryAfter }).end();
      });
    });

    afterEach(async () => {
      await flaky.close();
    });

    it.each([
      ['maxDelayMs', { maxDelayMs: 50 }],
      ['maxDelaySeconds (deprecated alias)', { maxDelaySeconds: 0.05 }],
    ] as const)('%s caps a one-hour backoff so the retry lands within a 5 s deadline', async (_name, cap) => {
      await expect(open({ retry: { ...base, ...cap } }).get(flaky.url, { timeoutSeconds: 5 })).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });

    it('control: without the cap the one-hour backoff does not fit the same deadline, so the 503 is not retried', async () => {
      await expect(open({ retry: base }).get(flaky.url, { timeoutSeconds: 5 })).resolves.toMatchObject({
        statusCode: 503,
        attempts: 1,
      });
    });

    it.each([
      ['maxRetryAfterMs', { maxRetryAfterMs: 2000 }],
      ['maxRetryAfterSeconds (deprecated alias)', { maxRetryAfterSeconds: 2 }],
    ] as const)('%s: a longer Retry-After fails with HTTP_RETRY_AFTER_TOO_LONG carrying 2000 ms', async (_name, limit) => {
      const error = await open({ retry: { ...base, maxDelayMs: 50, ...limit } })
        .get(`${flaky.origin}/?retry-after=3`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpRetryAfterTooLongError);
      expect(error).toMatchObject({ retryAfterMs: 3000, maxRetryAfterMs: 2000 });
    });

    it('maxRetryAfterMs defaults to maxDelayMs, and a larger one lets a Retry-After above maxDelayMs be waited', async () => {
      await expect(open({ retry: { ...base, maxDelayMs: 50 } }).get(`${flaky.origin}/?retry-after=1`)).rejects.toMatchObject({
        code: 'HTTP_RETRY_AFTER_TOO_LONG',
        maxRetryAfterMs: 50,
      });
      await flaky.close();
      flaky = await startServer((_req, res, { index }) => {
        if (index > 1) return void res.end('ok');
        res.writeHead(503, { 'retry-after': '1' }).end();
      });
      await expect(open({ retry: { ...base, maxDelayMs: 50, maxRetryAfterMs: 5000 } }).get(flaky.url)).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });
  });

  describe('latencyWindowMs', () => {
    it.each([
      ['latencyWindowMs', { latencyWindowMs: 100 }],
      ['latencyWindowSeconds (deprecated alias)', { latencyWindowSeconds: 0.1 }],
    ] as const)('%s: a sample older than the window leaves the percentiles; with 60 s it stays', async (_name, options) => {
      const client = open({ baseUrl: server.origin, ...options });
      const control = open({ baseUrl: server.origin, latencyWindowMs: 60_000 });
      await client.get('/');
      await control.get('/');
      await sleep(400);
      expect((await client.getClientMetrics()).latency.count).toBe(0);
      expect((await control.getClientMetrics()).latency.count).toBe(1);
    });
  });

  describe('both names of one option together', () => {
    it.each([
      [{ connectTimeoutMs: 100, connectTimeoutSeconds: 0.1 }, 'connectTimeoutMs', 'connectTimeoutSeconds'],
      [{ headersTimeoutMs: 100, headersTimeoutSeconds: 0.1 }, 'headersTimeoutMs', 'headersTimeoutSeconds'],
      [{ bodyTimeoutMs: 100, bodyTimeoutSeconds: 0.1 }, 'bodyTimeoutMs', 'bodyTimeoutSeconds'],
      [{ keepAliveTimeoutMs: 100, keepAliveTimeoutSeconds: 0.1 }, 'keepAliveTimeoutMs', 'keepAliveTimeoutSeconds'],
      [{ latencyWindowMs: 100, latencyWindowSeconds: 0.1 }, 'latencyWindowMs', 'latencyWindowSeconds'],
      [
        {
          retry: {
            maxRetries: 1,
            backoffFactor: 1,
            retryOnStatusCodes: [],
            maxDelayMs: 100,
            maxDelaySeconds: 0.1,
          },
        },
        'retry.maxDelayMs',
        'retry.maxDelaySeconds',
      ],
      [
        {
          retry: {
            maxRetries: 1,
            backoffFactor: 1,
            retryOnStatusCodes: [],
            maxRetryAfterMs: 100,
            maxRetryAfterSeconds: 0.1,
          },
        },
        'retry.maxRetryAfterMs',
        'retry.maxRetryAfterSeconds',
      ],
    ] as const)('%o is refused with HTTP_INVALID_OPTION naming both', (options, msName, secondsName) => {
      let error: unknown;
      try {
        open(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpValidationError);
      expect(error).toMatchObject({
        code: 'HTTP_INVALID_OPTION',
        message: `\`${msName}\` must be given alone, not together with its deprecated alias \`${secondsName}\`, got 100`,
      });
    });

    it('is refused per call too, before any request is sent', async () => {
      const client = open({ baseUrl: server.origin });
      const before = server.requests.length;
      await expect(client.get('/', { headersTimeoutMs: 100, headersTimeoutSeconds: 0.1 })).rejects.toMatchObject({
        code: 'HTTP_INVALID_OPTION',
        message: '`headersTimeoutMs` must be given alone, not together with its deprecated alias `headersTimeoutSeconds`, got 100',
      });
      await expect(client.get('/', { bodyTimeoutMs: 100, bodyTimeoutSeconds: 0.1 })).rejects.toMatchObject({
        code: 'HTTP_INVALID_OPTION',
      });
      expect(server.requests.length).toBe(before);
    });

    it('names the …Ms option and its unit when its value is bad', () => {
      expect(() => open({ headersTimeoutMs: -1 })).toThrow('`headersTimeoutMs` must be a non-negative finite number of milliseconds, got -1');
      expect(() => open({ retry: { maxRetries: 1, backoffFactor: 1, retryOnStatusCodes: [], maxDelayMs: 1e10 } })).toThrow(
        '`retry.maxDelayMs` must be a non-negative finite number of milliseconds at most 2147483647, got 10000000000',
      );
    });
  });
});
