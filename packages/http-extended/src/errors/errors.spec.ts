import { HTTP_EXTENDED_ERROR_CODES, OnexError, isOnexError } from '@onex/spi-types';
import { CompressionError, isCompressionError } from './compression-error.js';
import { HttpExtendedStatusError, HttpStatusError, isHttpExtendedStatusError, isHttpStatusError } from './http-extended-status-error.js';
import { InvalidOptionError, isInvalidOptionError } from './invalid-option-error.js';
import { JwtError, isJwtError } from './jwt-error.js';
import { OAuth2Error, isOAuth2Error } from './oauth2-error.js';
import { StreamRequestError, isStreamRequestError } from './stream-request-error.js';
import { WebSocketError, isWebSocketError } from './websocket-error.js';

const cause = new Error('root cause');

type Row = readonly [string, OnexError<string>, string, RegExp, (e: unknown) => boolean];
const table: Row[] = [
  ['HTTPX_INVALID_OPTION', new InvalidOptionError('retry.maxRetries', 'must be a non-negative integer', -1, { cause }), 'InvalidOptionError', /^`retry\.maxRetries` must be a non-negative integer, got -1$/, isInvalidOptionError],
  ['HTTPX_STATUS', new HttpExtendedStatusError('GET', 'http://h/x', 503, 'busy', { cause }), 'HttpExtendedStatusError', /GET http:\/\/h\/x answered 503: busy/, isHttpExtendedStatusError],
  ...(['HTTPX_STREAM_ABORTED', 'HTTPX_REQUEST_FAILED', 'HTTPX_CLOSED'] as const).map(
    (code) => [code, new StreamRequestError(code, `stream ${code}`, { cause }), 'StreamRequestError', new RegExp(`stream ${code}`), isStreamRequestError] as const,
  ),
  ...(['WS_CONNECT_FAILED', 'WS_HANDSHAKE_TIMEOUT', 'WS_CLOSED', 'WS_QUEUE_FULL', 'WS_RECEIVE_TIMEOUT', 'WS_PAYLOAD_TOO_LARGE', 'WS_HEARTBEAT_TIMEOUT', 'WS_PING_TIMEOUT', 'WS_PROTOCOL_ERROR'] as const).map(
    (code) => [code, new WebSocketError(code, `ws ${code}`, { cause }), 'WebSocketError', new RegExp(`ws ${code}`), isWebSocketError] as const,
  ),
  ...(['OAUTH2_ERROR', 'OAUTH2_INVALID_RESPONSE', 'OAUTH2_REQUEST_FAILED'] as const).map(
    (code) => [code, new OAuth2Error(code, `oauth ${code}`, { error: 'invalid_client', statusCode: 401 }, { cause }), 'OAuth2Error', new RegExp(`oauth ${code}`), isOAuth2Error] as const,
  ),
  ...(['JWT_INVALID', 'JWT_EXPIRED', 'JWT_NOT_YET_VALID', 'JWT_BAD_SIGNATURE', 'JWT_ALG_NOT_ALLOWED', 'JWT_ALG_NONE', 'JWT_KEY_MISMATCH', 'JWT_ISSUER_MISMATCH', 'JWT_AUDIENCE_MISMATCH', 'JWT_CLAIM_MISSING', 'JWT_NO_KEY', 'JWKS_FETCH_FAILED'] as const).map(
    (code) => [code, new JwtError(code, `jwt ${code}`, { cause }), 'JwtError', new RegExp(`jwt ${code}`), isJwtError] as const,
  ),
  ...(['COMPRESSION_UNSUPPORTED', 'COMPRESSION_FAILED', 'DECOMPRESSION_TOO_LARGE', 'DECOMPRESSION_FAILED'] as const).map(
    (code) => [code, new CompressionError(code, `zip ${code}`, { cause }), 'CompressionError', new RegExp(`zip ${code}`), isCompressionError] as const,
  ),
];

describe('http-extended errors', () => {
  it('covers every code of HTTP_EXTENDED_ERROR_CODES exactly once', () => {
    expect(table.map(([code]) => code).sort()).toEqual([...HTTP_EXTENDED_ERROR_CODES].sort());
  });

  it.each(table)('%s has its name, code, message, cause and guard', (code, error, name, message, guard) => {
    expect(error).toBeInstanceOf(OnexError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.cause).toBe(cause);
    expect(isOnexError(error)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(guard(new Error(code))).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name, code });
  });

  it('keeps HttpStatusError and isHttpStatusError as deprecated aliases of the renamed class and guard', () => {
    expect(HttpStatusError).toBe(HttpExtendedStatusError);
    expect(isHttpStatusError).toBe(isHttpExtendedStatusError);
    expect(new HttpStatusError('GET', 'u', 503, '')).toMatchObject({ name: 'HttpExtendedStatusError', code: 'HTTPX_STATUS' });
  });

  it('keeps structured details', () => {
    expect(new HttpExtendedStatusError('GET', 'u', 404, 'nope')).toMatchObject({ statusCode: 404, bodyExcerpt: 'nope', details: { statusCode: 404 } });
    expect(new OAuth2Error('OAUTH2_ERROR', 'm', { error: 'invalid_scope', errorDescription: 'd' })).toMatchObject({
      error: 'invalid_scope',
      errorDescription: 'd',
    });
    expect(new InvalidOptionError('a', 'must be x', 'y'.repeat(100)).message).toMatch(/got "y{60}…"$/);
  });
});
