import { HTTP_ERROR_CODES, OnexError, isOnexError } from '@onex/spi-types';
import { HttpResponse } from '../http-response.js';
import {
  HttpAbortedError,
  HttpBodyNotReplayableError,
  HttpClientClosedError,
  HttpError,
  HttpInvalidJsonError,
  HttpNetworkError,
  HttpResponseTooLargeError,
  HttpRetryAfterTooLongError,
  HttpStatusError,
  HttpTimeoutError,
  HttpValidationError,
  isHttpError,
  isHttpStatusError,
  isHttpTimeoutError,
} from './http-errors.js';

const cause = new Error('underlying');
const url = 'http://127.0.0.1:8080/x';
const response = new HttpResponse({ statusCode: 502, url, body: 'bad gateway' });

const table: [string, HttpError, string, string, unknown][] = [
  ['HTTP_INVALID_URL', new HttpValidationError('HTTP_INVALID_URL', '`url` must be an absolute http(s) URL, got "x"', { cause }), 'HttpValidationError', '`url` must be an absolute http(s) URL, got "x"', cause],
  ['HTTP_INVALID_METHOD', new HttpValidationError('HTTP_INVALID_METHOD', '`method` must be one of GET, got "CONNECT"'), 'HttpValidationError', '`method` must be one of GET, got "CONNECT"', undefined],
  ['HTTP_INVALID_HEADER', new HttpValidationError('HTTP_INVALID_HEADER', '`headers.x` must not contain CR, LF or NUL, got "a\\nb"'), 'HttpValidationError', '`headers.x` must not contain CR, LF or NUL, got "a\\nb"', undefined],
  ['HTTP_INVALID_BODY', new HttpValidationError('HTTP_INVALID_BODY', '`json` must be JSON-serialisable', { cause }), 'HttpValidationError', '`json` must be JSON-serialisable', cause],
  ['HTTP_INVALID_OPTION', new HttpValidationError('HTTP_INVALID_OPTION', '`connections` must be a positive integer, got 0'), 'HttpValidationError', '`connections` must be a positive integer, got 0', undefined],
  ['HTTP_INVALID_JSON', new HttpInvalidJsonError(url, { cause }), 'HttpInvalidJsonError', `response body of ${url} is not valid JSON`, cause],
  ['HTTP_STATUS', new HttpStatusError('GET', response), 'HttpStatusError', `GET ${url} answered 502`, undefined],
  ['HTTP_TIMEOUT_CONNECT', new HttpTimeoutError('connect', 'GET', url, 100, { cause }), 'HttpTimeoutError', `GET ${url}: connect timeout of 100 ms expired`, cause],
  ['HTTP_TIMEOUT_HEADERS', new HttpTimeoutError('headers', 'GET', url, 200, { cause }), 'HttpTimeoutError', `GET ${url}: headers timeout of 200 ms expired`, cause],
  ['HTTP_TIMEOUT_BODY', new HttpTimeoutError('body', 'GET', url, 300, { cause }), 'HttpTimeoutError', `GET ${url}: body timeout of 300 ms expired`, cause],
  ['HTTP_TIMEOUT_TOTAL', new HttpTimeoutError('total', 'GET', url, 400), 'HttpTimeoutError', `GET ${url}: total timeout of 400 ms expired`, undefined],
  ['HTTP_ABORTED', new HttpAbortedError('GET', url, { cause }), 'HttpAbortedError', `GET ${url} was aborted by the caller`, cause],
  ['HTTP_NETWORK', new HttpNetworkError('GET', url, 'ECONNREFUSED', cause), 'HttpNetworkError', `GET ${url} failed: ECONNREFUSED (underlying)`, cause],
  ['HTTP_RESPONSE_TOO_LARGE', new HttpResponseTooLargeError('GET', url, 1024, { cause }), 'HttpResponseTooLargeError', `GET ${url}: response body exceeds maxResponseSize of 1024 bytes`, cause],
  ['HTTP_BODY_NOT_REPLAYABLE', new HttpBodyNotReplayableError('PUT', url, 'already sent', { cause }), 'HttpBodyNotReplayableError', `PUT ${url}: the stream body cannot be sent again (already sent)`, cause],
  ['HTTP_RETRY_AFTER_TOO_LONG', new HttpRetryAfterTooLongError('GET', response, 120_000, 30_000), 'HttpRetryAfterTooLongError', `GET ${url} answered 502 with Retry-After 120000 ms, more than the 30000 ms the retry policy waits (maxRetryAfterMs); not retried`, undefined],
  ['HTTP_CLIENT_CLOSED', new HttpClientClosedError('GET', url), 'HttpClientClosedError', `GET ${url}: the HttpClient is closed`, undefined],
];

describe(HttpError, () => {
  it('has one table row for every code in HTTP_ERROR_CODES', () => {
    expect(table.map(([code]) => code).sort()).toEqual([...HTTP_ERROR_CODES].sort());
  });

  it.each(table)('%s has its name, code, message and cause', (code, error, name, message, expectedCause) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(OnexError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(expectedCause);
    expect(isOnexError(error)).toBe(true);
    expect(isHttpError(error)).toBe(true);
    expect(error.toJSON()).toMatchObject({ name, code, message });
  });

  it('carries structured details on timeouts, status and network errors', () => {
    expect(table.find(([c]) => c === 'HTTP_TIMEOUT_HEADERS')![1]).toMatchObject({ kind: 'headers', details: { kind: 'headers', timeoutMs: 200, url } });
    expect(table.find(([c]) => c === 'HTTP_STATUS')![1]).toMatchObject({ statusCode: 502, response, details: { statusCode: 502, url } });
    expect(table.find(([c]) => c === 'HTTP_NETWORK')![1]).toMatchObject({ errorCode: 'ECONNREFUSED', details: { errorCode: 'ECONNREFUSED' } });
    expect(table.find(([c]) => c === 'HTTP_RETRY_AFTER_TOO_LONG')![1]).toMatchObject({
      retryAfterMs: 120_000,
      maxRetryAfterMs: 30_000,
      statusCode: 502,
      response,
      details: { retryAfterMs: 120_000, maxRetryAfterMs: 30_000, statusCode: 502, url },
    });
  });

  it('guards by code, so copies from another install are recognised and foreign errors are not', () => {
    const foreign = Object.assign(new Error('x'), { code: 'HTTP_TIMEOUT_BODY', details: {} });
    expect(isHttpTimeoutError(foreign)).toBe(true);
    expect(isHttpStatusError(table.find(([c]) => c === 'HTTP_STATUS')![1])).toBe(true);
    expect(isHttpError(new OnexError('CIRCUIT_OPEN', 'open'))).toBe(false);
    expect(isHttpError(new Error('plain'))).toBe(false);
    expect(isHttpError(null)).toBe(false);
  });
});
