import { OnexError, isOnexError, type OnexErrorOptions } from '@onex/spi-types';

/** Codes of {@link CompressionError}. */
export type CompressionErrorCode =
  | 'COMPRESSION_UNSUPPORTED'
  | 'COMPRESSION_FAILED'
  | 'DECOMPRESSION_TOO_LARGE'
  | 'DECOMPRESSION_FAILED';

/** A compression failure: unknown coding, corrupt input, or decoded output above the cap. */
export class CompressionError extends OnexError<CompressionErrorCode> {
  constructor(code: CompressionErrorCode, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

/** True for a {@link CompressionError} (by code). */
export function isCompressionError(error: unknown): error is CompressionError {
  return isOnexError(error) && (error.code.startsWith('COMPRESSION_') || error.code.startsWith('DECOMPRESSION_'));
}
