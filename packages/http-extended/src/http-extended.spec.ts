import { isProtocolHttpExtended } from '@onex/spi-types';
import { HttpExtended } from './http-extended.js';
import { channelName } from './internal/diagnostics.js';
import diagnosticsChannel from 'node:diagnostics_channel';

describe(HttpExtended, () => {
  it('implements every method of ProtocolHttpExtended', async () => {
    const client = new HttpExtended();
    expect(isProtocolHttpExtended(client)).toBe(true);
    await client.close();
  });

  it.each([
    [{ connectionsPerOrigin: 0 }, '`connectionsPerOrigin` must be a positive integer, got 0'],
    [{ keepAliveTimeoutMs: 1.5 }, '`keepAliveTimeoutMs` must be a positive integer, got 1.5'],
    [{ bodyTimeoutMs: -1 }, '`bodyTimeoutMs` must be a non-negative number, got -1'],
    [{ maxDecompressedBytes: Number.NaN }, '`maxDecompressedBytes` must be a positive integer, got NaN'],
    [{ oauth2: { clientAuthMethod: 'private_key_jwt' } }, '`oauth2.clientAuthMethod` must be one of "client_secret_basic", "client_secret_post", got "private_key_jwt"'],
    [{ oauth2: { refreshSkewSeconds: -5 } }, '`oauth2.refreshSkewSeconds` must be a non-negative number, got -5'],
    [{ oauth2: { refreshSkewMs: -5 } }, '`oauth2.refreshSkewMs` must be a non-negative number, got -5'],
    [{ jwt: { secret: '' } }, '`jwt.secret` must be a non-empty string or Uint8Array, got ""'],
    [{ jwt: { publicKey: 'not a pem' } }, '`jwt.publicKey` must be a PEM public key, certificate or JWK, got "not a pem"'],
    [{ jwt: { jwksUrl: 'file:///etc/keys' } }, '`jwt.jwksUrl` must be an http(s) URL, got "file:///etc/keys"'],
    [{ jwt: { secret: 's', clockToleranceSeconds: -1 } }, '`jwt.clockToleranceSeconds` must be a non-negative number, got -1'],
    [{ jwt: { secret: 's', issuer: [] } }, '`jwt.issuer` must be a non-empty string or array of non-empty strings, got an array of length 0'],
    [{ websocket: { heartbeatIntervalSeconds: -1 } }, '`websocket.heartbeatIntervalSeconds` must be a non-negative number, got -1'],
    [{ websocket: { reconnect: { initialDelayMs: 500, maxDelayMs: 100 } } }, '`websocket.reconnect.maxDelayMs` must be >= initialDelayMs (500), got 100'],
  ] as const)('rejects %j in the constructor', (options, message) => {
    let error: unknown;
    try {
      new HttpExtended(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'HTTPX_INVALID_OPTION', message });
  });

  it('rejects bad OAuth2 arguments before any request', async () => {
    const client = new HttpExtended();
    await expect(client.authenticateOauth2('nope', 'id', 's')).rejects.toThrow('`tokenUrl` must be an absolute http(s) URL, got "nope"');
    await expect(client.authenticateOauth2('http://127.0.0.1:1/t', '', 's')).rejects.toThrow('`clientId` must be a non-empty string, got ""');
    await client.close();
  });

  it('publishes diagnostics events on onex:http-extended channels', async () => {
    const client = new HttpExtended();
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe(channelName('jwt-rejected'), listener);
    try {
      await expect(client.authenticateJwt('x.y.z')).rejects.toMatchObject({ code: 'JWT_NO_KEY' });
      const configured = new HttpExtended({ jwt: { secret: 'k' } });
      await expect(configured.authenticateJwt('x.y.z')).rejects.toMatchObject({ code: 'JWT_INVALID' });
      expect(seen).toEqual([{ code: 'JWT_INVALID', algorithm: 'HS256' }]);
      await configured.close();
    } finally {
      diagnosticsChannel.unsubscribe(channelName('jwt-rejected'), listener);
      await client.close();
    }
  });
});
