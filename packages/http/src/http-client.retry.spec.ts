import net from 'node:net';
import { Readable } from 'node:stream';
import { startServer, waitFor, type TestServer } from '../test/support/test-server.js';
import { HttpRetryAfterTooLongError } from './errors/http-errors.js';
import { HttpClient } from './http-client.js';

const policy = { maxRetries: 3, backoffFactor: 1, retryOnStatusCodes: [429, 503], jitter: 'none' as const };

describe(HttpClient, () => {
  let server: TestServer;
  let client: HttpClient | undefined;
  /** Responses the server gives, in order; the last one repeats. */
  let script: { status: number; headers?: Record<string, string> }[];

  beforeEach(async () => {
    script = [{ status: 200 }];
    server = await startServer((_req, res, { index }) => {
      const step = script[Math.min(index, script.length) - 1]!;
      res.writeHead(step.status, step.headers ?? {});
      res.end(`attempt ${index}`);
    });
  });

  afterEach(async () => {
    jest.useRealTimers();
    await client?.close();
    client = undefined;
    await server.close();
  });

  describe('retry with fake timers', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: new Date('2030-01-01T00:00:00Z') });
    });

    /** Asserts that the n-th request arrives exactly after `ms` of fake time, not before. */
    async function expectNextAttemptAfter(n: number, ms: number): Promise<void> {
      if (ms > 0) {
        await jest.advanceTimersByTimeAsync(ms - 1);
        // Give real I/O a chance: nothing may have been sent before the wait is over.
        for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
        expect(server.requests).toHaveLength(n - 1);
        await jest.advanceTimersByTimeAsync(1);
      }
      await waitFor(() => server.requests.length === n);
    }

    it('retries listed status codes with exponential backoff', async () => {
      script = [{ status: 503 }, { status: 503 }, { status: 200 }];
      client = new HttpClient({ retry: policy });
      const pending = client.get(server.url);
      await waitFor(() => server.requests.length === 1);
      await expectNextAttemptAfter(2, 1000);
      await expectNextAttemptAfter(3, 2000);
      const response = await pending;
      expect(response).toMatchObject({ statusCode: 200, attempts: 3 });
      const metrics = await client.getClientMetrics();
      expect(metrics).toMatchObject({ retriesTotal: 2, attemptsTotal: 3, requestsSucceeded: 1 });
    });

    it('waits exactly a Retry-After in delta-seconds, with full jitter configured', async () => {
      script = [{ status: 429, headers: { 'retry-after': '3' } }, { status: 200 }];
      client = new HttpClient({ retry: { ...policy, backoffFactor: 0.01, jitter: 'full' }, random: () => 0 });
      const pending = client.get(server.url);
      await waitFor(() => server.requests.length === 1);
      await expectNextAttemptAfter(2, 3000);
      await expect(pending).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });

    it('waits until a Retry-After HTTP-date', async () => {
      const at = new Date(Date.now() + 5000).toUTCString();
      script = [{ status: 503, headers: { 'retry-after': at } }, { status: 200 }];
      client = new HttpClient({ retry: { ...policy, backoffFactor: 0.01 } });
      const pending = client.get(server.url);
      await waitFor(() => server.requests.length === 1);
      await expectNextAttemptAfter(2, 5000);
      await expect(pending).resolves.toMatchObject({ attempts: 2 });
    });

    it('never retries earlier than a Retry-After above maxDelaySeconds: gives up with HTTP_RETRY_AFTER_TOO_LONG carrying the delay', async () => {
      script = [{ status: 503, headers: { 'retry-after': '3600' } }, { status: 200 }];
      client = new HttpClient({ retry: { ...policy, maxDelaySeconds: 2 } });
      const pending = client.get(server.url).catch((e: unknown) => e);
      await waitFor(() => server.requests.length === 1);
      await jest.advanceTimersByTimeAsync(10_000);
      const error = await pending;
      expect(error).toBeInstanceOf(HttpRetryAfterTooLongError);
      expect(error).toMatchObject({
        code: 'HTTP_RETRY_AFTER_TOO_LONG',
        retryAfterMs: 3_600_000,
        maxRetryAfterMs: 2000,
        statusCode: 503,
        response: expect.objectContaining({ statusCode: 503, attempts: 1 }),
      });
      expect((error as Error).message).toBe(
        `GET ${server.url} answered 503 with Retry-After 3600000 ms, more than the 2000 ms the retry policy waits (maxRetryAfterMs); not retried`,
      );
      expect(server.requests).toHaveLength(1);
      expect(await client.getClientMetrics()).toMatchObject({ retriesTotal: 0, byOutcome: expect.objectContaining({ http_error: 1 }), byStatusClass: expect.objectContaining({ '5xx': 1 }) });
    });

    it('gives up on a 45 s Retry-After with the default limit (maxDelaySeconds, 30 s) instead of retrying after 30 s', async () => {
      script = [{ status: 429, headers: { 'retry-after': '45' } }, { status: 200 }];
      client = new HttpClient({ retry: policy });
      const pending = client.get(server.url).catch((e: unknown) => e);
      await waitFor(() => server.requests.length === 1);
      await jest.advanceTimersByTimeAsync(60_000);
      for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(server.requests).toHaveLength(1);
      await expect(pending).resolves.toMatchObject({ code: 'HTTP_RETRY_AFTER_TOO_LONG', retryAfterMs: 45_000, maxRetryAfterMs: 30_000 });
    });

    it('waits a Retry-After above maxDelaySeconds in full when maxRetryAfterSeconds allows it', async () => {
      script = [{ status: 503, headers: { 'retry-after': '45' } }, { status: 200 }];
      client = new HttpClient({ retry: { ...policy, maxRetryAfterSeconds: 60 } });
      const pending = client.get(server.url);
      await waitFor(() => server.requests.length === 1);
      await expectNextAttemptAfter(2, 45_000);
      await expect(pending).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });

    it('treats an invalid Retry-After as absent and uses the backoff', async () => {
      script = [{ status: 503, headers: { 'retry-after': 'soon' } }, { status: 200 }];
      client = new HttpClient({ retry: policy });
      const pending = client.get(server.url);
      await waitFor(() => server.requests.length === 1);
      await expectNextAttemptAfter(2, 1000);
      await expect(pending).resolves.toMatchObject({ attempts: 2 });
    });

    it('honours Retry-After: 0 by retrying at once instead of backing off', async () => {
      script = [{ status: 503, headers: { 'retry-after': '0' } }, { status: 200 }];
      client = new HttpClient({ retry: { ...policy, backoffFactor: 60 } });
      await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });
  });

  describe('retry eligibility', () => {
    const fast = { maxRetries: 2, backoffFactor: 0.001, retryOnStatusCodes: [503] };

    it('does not retry a POST without an Idempotency-Key', async () => {
      script = [{ status: 503 }, { status: 200 }];
      client = new HttpClient({ retry: fast });
      await expect(client.post(server.url, { json: { a: 1 } })).resolves.toMatchObject({ statusCode: 503, attempts: 1 });
      expect(server.requests).toHaveLength(1);
    });

    it('retries a POST or PATCH that carries an Idempotency-Key', async () => {
      script = [{ status: 503 }, { status: 200 }, { status: 503 }, { status: 200 }];
      client = new HttpClient({ retry: fast });
      await expect(client.post(server.url, { json: { a: 1 }, headers: { 'Idempotency-Key': 'k1' } })).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
      await expect(client.patch(server.url, { data: 'x', headers: { 'idempotency-key': 'k2' } })).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
      expect(server.requests.map((r) => r.body.toString())).toEqual(['{"a":1}', '{"a":1}', 'x', 'x']);
    });

    it('stops after maxRetries and returns the last response', async () => {
      script = [{ status: 503 }];
      client = new HttpClient({ retry: fast });
      await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 503, attempts: 3 });
    });

    it('retries refused connections up to maxRetries, then fails with HTTP_NETWORK', async () => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as net.AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      client = new HttpClient({ retry: fast });
      await expect(client.get(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'HTTP_NETWORK', errorCode: 'ECONNREFUSED' });
      expect((await client.getClientMetrics()).attemptsTotal).toBe(3);
    });

    it('checks the total deadline before sleeping and returns the last response instead of waiting past it', async () => {
      script = [{ status: 503, headers: { 'retry-after': '10' } }, { status: 200 }];
      client = new HttpClient({ retry: fast });
      const started = Date.now();
      await expect(client.get(server.url, { timeoutSeconds: 2 })).resolves.toMatchObject({ statusCode: 503, attempts: 1 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(server.requests).toHaveLength(1);
    });

    it('applies a policy given to configureRetryPolicy and rejects an invalid one, keeping the old', async () => {
      script = [{ status: 503 }, { status: 200 }];
      client = new HttpClient();
      await expect(client.configureRetryPolicy({ ...fast, backoffFactor: -1 })).rejects.toThrow(
        '`policy.backoffFactor` must be a non-negative finite number, got -1',
      );
      await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 503, attempts: 1 });
      await expect(client.configureRetryPolicy(fast)).resolves.toBe(true);
      await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 200, attempts: 1 });
      script = [{ status: 503 }, { status: 200 }];
      server.requests.length = 0;
      await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    });
  });

  describe('stream bodies', () => {
    it('never replays a consumed stream body and says so', async () => {
      script = [{ status: 503 }, { status: 200 }];
      client = new HttpClient({ retry: { maxRetries: 2, backoffFactor: 0.001, retryOnStatusCodes: [503] } });
      const error = await client
        .put(server.url, { data: Readable.from([Buffer.from('once')]) })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HTTP_BODY_NOT_REPLAYABLE', cause: expect.objectContaining({ code: 'HTTP_STATUS', statusCode: 503 }) });
      expect((error as Error).message).toMatch(/stream body cannot be sent again/);
      expect(server.requests).toHaveLength(1);
    });

    it('refuses a stream that was already read before any network I/O', async () => {
      client = new HttpClient();
      const stream = Readable.from([Buffer.from('x')]);
      for await (const _chunk of stream) {
        // drain it
      }
      await expect(client.post(server.url, { data: stream })).rejects.toMatchObject({ code: 'HTTP_BODY_NOT_REPLAYABLE' });
      expect(server.accepted()).toBe(0);
    });
  });
});

describe('connection reset', () => {
  let server: TestServer;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    // The server drops the connection of its first request without answering, then answers normally.
    server = await startServer((_req, res, { index }) => {
      if (index === 1) {
        res.socket?.destroy();
        return;
      }
      res.end(`ok ${index}`);
    });
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.close();
  });

  const resetError = { code: 'HTTP_NETWORK', errorCode: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/) };

  it('does not retry with maxRetries 0: the server sees exactly one request', async () => {
    client = new HttpClient({ retry: { maxRetries: 0, backoffFactor: 0, retryOnStatusCodes: [503] } });
    await expect(client.get(server.url)).rejects.toMatchObject(resetError);
    expect(server.requests).toHaveLength(1);
    expect((await client.getClientMetrics()).retriesTotal).toBe(0);
  });

  it('does not retry without a retry policy', async () => {
    client = new HttpClient();
    await expect(client.get(server.url)).rejects.toMatchObject(resetError);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a reset whose code is not in retryOnErrorCodes', async () => {
    client = new HttpClient({ retry: { maxRetries: 2, backoffFactor: 0, retryOnStatusCodes: [], retryOnErrorCodes: ['ECONNREFUSED'] } });
    await expect(client.get(server.url)).rejects.toMatchObject(resetError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries an idempotent request after a reset as one of its maxRetries', async () => {
    client = new HttpClient({ retry: { maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [] } });
    await expect(client.get(server.url)).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    expect(server.requests).toHaveLength(2);
    expect(await client.getClientMetrics()).toMatchObject({ retriesTotal: 1, attemptsTotal: 2 });
  });

  it('never retries a POST without an Idempotency-Key after a reset: the server may have acted on it', async () => {
    client = new HttpClient({ retry: { maxRetries: 2, backoffFactor: 0, retryOnStatusCodes: [] } });
    await expect(client.post(server.url, { data: 'x' })).rejects.toMatchObject(resetError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST that carries an Idempotency-Key after a reset', async () => {
    client = new HttpClient({ retry: { maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [] } });
    await expect(client.post(server.url, { data: 'x', headers: { 'Idempotency-Key': 'k1' } })).resolves.toMatchObject({ statusCode: 200, attempts: 2 });
    expect(server.requests.map((r) => r.body.toString())).toEqual(['x', 'x']);
  });
});
