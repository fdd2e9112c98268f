import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpExtended } from '../http-extended.js';
import { channelName } from '../internal/diagnostics.js';
import { OAuth2TokenCache } from './oauth2-token-cache.js';

interface TokenServer {
  readonly tokenUrl: string;
  /** Secrets the server accepts for client `svc`, checked when the response is written. */
  readonly secrets: Set<string>;
  /** Secrets of the requests received so far, in order. */
  readonly received: string[];
  /** While set, responses wait for `release()`. */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

/** A client-credentials token endpoint on loopback (client_secret_basic, client `svc`). */
async function startTokenServer(): Promise<TokenServer> {
  let issued = 0;
  let held: (() => void)[] | undefined;
  const secrets = new Set<string>();
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':')
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' '))) as [string, string];
      received.push(secret);
      const answer = (): void => {
        if (id === 'svc' && secrets.has(secret)) {
          issued += 1;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: `token-${issued}-for-${secret}`, token_type: 'Bearer', expires_in: 600 }));
        } else {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }));
        }
      };
      if (held === undefined) answer();
      else held.push(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    tokenUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    secrets,
    received,
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(OAuth2TokenCache, () => {
  let server: TokenServer;
  let client: HttpExtended;
  beforeEach(async () => {
    server = await startTokenServer();
    client = new HttpExtended();
  });
  afterEach(async () => {
    server.release();
    await client.close();
    await server.stop();
  });

  it('does not hand the token of an in-flight fetch to a concurrent caller with a wrong secret', async () => {
    server.secrets.add('good-secret');
    const good = client.authenticateOauth2(server.tokenUrl, 'svc', 'good-secret', { scope: 'read' });
    const wrong = client.authenticateOauth2(server.tokenUrl, 'svc', 'wrong-secret', { scope: 'read' });
    await expect(good).resolves.toMatchObject({ accessToken: 'token-1-for-good-secret' });
    await expect(wrong).rejects.toMatchObject({ code: 'OAUTH2_ERROR', error: 'invalid_client', statusCode: 401 });
    expect([...server.received].sort()).toEqual(['good-secret', 'wrong-secret']);
  });

  it('does not hand the error of a wrong-secret fetch to a concurrent caller with the right secret', async () => {
    server.secrets.add('good-secret');
    const wrong = client.authenticateOauth2(server.tokenUrl, 'svc', 'wrong-secret', { scope: 'read' });
    const good = client.authenticateOauth2(server.tokenUrl, 'svc', 'good-secret', { scope: 'read' });
    await expect(wrong).rejects.toMatchObject({ code: 'OAUTH2_ERROR', error: 'invalid_client' });
    await expect(good).resolves.toMatchObject({ accessToken: 'token-1-for-good-secret' });
  });

  it('still shares one request between concurrent callers with the same credentials', async () => {
    server.secrets.add('good-secret');
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => client.authenticateOauth2(server.tokenUrl, 'svc', 'good-secret', { scope: 'read' })),
    );
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-1-for-good-secret']));
    expect(server.received).toEqual(['good-secret']);
  });

  it('gives a secret rotated mid-flight its own request, and caches per secret', async () => {
    server.secrets.add('old-secret');
    server.hold();
    const old = client.authenticateOauth2(server.tokenUrl, 'svc', 'old-secret', { scope: 'read' });
    await until(() => server.received.length === 1, 'the old-secret request reached the server');
    // The secret is rotated while the old request is still at the server.
    server.secrets.delete('old-secret');
    server.secrets.add('new-secret');
    const rotated = client.authenticateOauth2(server.tokenUrl, 'svc', 'new-secret', { scope: 'read' });
    await until(() => server.received.length === 2, 'the new-secret request reached the server');
    server.release();
    await expect(old).rejects.toMatchObject({ code: 'OAUTH2_ERROR', error: 'invalid_client' });
    const token = await rotated;
    expect(token.accessToken).toBe('token-1-for-new-secret');
    // The new secret is served from the cache; the old one is not, and fails at the server again.
    await expect(client.authenticateOauth2(server.tokenUrl, 'svc', 'new-secret', { scope: 'read' })).resolves.toBe(token);
    await expect(client.authenticateOauth2(server.tokenUrl, 'svc', 'old-secret', { scope: 'read' })).rejects.toMatchObject({
      code: 'OAUTH2_ERROR',
    });
    expect(server.received).toEqual(['old-secret', 'new-secret', 'old-secret']);
    expect(client.getOauth2CacheStats()).toMatchObject({ hits: 1, fetches: 3, size: 1 });
  });

  it('caches the tokens of an old and a new secret side by side, and invalidation drops both', async () => {
    server.secrets.add('old-secret');
    server.secrets.add('new-secret');
    const oldToken = await client.authenticateOauth2(server.tokenUrl, 'svc', 'old-secret', { scope: 'read' });
    const newToken = await client.authenticateOauth2(server.tokenUrl, 'svc', 'new-secret', { scope: 'read' });
    expect(newToken.accessToken).toBe('token-2-for-new-secret');
    await expect(client.authenticateOauth2(server.tokenUrl, 'svc', 'old-secret', { scope: 'read' })).resolves.toBe(oldToken);
    await expect(client.authenticateOauth2(server.tokenUrl, 'svc', 'new-secret', { scope: 'read' })).resolves.toBe(newToken);
    expect(client.invalidateOauth2Token(server.tokenUrl, 'svc', { scope: 'read' })).toBe(true);
    expect(client.getOauth2CacheStats().size).toBe(0);
  });

  it('never puts a secret into diagnostics events or errors', async () => {
    server.secrets.add('good-secret-1234');
    const seen: unknown[] = [];
    const listener = (message: unknown): void => void seen.push(message);
    const events = ['oauth2-fetch', 'oauth2-cache-hit'] as const;
    for (const event of events) diagnosticsChannel.subscribe(channelName(event), listener);
    try {
      await client.authenticateOauth2(server.tokenUrl, 'svc', 'good-secret-1234', { scope: 'read' });
      await client.authenticateOauth2(server.tokenUrl, 'svc', 'good-secret-1234', { scope: 'read' });
      const error = await client.authenticateOauth2(server.tokenUrl, 'svc', 'bad-secret-5678', { scope: 'read' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OAUTH2_ERROR' });
      expect(seen).toHaveLength(3);
      const text = JSON.stringify([seen, error, (error as Error).message, (error as Error).stack]);
      expect(text).not.toMatch(/good-secret-1234|bad-secret-5678/);
    } finally {
      for (const event of events) diagnosticsChannel.unsubscribe(channelName(event), listener);
    }
  });
});
