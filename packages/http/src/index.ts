export { HttpClient } from './http-client.js';
export type {
  HttpClientOptions,
  HttpInterceptedRequest,
  HttpProxyOptions,
  HttpRequestInterceptor,
  HttpRequestOptions,
  HttpResponseInterceptor,
  HttpRetryPolicy,
  HttpTlsOptions,
} from './http-client-options.js';
export { HttpResponse } from './http-response.js';
export type { HttpResponseInit } from './http-response.js';
export {
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
} from './errors/http-errors.js';
export type { HttpTimeoutKind, HttpValidationErrorCode } from './errors/http-errors.js';
export { HTTP_CHANNELS, HTTP_DIAGNOSTICS_CHANNELS } from './channels.js';
export { DEFAULT_RETRY_ERROR_CODES, DEFAULT_RETRY_METHODS } from './retry-defaults.js';
export type { HttpCallOutcome } from './http-call-outcome.js';
