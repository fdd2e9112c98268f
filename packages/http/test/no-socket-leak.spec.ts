import { HttpClient } from '../src/index.js';
import { startServer, waitFor, type TestServer } from './support/test-server.js';

const TOTAL = 10_000;
const CONCURRENCY = 64;
const CONNECTIONS = 16;

describe(HttpClient, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      const kind = new URL(req.url ?? '/', 'http://x').searchParams.get('fault');
      switch (kind) {
        case '503':
          res.statusCode = 503;
          res.end('busy');
          return;
        case 'reset':
          res.socket?.destroy();
          return;
        case 'stall':
          res.writeHead(200, { 'content-length': '10' });
          res.write('12345');
          return;
        case 'hang':
          return;
        default:
          res.end('ok');
      }
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('returns every pool to idle after 10,000 requests with faults, leaking no socket', async () => {
    const client = new HttpClient({
      connections: CONNECTIONS,
      retry: { maxRetries: 1, backoffFactor: 0.001, retryOnStatusCodes: [503] },
    });
    const outcomes = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const i = next++;
        const fault = i % 100 < 5 ? '503' : i % 100 < 10 ? 'reset' : i % 100 < 12 ? 'stall' : i % 100 < 13 ? 'hang' : 'none';
        const options =
          fault === 'stall'
            ? { signal: AbortSignal.timeout(20) }
            : fault === 'hang'
              ? { timeoutSeconds: 0.05 }
              : {};
        const key = await client.get(`${server.origin}/r`, { ...options, params: { fault, i } }).then(
          (r) => String(r.statusCode),
          (e: { code?: string }) => e.code ?? 'unknown',
        );
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
      expect(outcomes.get('200')).toBe(TOTAL * 0.87);
      expect(outcomes.get('503')).toBe(TOTAL * 0.05);
      expect(outcomes.get('HTTP_NETWORK')).toBe(TOTAL * 0.05);
      expect((outcomes.get('HTTP_ABORTED') ?? 0) + (outcomes.get('HTTP_TIMEOUT_TOTAL') ?? 0)).toBe(TOTAL * 0.03);

      // Let the last responses settle, then poll until the pools report idle.
      let metrics = await client.getClientMetrics();
      for (let i = 0; i < 200; i += 1) {
        const t = metrics.pool.totals;
        if (t.running === 0 && t.pending === 0 && t.size === 0 && t.free === t.connected && server.sockets.size === t.connected) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
        metrics = await client.getClientMetrics();
      }
      const totals = metrics.pool.totals;
      expect(metrics.inFlight).toBe(0);
      expect(metrics.requestsTotal).toBe(TOTAL);
      expect(totals).toMatchObject({ running: 0, pending: 0, queued: 0, size: 0 });
      expect(totals.free).toBe(totals.connected);
      expect(totals.connected).toBeLessThanOrEqual(CONNECTIONS);
      expect(server.sockets.size).toBe(totals.connected);
      // Every socket ever opened is either still pooled or was closed.
      expect(totals.connects - totals.disconnects).toBe(totals.connected);
    } finally {
      await client.close();
    }
    await waitFor(() => server.sockets.size === 0);
    expect(server.sockets.size).toBe(0);
  }, 120_000);
});
