import { CircuitBreakerOpenError } from '@onex/spi-types';
import {
  HttpAbortedError,
  HttpNetworkError,
  HttpResponseTooLargeError,
  HttpRetryAfterTooLongError,
  HttpStatusError,
  HttpTimeoutError,
  HttpValidationError,
  type HttpError,
} from '../errors/http-errors.js';
import { HttpResponse } from '../http-response.js';
import type { AttemptOutcome } from './attempt-chain.js';
import { classifyError, classifyOutcome, errorTypeOf, retryReasonOf } from './classify-outcome.js';
import { normalizeRetryPolicy } from './retry-policy.js';

const url = 'http://127.0.0.1:1/';
const response = (statusCode: number): AttemptOutcome => ({ kind: 'response', response: new HttpResponse({ statusCode, url }) });
const failure = (error: HttpError): AttemptOutcome => ({ kind: 'error', error });

describe(classifyOutcome, () => {
  it.each<[string, string, boolean, string | undefined, AttemptOutcome]>([
    ['200', 'success', false, undefined, response(200)],
    ['302', 'success', false, undefined, response(302)],
    ['404', 'http_error', false, '404', response(404)],
    ['429', 'http_error', false, '429', response(429)],
    ['500', 'http_error', true, '500', response(500)],
    ['503', 'http_error', true, '503', response(503)],
    ['connect timeout', 'timeout', true, 'HTTP_TIMEOUT_CONNECT', failure(new HttpTimeoutError('connect', 'GET', url, 1))],
    ['headers timeout', 'timeout', true, 'HTTP_TIMEOUT_HEADERS', failure(new HttpTimeoutError('headers', 'GET', url, 1))],
    ['body timeout', 'timeout', true, 'HTTP_TIMEOUT_BODY', failure(new HttpTimeoutError('body', 'GET', url, 1))],
    ['total timeout', 'timeout', true, 'HTTP_TIMEOUT_TOTAL', failure(new HttpTimeoutError('total', 'GET', url, 1))],
    ['network error', 'network_error', true, 'HTTP_NETWORK', failure(new HttpNetworkError('GET', url, 'ECONNRESET', new Error('reset')))],
    ['caller abort', 'aborted', false, 'HTTP_ABORTED', failure(new HttpAbortedError('GET', url))],
    ['too large', 'error', false, 'HTTP_RESPONSE_TOO_LARGE', failure(new HttpResponseTooLargeError('GET', url, 1))],
    ['invalid option', 'invalid_request', false, 'HTTP_INVALID_OPTION', failure(new HttpValidationError('HTTP_INVALID_OPTION', 'bad'))],
    [
      'Retry-After too long',
      'http_error',
      false,
      'HTTP_RETRY_AFTER_TOO_LONG',
      failure(new HttpRetryAfterTooLongError('GET', new HttpResponse({ statusCode: 503, url }), 60_000, 1_000)),
    ],
  ])('classifies %s as %s (breaker failure: %s, error.type %s)', (_name, call, breakerFailure, errorType, outcome) => {
    expect(classifyOutcome(outcome)).toMatchObject({ call, breakerFailure, circuitRejection: false });
    expect(errorTypeOf(outcome)).toBe(errorType);
  });

  it("classifies the breaker's refusals as circuit rejections and anything unknown as a plain error", () => {
    expect(classifyError(new CircuitBreakerOpenError('c', 1000))).toEqual({ call: 'circuit_open', breakerFailure: false, circuitRejection: true });
    expect(classifyError(new Error('boom'))).toEqual({ call: 'error', breakerFailure: false, circuitRejection: false });
    expect(classifyError(new HttpStatusError('GET', new HttpResponse({ statusCode: 500, url })))).toMatchObject({ call: 'error' });
  });
});

describe(retryReasonOf, () => {
  const policy = normalizeRetryPolicy({ maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [503], retryOnErrorCodes: ['ECONNRESET', 'HTTP_TIMEOUT_HEADERS'] });

  it('names the status or error code the policy lists, and nothing else', () => {
    expect(retryReasonOf(response(503), policy)).toBe('status 503');
    expect(retryReasonOf(response(500), policy)).toBeUndefined();
    expect(retryReasonOf(failure(new HttpNetworkError('GET', url, 'ECONNRESET', undefined)), policy)).toBe('ECONNRESET');
    expect(retryReasonOf(failure(new HttpNetworkError('GET', url, 'ECONNREFUSED', undefined)), policy)).toBeUndefined();
    expect(retryReasonOf(failure(new HttpTimeoutError('headers', 'GET', url, 1)), policy)).toBe('HTTP_TIMEOUT_HEADERS');
    expect(retryReasonOf(failure(new HttpAbortedError('GET', url)), policy)).toBeUndefined();
  });

  it('matches a network error by HTTP_NETWORK too, reporting its own code', () => {
    const byFamily = normalizeRetryPolicy({ maxRetries: 1, backoffFactor: 0, retryOnStatusCodes: [], retryOnErrorCodes: ['HTTP_NETWORK'] });
    expect(retryReasonOf(failure(new HttpNetworkError('GET', url, 'EPIPE', undefined)), byFamily)).toBe('EPIPE');
  });
});
