import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { HttpExtended } from '../http-extended.js';
import { JwksCache } from './jwks-cache.js';

type Mode = 'keys' | 'fail' | 'huge-chunked' | 'huge-declared';

interface JwksServer {
  readonly url: string;
  mode: Mode;
  keys: object[];
  fetches: number;
  /** Bytes the server managed to write for huge responses before the client hung up. */
  hugeBytesWritten: number;
  stop(): Promise<void>;
}

async function startJwksServer(): Promise<JwksServer> {
  const state = { mode: 'keys' as Mode, keys: [] as object[], fetches: 0, hugeBytesWritten: 0 };
  const server = http.createServer((_req, res) => {
    state.fetches += 1;
    switch (state.mode) {
      case 'keys':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
        return;
      case 'fail':
        res.writeHead(503).end('unavailable');
        return;
      case 'huge-declared':
      case 'huge-chunked': {
        // A JSON document that never ends: without a cap the client buffers until it times out.
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(state.mode === 'huge-declared' ? { 'content-length': String(512 * 1024 * 1024) } : {}),
        });
        res.write('{"keys":[');
        const piece = Buffer.from(`${JSON.stringify({ kty: 'oct', k: 'A'.repeat(1000) })},`);
        const pump = (): void => {
          while (!res.destroyed && res.write(piece)) state.hugeBytesWritten += piece.byteLength;
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwks: JwksServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    get mode() {
      return state.mode;
    },
    set mode(mode: Mode) {
      state.mode = mode;
    },
    get keys() {
      return state.keys;
    },
    set keys(keys: object[]) {
      state.keys = keys;
    },
    get fetches() {
      return state.fetches;
    },
    set fetches(n: number) {
      state.fetches = n;
    },
    get hugeBytesWritten() {
      return state.hugeBytesWritten;
    },
    set hugeBytesWritten(n: number) {
      state.hugeBytesWritten = n;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return jwks;
}

async function keyPair(kid: string) {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sign = (claims: Record<string, unknown> = {}) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(pair.privateKey);
  return { jwk, sign };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(JwksCache, () => {
  let server: JwksServer;
  const clients: HttpExtended[] = [];
  const make = (jwt: NonNullable<ConstructorParameters<typeof HttpExtended>[0]>['jwt']): HttpExtended => {
    const client = new HttpExtended({ jwt: { jwksUrl: server.url, ...jwt } });
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    server = await startJwksServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.stop();
  });

  describe('response size cap', () => {
    it.each(['huge-chunked', 'huge-declared'] as const)(
      'refuses a %s JWKS response past jwksMaxBytes with JWKS_FETCH_FAILED, without reading it all',
      async (mode) => {
        server.mode = mode;
        const one = await keyPair('k1');
        const client = make({ jwksMaxBytes: 64 * 1024, jwksTimeoutMs: 10_000 });
        const token = await one.sign();
        const started = Date.now();
        const error = await client.authenticateJwt(token, 'RS256').catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'JWKS_FETCH_FAILED', details: { maxBytes: 65536 } });
        expect((error as Error).message).toMatch(/exceeds jwksMaxBytes \(65536 bytes\)/);
        // Not ended by the 10 s timeout: the cap stopped the read.
        expect(Date.now() - started).toBeLessThan(5000);
      },
    );

    it('accepts a key set right at the cap and validates the option', async () => {
      const one = await keyPair('k1');
      server.keys = [one.jwk];
      const size = Buffer.byteLength(JSON.stringify({ keys: server.keys }));
      await expect(make({ jwksMaxBytes: size }).authenticateJwt(await one.sign({ sub: 'a' }), 'RS256')).resolves.toMatchObject({ sub: 'a' });
      await expect(make({ jwksMaxBytes: size - 1 }).authenticateJwt(await one.sign({ sub: 'a' }), 'RS256')).rejects.toMatchObject({
        code: 'JWKS_FETCH_FAILED',
      });
      expect(() => new HttpExtended({ jwt: { jwksUrl: server.url, jwksMaxBytes: 0 } })).toThrow(
        '`jwt.jwksMaxBytes` must be a positive integer, got 0',
      );
    });
  });

  describe('cooldown after a failed fetch', () => {
    it('fetches once for 20 tokens while the endpoint fails, each rejected with JWKS_FETCH_FAILED', async () => {
      server.mode = 'fail';
      const one = await keyPair('k1');
      const client = make({ jwksCooldownMs: 60_000 });
      const token = await one.sign();
      for (let i = 0; i < 20; i += 1) {
        const error = await client.authenticateJwt(token, 'RS256').catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'JWKS_FETCH_FAILED' });
        expect((error as Error).message).toMatch(/503/);
      }
      expect(server.fetches).toBe(1);
    });

    it('fetches again once the cooldown has passed', async () => {
      server.mode = 'fail';
      const one = await keyPair('k1');
      const client = make({ jwksCooldownMs: 200 });
      const token = await one.sign({ sub: 'x' });
      await expect(client.authenticateJwt(token, 'RS256')).rejects.toMatchObject({ code: 'JWKS_FETCH_FAILED' });
      server.mode = 'keys';
      server.keys = [one.jwk];
      await expect(client.authenticateJwt(token, 'RS256')).rejects.toMatchObject({ code: 'JWKS_FETCH_FAILED' });
      expect(server.fetches).toBe(1);
      await sleep(250);
      await expect(client.authenticateJwt(token, 'RS256')).resolves.toMatchObject({ sub: 'x' });
      expect(server.fetches).toBe(2);
    });

    it('does not refetch for unknown kids within the cooldown after a failed refetch', async () => {
      // Only Date is faked, so sockets and undici's timers run for real while the cooldown clock jumps.
      jest.useFakeTimers({
        doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
      });
      try {
        const one = await keyPair('k1');
        const stranger = await keyPair('k-unknown');
        server.keys = [one.jwk];
        const client = make({ jwksCooldownMs: 60_000 });
        await client.authenticateJwt(await one.sign(), 'RS256');
        jest.setSystemTime(Date.now() + 61_000);
        server.mode = 'fail';
        const token = await stranger.sign();
        await expect(client.authenticateJwt(token, 'RS256')).rejects.toMatchObject({ code: 'JWKS_FETCH_FAILED' });
        for (let i = 0; i < 5; i += 1) {
          await expect(client.authenticateJwt(token, 'RS256')).rejects.toMatchObject({ code: 'JWT_NO_KEY' });
        }
        expect(server.fetches).toBe(2);
        // Keys already fetched stay usable meanwhile.
        await expect(client.authenticateJwt(await one.sign({ sub: 'still' }), 'RS256')).resolves.toMatchObject({ sub: 'still' });
        jest.setSystemTime(Date.now() + 61_000);
        server.mode = 'keys';
        server.keys = [one.jwk, stranger.jwk];
        await expect(client.authenticateJwt(token, 'RS256')).resolves.toEqual({});
        expect(server.fetches).toBe(3);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
