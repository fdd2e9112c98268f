import { startServer, type TestServer } from '../test/support/test-server.js';
import { startUnresponsiveListener, type UnresponsiveListener } from '../test/support/unresponsive-listener.js';
import { HttpTimeoutError } from './errors/http-errors.js';
import { HttpClient } from './http-client.js';

describe(HttpClient, () => {
  describe('timeouts', () => {
    let server: TestServer;
    let client: HttpClient;

    beforeAll(async () => {
      server = await startServer(async (req, res) => {
        switch (req.url) {
          case '/no-headers':
            return; // never answers
          case '/stalled-body':
            res.writeHead(200, { 'content-length': '100' });
            res.write('partial');
            return; // never finishes
          case '/slow':
            setTimeout(() => res.end('late'), 2000).unref();
            return;
          default:
            res.end('ok');
        }
      });
    });

    afterAll(async () => {
      await server.close();
    });

    beforeEach(() => {
      client = new HttpClient({ baseUrl: server.origin, headersTimeoutSeconds: 0.2, bodyTimeoutSeconds: 0.2 });
    });

    afterEach(async () => {
      await client.close();
    });

    it('fails with HTTP_TIMEOUT_HEADERS when the response headers do not arrive in time', async () => {
      const error = await client.get('/no-headers').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error).toMatchObject({ code: 'HTTP_TIMEOUT_HEADERS', kind: 'headers', cause: expect.objectContaining({ code: 'UND_ERR_HEADERS_TIMEOUT' }) });
      expect((await client.getClientMetrics()).timeouts.headers).toBe(1);
    });

    it('fails with HTTP_TIMEOUT_BODY when the body goes idle', async () => {
      await expect(client.get('/stalled-body')).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_BODY', kind: 'body' });
      expect((await client.getClientMetrics()).timeouts.body).toBe(1);
    });

    it('lets a call override the headers timeout', async () => {
      const relaxed = new HttpClient({ baseUrl: server.origin, headersTimeoutSeconds: 30 });
      try {
        await expect(relaxed.get('/no-headers', { headersTimeoutSeconds: 0.1 })).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_HEADERS' });
      } finally {
        await relaxed.close();
      }
    });

    it('fails with HTTP_TIMEOUT_TOTAL when timeoutSeconds expires, per call or as the client default', async () => {
      await expect(client.get('/slow', { timeoutSeconds: 0.1 })).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_TOTAL', kind: 'total' });
      const bounded = new HttpClient({ baseUrl: server.origin, timeoutSeconds: 0.1 });
      try {
        await expect(bounded.get('/slow')).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_TOTAL' });
        expect((await bounded.getClientMetrics()).timeouts.total).toBe(1);
        expect((await bounded.getClientMetrics()).byOutcome['timeout']).toBe(1);
      } finally {
        await bounded.close();
      }
    });

    it("cancels with HTTP_ABORTED when the caller's signal aborts", async () => {
      const controller = new AbortController();
      const pending = client.get('/slow', { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user gave up')), 50);
      await expect(pending).rejects.toMatchObject({ code: 'HTTP_ABORTED', cause: expect.objectContaining({ message: 'user gave up' }) });
      await expect(client.get('/x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'HTTP_ABORTED' });
      expect((await client.getClientMetrics()).byOutcome['aborted']).toBe(2);
    });
  });

  describe('connect timeout', () => {
    let listener: UnresponsiveListener;

    beforeAll(async () => {
      listener = await startUnresponsiveListener();
    });

    afterAll(async () => {
      await listener.close();
    });

    it('fails with HTTP_TIMEOUT_CONNECT when the TCP handshake does not complete in time', async () => {
      const client = new HttpClient({ connectTimeoutSeconds: 0.3 });
      try {
        const error = await client.get(`http://127.0.0.1:${listener.port}/`).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'HTTP_TIMEOUT_CONNECT', kind: 'connect', details: expect.objectContaining({ timeoutMs: 300 }) });
        const metrics = await client.getClientMetrics();
        expect(metrics.timeouts.connect).toBe(1);
        expect(metrics.pool.totals.connectionErrors).toBeGreaterThanOrEqual(1);
      } finally {
        await client.close();
      }
    });
  });
});
