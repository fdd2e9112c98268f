/** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
export type OAuth2ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Client-credentials settings of an {@link HttpExtended} client. */
export interface OAuth2Options {
  /** Client authentication. @default 'client_secret_basic' */
  readonly clientAuthMethod?: OAuth2ClientAuthMethod;
  /** Refresh a cached token this many ms before it expires. @default 30000 */
  readonly refreshSkewMs?: number;
  /**
   * Refresh skew in seconds.
   * @deprecated Use `refreshSkewMs` (one unit for durations across the toolkit); removed in the next release.
   * Giving both is `HTTPX_INVALID_OPTION`.
   */
  readonly refreshSkewSeconds?: number;
  /** Timeout of one token request, in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Lifetime assumed when the server omits `expires_in`, in seconds. @default 300 */
  readonly defaultExpiresInSeconds?: number;
  /** Current time in epoch ms (tests). @default Date.now */
  readonly clock?: () => number;
}
