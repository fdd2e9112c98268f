import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';

/**
 * Thrown by `streamRequest` when the response status is not 2xx; carries the status and a bounded body excerpt.
 * (`@onex/http` has its own `HttpStatusError`, code `HTTP_STATUS`; this one is `HTTPX_STATUS`.)
 */
export class HttpExtendedStatusError extends OnexError<'HTTPX_STATUS'> {
  /** HTTP status code of the response. */
  readonly statusCode: number;
  /** The first bytes of the response body, decoded as UTF-8 (at most 1 KiB). */
  readonly bodyExcerpt: string;

  constructor(method: string, url: string, statusCode: number, bodyExcerpt: string, options?: OnexErrorOptions) {
    super('HTTPX_STATUS', `${method} ${url} answered ${statusCode}${bodyExcerpt ? `: ${bodyExcerpt.slice(0, 200)}` : ''}`, {
      ...options,
      details: { method, url, statusCode, bodyExcerpt, ...options?.details },
    });
    this.statusCode = statusCode;
    this.bodyExcerpt = bodyExcerpt;
  }
}

/** True for an {@link HttpExtendedStatusError} (by code). */
export function isHttpExtendedStatusError(error: unknown): error is HttpExtendedStatusError {
  return hasErrorCode(error, 'HTTPX_STATUS');
}

/**
 * @deprecated Renamed {@link HttpExtendedStatusError} (the same class; error class names are unique across the
 * toolkit, and `@onex/http` exports a different `HttpStatusError`). Removed in the next release.
 */
export const HttpStatusError = HttpExtendedStatusError;
/** @deprecated Renamed {@link HttpExtendedStatusError}. Removed in the next release. */
export type HttpStatusError = HttpExtendedStatusError;

/** @deprecated Renamed {@link isHttpExtendedStatusError} (the same function). Removed in the next release. */
export const isHttpStatusError = isHttpExtendedStatusError;
