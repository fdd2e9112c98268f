import { OnexError, isOnexError, type OnexErrorOptions } from '@onex/spi-types';

/** Codes of {@link OAuth2Error}. */
export type OAuth2ErrorCode = 'OAUTH2_ERROR' | 'OAUTH2_INVALID_RESPONSE' | 'OAUTH2_REQUEST_FAILED';

/** Facts of an OAuth2 error response (RFC 6749 §5.2). */
export interface OAuth2ErrorFields {
  /** The `error` code, e.g. `invalid_client`. */
  readonly error?: string;
  /** The `error_description`, when sent. */
  readonly errorDescription?: string;
  /** The `error_uri`, when sent. */
  readonly errorUri?: string;
  /** HTTP status of the token response. */
  readonly statusCode?: number;
}

/** A failed token request: an OAuth2 error response, a malformed response, or a network failure. */
export class OAuth2Error extends OnexError<OAuth2ErrorCode> {
  /** The OAuth2 `error` code, when the server sent one. */
  readonly error: string | undefined;
  /** The OAuth2 `error_description`, when the server sent one. */
  readonly errorDescription: string | undefined;
  /** HTTP status of the token response, when one arrived. */
  readonly statusCode: number | undefined;

  constructor(code: OAuth2ErrorCode, message: string, fields: OAuth2ErrorFields = {}, options?: OnexErrorOptions) {
    super(code, message, { ...options, details: { ...fields, ...options?.details } });
    this.error = fields.error;
    this.errorDescription = fields.errorDescription;
    this.statusCode = fields.statusCode;
  }
}

/** True for an {@link OAuth2Error} (by code prefix). */
export function isOAuth2Error(error: unknown): error is OAuth2Error {
  return isOnexError(error) && error.code.startsWith('OAUTH2_');
}
