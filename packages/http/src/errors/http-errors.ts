import {
  HTTP_ERROR_CODES,
  OnexError,
  hasErrorCode,
  isOnexError,
  type HttpErrorCode,
  type OnexErrorOptions,
  type ProtocolHttpResponse,
} from '@onex/spi-types';

const HTTP_CODES: ReadonlySet<string> = new Set(HTTP_ERROR_CODES);

/** Codes of input problems, detected before any network I/O. */
export type HttpValidationErrorCode = Extract<
  HttpErrorCode,
  'HTTP_INVALID_URL' | 'HTTP_INVALID_METHOD' | 'HTTP_INVALID_HEADER' | 'HTTP_INVALID_BODY' | 'HTTP_INVALID_OPTION'
>;

/** Which of the four deadlines expired. */
export type HttpTimeoutKind = 'connect' | 'headers' | 'body' | 'total';

const TIMEOUT_CODES = {
  connect: 'HTTP_TIMEOUT_CONNECT',
  headers: 'HTTP_TIMEOUT_HEADERS',
  body: 'HTTP_TIMEOUT_BODY',
  total: 'HTTP_TIMEOUT_TOTAL',
} as const satisfies Record<HttpTimeoutKind, HttpErrorCode>;

/** Base of every error `@onex/http` throws; `code` is one of `HTTP_ERROR_CODES`. */
export class HttpError<C extends HttpErrorCode = HttpErrorCode> extends OnexError<C> {}

/** A bad URL, method, header, body or option, reported before any network I/O. */
export class HttpValidationError extends HttpError<HttpValidationErrorCode> {
  constructor(code: HttpValidationErrorCode, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

/** `response.json()` on a body that is not valid JSON. */
export class HttpInvalidJsonError extends HttpError<'HTTP_INVALID_JSON'> {
  constructor(url: string, options?: OnexErrorOptions) {
    super('HTTP_INVALID_JSON', `response body of ${url} is not valid JSON`, options);
  }
}

/** A 4xx/5xx response when the caller asked for `throwOnStatus`. */
export class HttpStatusError extends HttpError<'HTTP_STATUS'> {
  /** The status code of the response. */
  readonly statusCode: number;
  /** The complete response. */
  readonly response: ProtocolHttpResponse;

  constructor(method: string, response: ProtocolHttpResponse, options?: OnexErrorOptions) {
    super('HTTP_STATUS', `${method} ${response.url} answered ${response.statusCode}`, {
      ...options,
      details: { statusCode: response.statusCode, url: response.url, ...options?.details },
    });
    this.statusCode = response.statusCode;
    this.response = response;
  }
}

/** One of the four deadlines (connect, headers, body idle, total) expired. */
export class HttpTimeoutError extends HttpError<
  'HTTP_TIMEOUT_CONNECT' | 'HTTP_TIMEOUT_HEADERS' | 'HTTP_TIMEOUT_BODY' | 'HTTP_TIMEOUT_TOTAL'
> {
  /** Which deadline expired. */
  readonly kind: HttpTimeoutKind;

  constructor(kind: HttpTimeoutKind, method: string, url: string, timeoutMs: number, options?: OnexErrorOptions) {
    super(TIMEOUT_CODES[kind], `${method} ${url}: ${kind} timeout of ${timeoutMs} ms expired`, {
      ...options,
      details: { kind, timeoutMs, url, ...options?.details },
    });
    this.kind = kind;
  }
}

/** The caller's AbortSignal cancelled the call. */
export class HttpAbortedError extends HttpError<'HTTP_ABORTED'> {
  constructor(method: string, url: string, options?: OnexErrorOptions) {
    super('HTTP_ABORTED', `${method} ${url} was aborted by the caller`, options);
  }
}

/** A connection-level failure (refused, reset, closed by the peer, DNS, TLS, …). */
export class HttpNetworkError extends HttpError<'HTTP_NETWORK'> {
  /** The underlying error code (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, …). */
  readonly errorCode: string;

  constructor(method: string, url: string, errorCode: string, cause: unknown) {
    super(
      'HTTP_NETWORK',
      `${method} ${url} failed: ${errorCode}${cause instanceof Error && cause.message ? ` (${cause.message})` : ''}`,
      { cause, details: { errorCode, url } },
    );
    this.errorCode = errorCode;
  }
}

/** The response body exceeded `maxResponseSize`. */
export class HttpResponseTooLargeError extends HttpError<'HTTP_RESPONSE_TOO_LARGE'> {
  constructor(method: string, url: string, maxResponseSize: number, options?: OnexErrorOptions) {
    super('HTTP_RESPONSE_TOO_LARGE', `${method} ${url}: response body exceeds maxResponseSize of ${maxResponseSize} bytes`, {
      ...options,
      details: { maxResponseSize, url, ...options?.details },
    });
  }
}

/** A retry was needed but the request body is a stream that was already consumed. */
export class HttpBodyNotReplayableError extends HttpError<'HTTP_BODY_NOT_REPLAYABLE'> {
  constructor(method: string, url: string, reason: string, options?: OnexErrorOptions) {
    super('HTTP_BODY_NOT_REPLAYABLE', `${method} ${url}: the stream body cannot be sent again (${reason})`, options);
  }
}

/**
 * A response that the retry policy would retry asked (`Retry-After`) for a longer wait than the policy
 * allows (`maxRetryAfterMs`): the client gives up rather than retry before the server said it may.
 */
export class HttpRetryAfterTooLongError extends HttpError<'HTTP_RETRY_AFTER_TOO_LONG'> {
  /** The wait the server asked for, in ms. */
  readonly retryAfterMs: number;
  /** The longest wait the policy allows, in ms. */
  readonly maxRetryAfterMs: number;
  /** The status code of the response. */
  readonly statusCode: number;
  /** The complete response that carried the `Retry-After`. */
  readonly response: ProtocolHttpResponse;

  constructor(method: string, response: ProtocolHttpResponse, retryAfterMs: number, maxRetryAfterMs: number, options?: OnexErrorOptions) {
    super(
      'HTTP_RETRY_AFTER_TOO_LONG',
      `${method} ${response.url} answered ${response.statusCode} with Retry-After ${retryAfterMs} ms, more than the ${maxRetryAfterMs} ms the retry policy waits (maxRetryAfterMs); not retried`,
      { ...options, details: { statusCode: response.statusCode, url: response.url, retryAfterMs, maxRetryAfterMs, ...options?.details } },
    );
    this.retryAfterMs = retryAfterMs;
    this.maxRetryAfterMs = maxRetryAfterMs;
    this.statusCode = response.statusCode;
    this.response = response;
  }
}

/** The client was closed. */
export class HttpClientClosedError extends HttpError<'HTTP_CLIENT_CLOSED'> {
  constructor(method: string, url: string, options?: OnexErrorOptions) {
    super('HTTP_CLIENT_CLOSED', `${method} ${url}: the HttpClient is closed`, options);
  }
}

/** True for any error of `@onex/http` (checked by code, so it works across duplicate installs). */
export function isHttpError(error: unknown): error is HttpError {
  return isOnexError(error) && HTTP_CODES.has(error.code);
}

/** True for an {@link HttpTimeoutError} of any kind. */
export function isHttpTimeoutError(error: unknown): error is HttpTimeoutError {
  return isHttpError(error) && error.code.startsWith('HTTP_TIMEOUT_');
}

/** True for an {@link HttpStatusError}. */
export function isHttpStatusError(error: unknown): error is HttpStatusError {
  return hasErrorCode(error, 'HTTP_STATUS');
}
