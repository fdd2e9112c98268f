import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { HttpExtended } from '../http-extended.js';
import { JwtVerifier } from './jwt-verifier.js';

const SECRET = 'a-32-byte-long-shared-test-secret!';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Builds a compact JWS from raw JSON text, so header and payload can hold what a JWT library would refuse to sign. */
function rawToken(headerJson: string, payloadJson: string, alg: 'HS256' | 'RS256'): string {
  const input = `${Buffer.from(headerJson).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
  const signature =
    alg === 'HS256' ? createHmac('sha256', SECRET).update(input).digest() : rsaSign('sha256', Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

describe(JwtVerifier, () => {
  let client: HttpExtended;
  beforeEach(() => {
    client = new HttpExtended({ jwt: { secret: SECRET, publicKey: PUBLIC_PEM } });
  });
  afterEach(async () => {
    await client.close();
  });

  it('accepts a well-formed control token signed the same way (so the rejections below are about the input)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    await expect(client.authenticateJwt(rawToken('{"alg":"HS256"}', `{"sub":"u","exp":${exp}}`, 'HS256'))).resolves.toEqual({ sub: 'u', exp });
    await expect(client.authenticateJwt(rawToken('{"alg":"RS256"}', '{"sub":"u"}', 'RS256'), 'RS256')).resolves.toEqual({ sub: 'u' });
  });

  describe('an unknown critical header extension', () => {
    it.each(['HS256', 'RS256'] as const)('is JWT_INVALID for %s, on the first and on later (key already imported) calls', async (alg) => {
      const token = rawToken(`{"alg":"${alg}","crit":["x-onex-ext"],"x-onex-ext":1}`, '{"sub":"u"}', alg);
      for (let i = 0; i < 2; i += 1) {
        const error = await client.authenticateJwt(token, alg).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'JWT_INVALID' });
        expect((error as Error).message).toMatch(/x-onex-ext/);
      }
    });
  });

  describe('non-finite numeric date claims', () => {
    it.each([
      ['exp', '1e400'],
      ['nbf', '-1e400'],
      ['iat', '1e400'],
      ['iat', '-1e400'],
    ])('rejects %s: %s (JSON parses it to ±Infinity) as JWT_INVALID', async (claim, literal) => {
      const token = rawToken('{"alg":"HS256"}', `{"sub":"u","${claim}":${literal}}`, 'HS256');
      for (let i = 0; i < 2; i += 1) {
        const error = await client.authenticateJwt(token).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'JWT_INVALID', details: { claim } });
        expect((error as Error).message).toMatch(new RegExp(`"${claim}" .*finite`));
      }
    });
  });
});
