import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxy } from 'proxy';
import { startServer, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';

describe(HttpClient, () => {
  describe('through a real HTTP proxy', () => {
    let target: TestServer;
    let proxy: http.Server;
    let proxyUrl: string;
    const tunnels: string[] = [];
    let proxyAuthorizations: (string | undefined)[] = [];

    beforeAll(async () => {
      target = await startServer((req, res) => {
        res.end(`target saw ${req.method} ${req.url}`);
      });
      proxy = createProxy(http.createServer());
      (proxy as unknown as { authenticate: (req: http.IncomingMessage) => boolean }).authenticate = (req) => {
        proxyAuthorizations.push(req.headers['proxy-authorization']);
        return true;
      };
      proxy.on('connect', (req: http.IncomingMessage) => tunnels.push(req.url ?? ''));
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await target.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    });

    beforeEach(() => {
      tunnels.length = 0;
      proxyAuthorizations = [];
    });

    it('tunnels requests through an explicit proxy URL and reports the target pool', async () => {
      const client = new HttpClient({ proxy: proxyUrl });
      try {
        const response = await client.get(`${target.origin}/via-proxy`, { params: { n: 1 } });
        expect(response.text()).toBe('target saw GET /via-proxy?n=1');
        expect(tunnels).toEqual([target.origin.replace('http://', '')]);
        const metrics = await client.getClientMetrics();
        expect(metrics.pool.origins[target.origin]).toMatchObject({ connected: 1, running: 0 });
      } finally {
        await client.close();
      }
    });

    it('sends the proxy token as Proxy-Authorization', async () => {
      const client = new HttpClient({ proxy: { uri: proxyUrl, token: 'Basic dXNlcjpwYXNz' } });
      try {
        await client.get(`${target.origin}/auth`);
        expect(proxyAuthorizations).toEqual(['Basic dXNlcjpwYXNz']);
      } finally {
        await client.close();
      }
    });

    it("uses HTTP_PROXY from the environment with proxy: 'env'", async () => {
      const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'] };
      process.env['HTTP_PROXY'] = proxyUrl;
      delete process.env['NO_PROXY'];
      const client = new HttpClient({ proxy: 'env' });
      try {
        await expect(client.get(`${target.origin}/env`)).resolves.toMatchObject({ statusCode: 200 });
        expect(tunnels).toHaveLength(1);
      } finally {
        await client.close();
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    });
  });
});
