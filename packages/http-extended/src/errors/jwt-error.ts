import { OnexError, isOnexError, type OnexErrorOptions } from '@onex/spi-types';

/** Codes of {@link JwtError}. */
export type JwtErrorCode =
  | 'JWT_INVALID'
  | 'JWT_EXPIRED'
  | 'JWT_NOT_YET_VALID'
  | 'JWT_BAD_SIGNATURE'
  | 'JWT_ALG_NOT_ALLOWED'
  | 'JWT_ALG_NONE'
  | 'JWT_KEY_MISMATCH'
  | 'JWT_ISSUER_MISMATCH'
  | 'JWT_AUDIENCE_MISMATCH'
  | 'JWT_CLAIM_MISSING'
  | 'JWT_NO_KEY'
  | 'JWKS_FETCH_FAILED';

/** A JWT that failed verification, with one code per reason. */
export class JwtError extends OnexError<JwtErrorCode> {
  constructor(code: JwtErrorCode, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

/** True for a {@link JwtError} (by code prefix). */
export function isJwtError(error: unknown): error is JwtError {
  return isOnexError(error) && (error.code.startsWith('JWT_') || error.code === 'JWKS_FETCH_FAILED');
}
