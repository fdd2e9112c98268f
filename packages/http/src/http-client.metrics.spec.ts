import diagnosticsChannel from 'node:diagnostics_channel';
import { FakeCircuitBreaker } from '../test/support/fake-circuit-breaker.js';
import { startServer, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';
import { HTTP_CHANNELS } from './channels.js';

describe(HttpClient, () => {
  describe('metrics and diagnostics', () => {
    let server: TestServer;
    let client: HttpClient;
    let flaky = 0;

    beforeEach(async () => {
      flaky = 0;
      server = await startServer((req, res) => {
        switch (req.url) {
          case '/ok':
            res.end('hello');
            return;
          case '/missing':
            res.statusCode = 404;
            res.end('nope');
            return;
          case '/flaky':
            flaky += 1;
            res.statusCode = flaky % 2 === 1 ? 503 : 200;
            res.end('f');
            return;
          case '/hang':
            return;
          default:
            res.statusCode = 500;
            res.end('err');
        }
      });
      client = new HttpClient({ baseUrl: server.origin, headersTimeoutSeconds: 0.1, retry: { maxRetries: 1, backoffFactor: 0.001, retryOnStatusCodes: [503] } });
    });

    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('counts a mixed workload by outcome, status class, retries, timeouts and bytes', async () => {
      const results = await Promise.allSettled([
        client.get('/ok'),
        client.get('/ok'),
        client.post('/ok', { data: 'abc' }),
        client.get('/missing'),
        client.get('/boom'),
        client.get('/flaky'),
        client.get('/hang'),
        client.get('http://127.0.0.1:1/'),
        client.get('/ok', { signal: AbortSignal.abort() }),
        client.get('ftp://bad.example/'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
      const metrics = await client.getClientMetrics();
      expect(metrics).toMatchObject({
        requestsTotal: 10,
        requestsSucceeded: 4,
        requestsFailed: 6,
        byOutcome: { success: 4, http_error: 2, timeout: 1, network_error: 1, aborted: 1, invalid_request: 1 },
        byStatusClass: { '2xx': 4, '4xx': 1, '5xx': 1 },
        retriesTotal: 2, // the 503 and the refused connection
        timeouts: { connect: 0, headers: 1, body: 0, total: 0 },
        circuitRejections: 0,
        inFlight: 0,
        bytesSent: 3,
      });
      // Bodies: 3 × "hello", "nope", "err", "f" twice.
      expect(metrics.bytesReceived).toBe(5 * 3 + 4 + 3 + 2);
      expect(metrics.attemptsTotal).toBe(10);
      expect(metrics.latency.count).toBe(10);
      expect(metrics.latency.p50Ms).toBeLessThanOrEqual(metrics.latency.p95Ms);
      expect(metrics.latency.p95Ms).toBeLessThanOrEqual(metrics.latency.p99Ms);
      expect(metrics.latency.maxMs).toBeGreaterThanOrEqual(100);
      expect(metrics.pool.origins[server.origin]).toMatchObject({ running: 0, pending: 0 });
      expect(metrics.pool.totals.connects).toBeGreaterThanOrEqual(1);
      expect(metrics.pool.totals.connectionErrors).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
    });

    it('reports latency figures rounded to the microsecond, like every package', async () => {
      for (let i = 0; i < 5; i += 1) await client.get('/ok');
      const { latency } = await client.getClientMetrics();
      expect(latency.count).toBe(5);
      for (const ms of [latency.p50Ms, latency.p95Ms, latency.p99Ms, latency.maxMs]) {
        expect(ms).toBeGreaterThan(0);
        expect(Math.round(ms * 1000) / 1000).toBe(ms);
      }
    });

    it('reports calls in flight', async () => {
      const pending = client.get('/hang', { headersTimeoutSeconds: 5, timeoutSeconds: 0.3 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await client.getClientMetrics()).inFlight).toBe(1);
      await expect(pending).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_TOTAL' });
      expect((await client.getClientMetrics()).inFlight).toBe(0);
    });

    it('publishes onex:http:* diagnostics channel events', async () => {
      const events: [string, Record<string, unknown>][] = [];
      const listeners = Object.values(HTTP_CHANNELS).map((name) => {
        const listener = (message: unknown): void => {
          events.push([name, message as Record<string, unknown>]);
        };
        diagnosticsChannel.subscribe(name, listener);
        return [name, listener] as const;
      });
      try {
        await client.get('/flaky');
        await client.get('/boom', { throwOnStatus: true }).catch(() => undefined);
      } finally {
        for (const [name, listener] of listeners) diagnosticsChannel.unsubscribe(name, listener);
      }
      expect(events.map(([name]) => name)).toEqual([
        'onex:http:request:start',
        'onex:http:request:attempt',
        'onex:http:request:retry',
        'onex:http:request:attempt',
        'onex:http:request:end',
        'onex:http:request:start',
        'onex:http:request:attempt',
        'onex:http:request:error',
      ]);
      expect(events[2]![1]).toMatchObject({ attempt: 1, reason: 'status 503', method: 'GET' });
      expect(events[4]![1]).toMatchObject({ statusCode: 200, attempts: 2, url: `${server.origin}/flaky` });
      expect(events[7]![1]).toMatchObject({ error: expect.objectContaining({ code: 'HTTP_STATUS' }) });
    });

    it('counts circuit rejections', async () => {
      const breaker = new FakeCircuitBreaker(1);
      await breaker.forceCircuitOpen(server.origin);
      await client.configureCircuitBreaker(breaker);
      await expect(client.get('/ok')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
      expect((await client.getClientMetrics()).circuitRejections).toBe(1);
    });
  });
});
