import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpExtended, OAuth2Error } from '../src/index.js';
import { basicCredentials, formEncode } from '../src/oauth2/form-encode.js';
import { startOidcServer, type OidcServer } from './support/oidc.js';

describe('HttpExtended.authenticateOauth2', () => {
  let oidc: OidcServer;
  let client: HttpExtended;

  beforeAll(async () => {
    oidc = await startOidcServer();
  }, 30_000);
  afterAll(async () => {
    await oidc.stop();
  });
  beforeEach(() => {
    client = new HttpExtended();
  });
  afterEach(async () => {
    await client.close();
  });

  it('obtains a client-credentials token from oidc-provider with client_secret_basic', async () => {
    const before = Date.now();
    const token = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' });
    expect(token.tokenType).toBe('Bearer');
    expect(token.accessToken.length).toBeGreaterThan(20);
    expect(token.expiresIn).toBe(600);
    expect(token.scope).toBe('read');
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(token.refreshToken).toBeUndefined();
  });

  it('uses client_secret_post when asked', async () => {
    const token = await client.authenticateOauth2(oidc.tokenUrl, 'svc post', 'p@ss:word+%&=', {
      scope: 'read',
      clientAuthMethod: 'client_secret_post',
    });
    expect(token.accessToken).toEqual(expect.any(String));
  });

  it('form-encodes id and secret before base64 (RFC 6749 §2.3.1) so special characters authenticate', async () => {
    const token = await client.authenticateOauth2(oidc.tokenUrl, 'id:with space', 's3cret:+/%&= ~', { scope: 'read' });
    expect(token.scope).toBe('read');
    expect(formEncode('a b:+%~')).toBe('a+b%3A%2B%25%7E');
    expect(basicCredentials('id:with space', 'x')).toBe(`Basic ${Buffer.from('id%3Awith+space:x').toString('base64')}`);
  });

  it('answers repeated calls from the cache without touching the network', async () => {
    const first = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read write' });
    const requests = await oidc.tokenRequests();
    for (let i = 0; i < 50; i += 1) {
      expect(await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read write' })).toBe(first);
    }
    expect(await oidc.tokenRequests()).toBe(requests);
    expect(client.getOauth2CacheStats()).toMatchObject({ hits: 50, fetches: 1, size: 1 });
  });

  it('keys the cache by scope', async () => {
    const read = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' });
    const write = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'write' });
    expect(read.accessToken).not.toBe(write.accessToken);
    expect(write.scope).toBe('write');
  });

  it('shares one in-flight request between concurrent callers of the same key', async () => {
    const requests = await oidc.tokenRequests();
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' })),
    );
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(await oidc.tokenRequests()).toBe(requests + 1);
  });

  it.each([
    ['refreshSkewMs', { refreshSkewMs: 2_700 }],
    ['its deprecated alias refreshSkewSeconds', { refreshSkewSeconds: 2.7 }],
  ])('refreshes a token once it is within the refresh skew of its expiry (%s)', async (_name, oauth2) => {
    const skewed = new HttpExtended({ oauth2 });
    try {
      const first = await skewed.authenticateOauth2(oidc.tokenUrl, 'short', 'short-secret', { scope: 'read' });
      expect(first.expiresIn).toBe(3);
      expect(await skewed.authenticateOauth2(oidc.tokenUrl, 'short', 'short-secret', { scope: 'read' })).toBe(first);
      await new Promise((r) => setTimeout(r, 400));
      const second = await skewed.authenticateOauth2(oidc.tokenUrl, 'short', 'short-secret', { scope: 'read' });
      expect(second.accessToken).not.toBe(first.accessToken);
    } finally {
      await skewed.close();
    }
  });

  it('keeps a token until its expiry when the skew is small (control: the same 3 s token, refreshSkewMs 100)', async () => {
    const skewed = new HttpExtended({ oauth2: { refreshSkewMs: 100 } });
    try {
      const first = await skewed.authenticateOauth2(oidc.tokenUrl, 'short', 'short-secret', { scope: 'read' });
      expect(first.expiresIn).toBe(3);
      await new Promise((r) => setTimeout(r, 400));
      expect(await skewed.authenticateOauth2(oidc.tokenUrl, 'short', 'short-secret', { scope: 'read' })).toBe(first);
    } finally {
      await skewed.close();
    }
  });

  it('refuses refreshSkewMs together with its deprecated alias, naming both', () => {
    expect(() => new HttpExtended({ oauth2: { refreshSkewMs: 1_000, refreshSkewSeconds: 1 } })).toThrow(
      expect.objectContaining({
        code: 'HTTPX_INVALID_OPTION',
        message: expect.stringMatching(/`oauth2\.refreshSkewMs`.*`oauth2\.refreshSkewSeconds`/),
      }),
    );
  });

  it('drops the cached token on invalidation', async () => {
    const first = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' });
    expect(client.invalidateOauth2Token(oidc.tokenUrl, 'svc', { scope: 'read' })).toBe(true);
    expect(client.invalidateOauth2Token(oidc.tokenUrl, 'svc', { scope: 'read' })).toBe(false);
    const second = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' });
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it('does not serve a cached token to a caller with a different secret', async () => {
    await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'svc-secret', { scope: 'read' });
    await expect(client.authenticateOauth2(oidc.tokenUrl, 'svc', 'wrong', { scope: 'read' })).rejects.toMatchObject({
      code: 'OAUTH2_ERROR',
      error: 'invalid_client',
    });
  });

  it('turns OAuth error responses into typed errors with error and error_description', async () => {
    const error = await client.authenticateOauth2(oidc.tokenUrl, 'svc', 'nope', { scope: 'read' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error).toMatchObject({ code: 'OAUTH2_ERROR', error: 'invalid_client', statusCode: 401 });
    expect((error as OAuth2Error).errorDescription).toBe('client authentication failed');
    await expect(client.authenticateOauth2(oidc.tokenUrl, 'no-such-client', 'x')).rejects.toMatchObject({
      code: 'OAUTH2_ERROR',
      error: 'invalid_client',
    });
  });

  it('rejects a non-JSON or incomplete token response as OAUTH2_INVALID_RESPONSE', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/html') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad gateway</h1>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"Bearer"}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(client.authenticateOauth2(`${base}/html`, 'a', 'b')).rejects.toMatchObject({
        code: 'OAUTH2_INVALID_RESPONSE',
        statusCode: 502,
      });
      await expect(client.authenticateOauth2(`${base}/partial`, 'a', 'b')).rejects.toMatchObject({
        code: 'OAUTH2_INVALID_RESPONSE',
      });
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('reports an unreachable token endpoint as OAUTH2_REQUEST_FAILED', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    await expect(client.authenticateOauth2(`http://127.0.0.1:${port}/token`, 'a', 'b')).rejects.toMatchObject({
      code: 'OAUTH2_REQUEST_FAILED',
    });
  });
});
