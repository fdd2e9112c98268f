import { OnexError, isOnexError, type OnexErrorOptions } from '@onex/spi-types';

/** Codes of {@link StreamRequestError}. */
export type StreamRequestErrorCode = 'HTTPX_STREAM_ABORTED' | 'HTTPX_REQUEST_FAILED' | 'HTTPX_CLOSED';

/** Thrown when a streamed request fails on the network, is aborted, or the client is closed. */
export class StreamRequestError extends OnexError<StreamRequestErrorCode> {
  constructor(code: StreamRequestErrorCode, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

const CODES: ReadonlySet<string> = new Set<StreamRequestErrorCode>(['HTTPX_STREAM_ABORTED', 'HTTPX_REQUEST_FAILED', 'HTTPX_CLOSED']);

/** True for a {@link StreamRequestError} (by code). */
export function isStreamRequestError(error: unknown): error is StreamRequestError {
  return isOnexError(error) && CODES.has(error.code);
}
