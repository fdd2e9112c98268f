import { startServer, type TestServer } from '../test/support/test-server.js';
import type { HttpInterceptedRequest } from './http-client-options.js';
import { HttpClient } from './http-client.js';
import { HttpResponse } from './http-response.js';

describe(HttpClient, () => {
  describe('interceptors', () => {
    let server: TestServer;
    let client: HttpClient;

    beforeEach(async () => {
      server = await startServer((req, res, { body }) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url: req.url, auth: req.headers['authorization'] ?? null, trace: req.headers['x-trace'] ?? null, body: body.toString() }));
      });
      client = new HttpClient({ baseUrl: server.origin });
    });

    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('runs request interceptors in registration order, each seeing the previous result', async () => {
      const seen: string[] = [];
      client.useRequestInterceptor((req) => {
        seen.push(`first:${req.headers['x-trace'] ?? '-'}`);
        return { ...req, headers: { ...req.headers, 'x-trace': 'a' } };
      });
      client.useRequestInterceptor(async (req) => {
        seen.push(`second:${req.headers['x-trace'] ?? '-'}`);
        return { ...req, headers: { ...req.headers, 'x-trace': `${req.headers['x-trace']}b`, authorization: 'Bearer t' } };
      });
      const body = (await client.get('/p')).json<{ trace: string; auth: string }>();
      expect(seen).toEqual(['first:-', 'second:a']);
      expect(body).toMatchObject({ trace: 'ab', auth: 'Bearer t' });
    });

    it('lets a request interceptor change the url and the body', async () => {
      client.useRequestInterceptor((req: HttpInterceptedRequest) => ({ ...req, url: `${server.origin}/rewritten?x=1`, json: { replaced: true } }));
      const body = (await client.post('/original', { json: { replaced: false } })).json<{ url: string; body: string }>();
      expect(body).toEqual(expect.objectContaining({ url: '/rewritten?x=1', body: '{"replaced":true}' }));
    });

    it('validates what an interceptor returns before any network I/O', async () => {
      client.useRequestInterceptor((req) => ({ ...req, headers: { ...req.headers, bad: 'a\nb' } }));
      await expect(client.get('/p')).rejects.toMatchObject({ code: 'HTTP_INVALID_HEADER' });
      expect(server.accepted()).toBe(0);
    });

    it('short-circuits with a response and sends nothing', async () => {
      client.useRequestInterceptor(() => new HttpResponse({ statusCode: 203, body: 'cached', headers: { 'X-Cache': 'hit' } }));
      const response = await client.get('/p');
      expect(response).toMatchObject({ statusCode: 203, attempts: 0, headers: { 'x-cache': 'hit' } });
      expect(response.text()).toBe('cached');
      expect(response.url).toBe(`${server.origin}/p`);
      expect(server.requests).toHaveLength(0);
    });

    it('runs response interceptors in order and lets them replace the response or throw', async () => {
      const order: number[] = [];
      client.useResponseInterceptor((res, req) => {
        order.push(1);
        expect(req.url).toBe(`${server.origin}/p`);
        return new HttpResponse({ statusCode: res.statusCode, headers: { ...res.headers, 'x-seen': '1' }, body: res.body });
      });
      client.useResponseInterceptor((res) => {
        order.push(2);
        expect(res.headers['x-seen']).toBe('1');
      });
      const response = await client.get('/p');
      expect(order).toEqual([1, 2]);
      expect(response.headers['x-seen']).toBe('1');

      const boom = new Error('rejected by policy');
      client.useResponseInterceptor(() => {
        throw boom;
      });
      await expect(client.get('/p')).rejects.toBe(boom);
    });

    it('removes an interceptor with the function its registration returned', async () => {
      let calls = 0;
      const remove = client.useRequestInterceptor(() => {
        calls += 1;
      });
      await client.get('/p');
      remove();
      remove();
      await client.get('/p');
      expect(calls).toBe(1);
    });

    it('accepts interceptors in the constructor options', async () => {
      const tagged = new HttpClient({
        requestInterceptors: [(req) => ({ ...req, headers: { ...req.headers, authorization: 'Basic x' } })],
      });
      try {
        expect((await tagged.get(`${server.origin}/p`)).json<{ auth: string }>().auth).toBe('Basic x');
      } finally {
        await tagged.close();
      }
      expect(() => new HttpClient({ requestInterceptors: ['nope' as never] })).toThrow('`requestInterceptors[0]` must be a function, got "nope"');
    });
  });
});
