import { isOnexError } from '@onex/spi-types';
import { HttpNetworkError } from '../errors/http-errors.js';
import type { AttemptOutcome } from './attempt-chain.js';
import type { HttpCallOutcome } from './metrics-recorder.js';
import type { NormalizedRetryPolicy } from './retry-policy.js';

/** What an outcome counts as, for every wrapper and for the metrics. */
export interface OutcomeVerdict {
  /** The `byOutcome` bucket of a call that ends with it. */
  readonly call: HttpCallOutcome;
  /** Whether the breaker counts the attempt as a failure (a 5xx, a timeout, a network error). */
  readonly breakerFailure: boolean;
  /** True for the breaker's own refusal (`CIRCUIT_OPEN`, `CIRCUIT_HALF_OPEN_FULL`). */
  readonly circuitRejection: boolean;
}

const verdict = (call: HttpCallOutcome, breakerFailure = false): OutcomeVerdict => ({ call, breakerFailure, circuitRejection: call === 'circuit_open' });

const SUCCESS = verdict('success');
const CLIENT_ERROR = verdict('http_error');
const SERVER_ERROR = verdict('http_error', true);
const OTHER_ERROR = verdict('error');

/** Errors by code; a code not listed is an `error` that the breaker does not count. */
const BY_CODE: Readonly<Record<string, OutcomeVerdict>> = {
  HTTP_TIMEOUT_CONNECT: verdict('timeout', true),
  HTTP_TIMEOUT_HEADERS: verdict('timeout', true),
  HTTP_TIMEOUT_BODY: verdict('timeout', true),
  HTTP_TIMEOUT_TOTAL: verdict('timeout', true),
  HTTP_NETWORK: verdict('network_error', true),
  // A caller's abort says nothing about the server's health.
  HTTP_ABORTED: verdict('aborted'),
  CIRCUIT_OPEN: verdict('circuit_open'),
  CIRCUIT_HALF_OPEN_FULL: verdict('circuit_open'),
  // Counted by the status class of the response it carries.
  HTTP_RETRY_AFTER_TOO_LONG: verdict('http_error'),
  HTTP_INVALID_URL: verdict('invalid_request'),
  HTTP_INVALID_METHOD: verdict('invalid_request'),
  HTTP_INVALID_HEADER: verdict('invalid_request'),
  HTTP_INVALID_BODY: verdict('invalid_request'),
  HTTP_INVALID_OPTION: verdict('invalid_request'),
};

/** The verdict on a response's status code: below 400 a success, 4xx an error, 5xx also a breaker failure. */
export function classifyStatus(statusCode: number): OutcomeVerdict {
  return statusCode < 400 ? SUCCESS : statusCode < 500 ? CLIENT_ERROR : SERVER_ERROR;
}

/** The verdict on anything thrown or returned as an error (an HttpError, a breaker's error, anything else). */
export function classifyError(error: unknown): OutcomeVerdict {
  return (isOnexError(error) ? BY_CODE[error.code] : undefined) ?? OTHER_ERROR;
}

/** The verdict on an attempt's outcome. */
export function classifyOutcome(outcome: AttemptOutcome): OutcomeVerdict {
  return outcome.kind === 'response' ? classifyStatus(outcome.response.statusCode) : classifyError(outcome.error);
}

/** OpenTelemetry's `error.type`: the error's code, or the status code of a 4xx/5xx; undefined for a success. */
export function errorTypeOf(outcome: AttemptOutcome): string | undefined {
  if (outcome.kind === 'error') return outcome.error.code;
  return outcome.response.statusCode >= 400 ? String(outcome.response.statusCode) : undefined;
}

/**
 * Why `policy` would retry this outcome (`status 503`, `ECONNRESET`, …), or undefined when it would not;
 * the method, the retry budget and `Retry-After` are the retry wrapper's to check. A network error
 * matches by its `errorCode` or by `HTTP_NETWORK`, any other error by its code.
 */
export function retryReasonOf(outcome: AttemptOutcome, policy: NormalizedRetryPolicy): string | undefined {
  if (outcome.kind === 'response') {
    const { statusCode } = outcome.response;
    return policy.retryOnStatusCodes.has(statusCode) ? `status ${statusCode}` : undefined;
  }
  const { error } = outcome;
  const errorCode = error instanceof HttpNetworkError ? error.errorCode : error.code;
  return policy.retryOnErrorCodes.has(errorCode) || policy.retryOnErrorCodes.has(error.code) ? errorCode : undefined;
}
