import { OnexError, hasErrorCode, type OnexErrorOptions } from '@onex/spi-types';

/** Thrown by `streamRequest` when the response status is not 2xx; carries the status and a bounded body excerpt. */
export class HttpStatusError extends OnexError<'HTTPX_STATUS'> {
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

/** True for an {@link HttpStatusError} (by code). */
export function isHttpStatusError(error: unknown): error is HttpStatusError {
  return hasErrorCode(error, 'HTTPX_STATUS');
}
