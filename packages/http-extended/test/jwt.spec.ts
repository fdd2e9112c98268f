import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { HttpExtended, JwtError } from '../src/index.js';
import { RFC7515_A1, RFC7515_A2, RFC7515_A3, RFC7520_HS256, RFC7520_ES512, RFC7520_RS256 } from './fixtures/jose-vectors.js';

/** The RFC examples expire in 2011: verify them with a clock set before their `exp`. */
const RFC_CLOCK = () => 1_300_819_000_000;
const SECRET = 'a-32-byte-long-shared-test-secret!';

function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const flipped = s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`;
  return `${h}.${p}.${flipped}`;
}

async function hs(claims: Record<string, unknown>, alg = 'HS256', secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

describe('HttpExtended.authenticateJwt', () => {
  const clients: HttpExtended[] = [];
  const make = (jwt: ConstructorParameters<typeof HttpExtended>[0]): HttpExtended => {
    const c = new HttpExtended(jwt);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  describe('published examples', () => {
    it('verifies the RFC 7515 A.1 HS256 example with its JWK secret', async () => {
      const client = make({ jwt: { secret: Buffer.from(RFC7515_A1.k, 'base64url'), clock: RFC_CLOCK } });
      await expect(client.authenticateJwt(RFC7515_A1.token)).resolves.toEqual({
        iss: 'joe',
        exp: 1300819380,
        'http://example.com/is_root': true,
      });
      await expect(client.authenticateJwt(tamper(RFC7515_A1.token))).rejects.toMatchObject({ code: 'JWT_BAD_SIGNATURE' });
    });

    it('verifies the RFC 7515 A.2 RS256 example with its public JWK', async () => {
      const client = make({ jwt: { publicKey: RFC7515_A2.jwk, clock: RFC_CLOCK } });
      await expect(client.authenticateJwt(RFC7515_A2.token, 'RS256')).resolves.toMatchObject({ iss: 'joe', exp: 1300819380 });
      await expect(client.authenticateJwt(tamper(RFC7515_A2.token), 'RS256')).rejects.toMatchObject({ code: 'JWT_BAD_SIGNATURE' });
    });

    it('verifies the RFC 7515 A.3 ES256 example with its PEM public key', async () => {
      const client = make({ jwt: { publicKey: RFC7515_A3.pem, clock: RFC_CLOCK } });
      await expect(client.authenticateJwt(RFC7515_A3.token, 'ES256')).resolves.toMatchObject({ iss: 'joe' });
      await expect(client.authenticateJwt(tamper(RFC7515_A3.token), 'ES256')).rejects.toMatchObject({ code: 'JWT_BAD_SIGNATURE' });
    });

    it('rejects the RFC 7515 examples as expired with the real clock', async () => {
      const client = make({ jwt: { secret: Buffer.from(RFC7515_A1.k, 'base64url') } });
      await expect(client.authenticateJwt(RFC7515_A1.token)).rejects.toMatchObject({ code: 'JWT_EXPIRED' });
    });

    // RFC 7520 §4 signs a text payload, not a claims set: a correct signature gets past verification
    // and then fails as "not a JWT" (JWT_INVALID), while a tampered one fails as JWT_BAD_SIGNATURE.
    it.each([
      ['§4.1 RS256', RFC7520_RS256, 'RS256'],
      ['§4.3 ES512', RFC7520_ES512, 'ES512'],
      ['§4.4 HS256', RFC7520_HS256, 'HS256'],
    ] as const)('checks the RFC 7520 %s signature', async (_name, vector, alg) => {
      const client = make({
        jwt: alg === 'HS256' ? { secret: Buffer.from((vector.jwk as { k: string }).k, 'base64url') } : { publicKey: vector.jwk },
      });
      const good = await client.authenticateJwt(vector.token, alg).catch((e: JwtError) => e);
      expect(good).toMatchObject({ code: 'JWT_INVALID' });
      expect((good as Error).message).toMatch(/Claims Set/i);
      await expect(client.authenticateJwt(tamper(vector.token), alg)).rejects.toMatchObject({ code: 'JWT_BAD_SIGNATURE' });
    });
  });

  describe('claims and algorithm checks', () => {
    const now = Math.floor(Date.now() / 1000);

    it('returns registered and custom claims', async () => {
      const client = make({ jwt: { secret: SECRET, issuer: 'onex', audience: 'api', requiredClaims: ['sub'] } });
      const token = await hs({ iss: 'onex', aud: 'api', sub: 'u1', exp: now + 60, role: 'admin' });
      await expect(client.authenticateJwt(token)).resolves.toMatchObject({ iss: 'onex', aud: 'api', sub: 'u1', role: 'admin' });
    });

    it.each([
      ['an expired token', { exp: now - 120 }, 'JWT_EXPIRED'],
      ['a token not valid yet', { nbf: now + 600 }, 'JWT_NOT_YET_VALID'],
      ['a wrong issuer', { iss: 'evil' }, 'JWT_ISSUER_MISMATCH'],
      ['a wrong audience', { aud: 'other' }, 'JWT_AUDIENCE_MISMATCH'],
      ['a missing required claim', { sub: undefined }, 'JWT_CLAIM_MISSING'],
    ])('rejects %s', async (_name, override, code) => {
      const client = make({ jwt: { secret: SECRET, issuer: 'onex', audience: 'api', requiredClaims: ['sub'] } });
      const claims: Record<string, unknown> = { iss: 'onex', aud: 'api', sub: 'u1', exp: now + 60, ...override };
      for (const key of Object.keys(claims)) if (claims[key] === undefined) delete claims[key];
      await expect(client.authenticateJwt(await hs(claims))).rejects.toMatchObject({ code });
    });

    it('accepts a just-expired token within the clock tolerance', async () => {
      const client = make({ jwt: { secret: SECRET, clockToleranceSeconds: 120 } });
      await expect(client.authenticateJwt(await hs({ exp: now - 30 }))).resolves.toMatchObject({ exp: now - 30 });
    });

    it('always rejects alg none, even when asked for it', async () => {
      const client = make({ jwt: { secret: SECRET } });
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsecured = `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`;
      await expect(client.authenticateJwt(unsecured)).rejects.toMatchObject({ code: 'JWT_ALG_NONE' });
      await expect(client.authenticateJwt(unsecured, 'none')).rejects.toMatchObject({ code: 'JWT_ALG_NONE' });
      expect(() => new HttpExtended({ jwt: { secret: SECRET, algorithms: ['none'] } })).toThrow("`jwt.algorithms` must not contain 'none'");
    });

    it('rejects algorithms outside the allow-list and tokens signed with another algorithm', async () => {
      const client = make({ jwt: { secret: SECRET, algorithms: ['HS256'] } });
      await expect(client.authenticateJwt(await hs({}), 'HS512')).rejects.toMatchObject({ code: 'JWT_ALG_NOT_ALLOWED' });
      await expect(client.authenticateJwt(await hs({}, 'HS384'))).rejects.toMatchObject({ code: 'JWT_ALG_NOT_ALLOWED' });
    });

    it('rejects key-type confusion: an HS256 token signed with the RSA public key', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const client = make({ jwt: { publicKey: pem, algorithms: ['RS256', 'HS256', 'ES256'] } });
      const forged = await new SignJWT({ sub: 'attacker' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem));
      await expect(client.authenticateJwt(forged, 'HS256')).rejects.toMatchObject({ code: 'JWT_KEY_MISMATCH' });
      const ec = await generateKeyPair('ES256');
      const esToken = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
      await expect(client.authenticateJwt(esToken, 'ES256')).rejects.toMatchObject({ code: 'JWT_KEY_MISMATCH' });
    });

    it('rejects malformed tokens as JWT_INVALID and reports a missing key as JWT_NO_KEY', async () => {
      const client = make({ jwt: { secret: SECRET } });
      await expect(client.authenticateJwt('not.a-jwt')).rejects.toMatchObject({ code: 'JWT_INVALID' });
      await expect(make({}).authenticateJwt(await hs({}))).rejects.toMatchObject({ code: 'JWT_NO_KEY' });
    });
  });

  describe('remote JWKS', () => {
    let server: http.Server;
    let jwksUrl: string;
    let fetches = 0;
    let keys: object[] = [];
    beforeEach(async () => {
      fetches = 0;
      server = http.createServer((req, res) => {
        fetches += 1;
        if (req.url === '/broken') res.writeHead(500).end('oops');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await new Promise((r) => server.close(r));
    });

    async function keyPair(kid: string) {
      const pair = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
      const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(pair.privateKey);
      return { jwk, sign, pem: await exportSPKI(pair.publicKey) };
    }

    it('caches the key set and refetches once when a token names an unknown kid', async () => {
      const one = await keyPair('k1');
      const two = await keyPair('k2');
      keys = [one.jwk];
      const client = make({ jwt: { jwksUrl, jwksCooldownMs: 0 } });
      await expect(client.authenticateJwt(await one.sign({ sub: 'a' }), 'RS256')).resolves.toMatchObject({ sub: 'a' });
      await client.authenticateJwt(await one.sign({ sub: 'b' }), 'RS256');
      expect(fetches).toBe(1);
      keys = [one.jwk, two.jwk]; // key rotation on the server
      await expect(client.authenticateJwt(await two.sign({ sub: 'c' }), 'RS256')).resolves.toMatchObject({ sub: 'c' });
      expect(fetches).toBe(2);
    });

    it('does not refetch for unknown kids during the cooldown', async () => {
      const one = await keyPair('k1');
      const stranger = await keyPair('unknown');
      keys = [one.jwk];
      const client = make({ jwt: { jwksUrl, jwksCooldownMs: 60_000 } });
      await client.authenticateJwt(await one.sign({}), 'RS256');
      for (let i = 0; i < 5; i += 1) {
        await expect(client.authenticateJwt(await stranger.sign({}), 'RS256')).rejects.toMatchObject({ code: 'JWT_NO_KEY' });
      }
      expect(fetches).toBe(1);
    });

    it('reports a failing JWKS endpoint as JWKS_FETCH_FAILED', async () => {
      const one = await keyPair('k1');
      const client = make({ jwt: { jwksUrl: jwksUrl.replace('/jwks', '/broken') } });
      await expect(client.authenticateJwt(await one.sign({}), 'RS256')).rejects.toMatchObject({ code: 'JWKS_FETCH_FAILED' });
    });

    it('verifies the RFC 7520 RSA key served from a JWKS by its kid', async () => {
      keys = [RFC7520_RS256.jwk];
      const client = make({ jwt: { jwksUrl } });
      await expect(client.authenticateJwt(RFC7520_RS256.token, 'RS256')).rejects.toMatchObject({ code: 'JWT_INVALID' });
      await expect(client.authenticateJwt(tamper(RFC7520_RS256.token), 'RS256')).rejects.toMatchObject({ code: 'JWT_BAD_SIGNATURE' });
    });
  });
});
