// One-shot sweep of the key forms jose.jwtVerify accepts for HS256 (the same token and checks as
// `http-extended.jwt-hs256`); each verified for 0.7 s after a 0.7 s warm-up pass. Run: node tools/bench/sweeps/jose-key.mjs
import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify, importJWK } from 'jose';
const secret = new TextEncoder().encode('a-32-byte-long-shared-bench-key!');
const claims = { sub: 'u1', iss: 'onex', aud: 'api', exp: Math.floor(Date.now() / 1000) + 3600 };
const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret);
const keys = {
  'Uint8Array (imported per call)': secret,
  'KeyObject createSecretKey': createSecretKey(secret),
  'CryptoKey importJWK': await importJWK({ kty: 'oct', k: Buffer.from(secret).toString('base64url') }, 'HS256'),
  'CryptoKey subtle.importKey': await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
};
for (let pass = 0; pass < 2; pass++) for (const [name, key] of Object.entries(keys)) {
  const end = performance.now() + 700; let n = 0;
  while (performance.now() < end) { await jwtVerify(token, key, { algorithms: ['HS256'], issuer: 'onex', audience: 'api' }); n++; }
  if (pass) console.log(`${name}: ${Math.round(n / 0.7).toLocaleString('en-US')} verifies/s`);
}
