// Security composed end to end with a real OAuth2 authorization server (oidc-provider, in a child
// process): the ingress accepts only JWTs it verifies against the server's JWKS (@onex/bridge
// jwtAuthenticator + @onex/http-extended), and the webhook bridge sends a client-credentials token
// obtained by @onex/http-extended through an @onex/http request interceptor.
import path from 'node:path';
import { HttpClient } from '@onex/http';
import { HttpExtended } from '@onex/http-extended';
import { jwtAuthenticator } from '@onex/bridge';
import { kafkaBrokers } from '../../tools/jest/kafka-env.js';
import { startDemoApp, type DemoApp } from './demo/app.js';
import { runWorkload } from './demo/workload.js';
import { startChild, type Child } from './support/child.js';
import { waitFor } from './support/wait-for.js';

let authServer: Child;
let issuer: string;
let verifier: HttpExtended;
let tokenClient: HttpExtended;
let app: DemoApp;
let client: HttpClient;

async function bearer(clientId: string, secret: string): Promise<string> {
  const token = await tokenClient.authenticateOauth2(`${issuer}/token`, clientId, secret, { scope: 'events:write' });
  return `Bearer ${token.accessToken}`;
}

beforeAll(async () => {
  authServer = startChild(process.execPath, [path.join(__dirname, 'fixtures/oauth2-server.mjs')]);
  issuer = (await authServer.waitForLine(/^ready /, 30_000)).slice('ready '.length).trim();
  verifier = new HttpExtended({ jwt: { jwksUrl: `${issuer}/jwks`, issuer, audience: 'urn:onex:events', algorithms: ['RS256'] } });
  tokenClient = new HttpExtended();
  app = await startDemoApp({
    brokers: kafkaBrokers(),
    ingressAuth: jwtAuthenticator(verifier, {
      algorithm: 'RS256',
      authorize: (claims) => claims['client_id'] === 'onex-ingress-client',
    }),
    webhookInterceptors: [
      async (request) => ({ ...request, headers: { ...request.headers, authorization: await bearer('onex-webhook-sender', 'webhook-sender-secret') } }),
    ],
    webhookAuthorize: async (authorization) => {
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      if (!token) return false;
      try {
        const claims = await verifier.authenticateJwt(token, 'RS256');
        return claims['client_id'] === 'onex-webhook-sender';
      } catch {
        return false;
      }
    },
  });
  client = new HttpClient();
});

afterAll(async () => {
  await client?.close();
  await app?.stop();
  await verifier?.close();
  await tokenClient?.close();
  authServer?.process.kill('SIGTERM');
  await authServer?.exited;
});

describe('OAuth2-protected webhook and JWT-protected ingress with a real authorization server', () => {
  it('answers 401 to requests without a token or with a token the authorization server did not sign', async () => {
    const body = { json: { id: 'x', event: 'user_login', user_id: 'u', sentAt: Date.now() } };
    expect((await client.post(`${app.ingressUrl}/events`, body)).statusCode).toBe(401);
    const [header, payload] = (await bearer('onex-ingress-client', 'ingress-client-secret')).slice('Bearer '.length).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not-the-signature').toString('base64url')}`;
    const response = await client.post(`${app.ingressUrl}/events`, { ...body, headers: { authorization: `Bearer ${forged}` } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBeDefined();
  });

  it('answers 403 to a valid token of a client that may not post events', async () => {
    const response = await client.post(`${app.ingressUrl}/events`, {
      json: { id: 'y', event: 'user_login', user_id: 'u', sentAt: Date.now() },
      headers: { authorization: await bearer('onex-webhook-sender', 'webhook-sender-secret') },
    });
    expect(response.statusCode).toBe(403);
  });

  it('accepts events with a token issued by the authorization server and delivers them to the webhook with a verified bearer token', async () => {
    const authorization = await bearer('onex-ingress-client', 'ingress-client-secret');
    const result = await runWorkload({ ingressUrl: app.ingressUrl, client, events: 20, batchSize: 5, pauseMs: 0, headers: { authorization } });
    expect(result.accepted).toBe(20);
    await waitFor('the webhook to receive every event', () => result.sent.every((e) => app.receipts.has(e.id)));
    expect(app.webhook.unauthorizedRequests).toBe(0);
    for (const delivery of app.webhook.deliveries) expect(delivery.headers.authorization).toMatch(/^Bearer ey/);
    // One token per (token URL, client, scope), fetched once and then served from the cache.
    expect(tokenClient.getOauth2CacheStats()).toMatchObject({ fetches: 2 });
    expect(tokenClient.getOauth2CacheStats().hits).toBeGreaterThanOrEqual(20);
  });

  it('has the webhook refuse a delivery without a token', async () => {
    const response = await client.post(`${app.webhook.url}/hooks/events`, { data: new Uint8Array([0, 0, 0, 0, 1]) });
    expect(response.statusCode).toBe(401);
  });
});
