/** A public JSON Web Key (RFC 7517) as a plain object. */
export interface PublicJwk {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly crv?: string;
  readonly [parameter: string]: unknown;
}

/** How `authenticateJwt` finds keys and which claims it checks. */
export interface JwtOptions {
  /** Shared secret for HS256/384/512; strings are used as UTF-8 bytes. */
  readonly secret?: string | Uint8Array;
  /** Public key for asymmetric algorithms: a PEM (`PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE`) or a JWK. */
  readonly publicKey?: string | PublicJwk;
  /** URL of a JSON Web Key Set; keys are cached and refetched on an unknown `kid`. */
  readonly jwksUrl?: string;
  /** Algorithms accepted. @default every algorithm the configured keys can verify */
  readonly algorithms?: readonly string[];
  /** Expected `iss` (one of). */
  readonly issuer?: string | readonly string[];
  /** Expected `aud` (one of). */
  readonly audience?: string | readonly string[];
  /** Leeway for `exp`/`nbf`/`iat`, in seconds. @default 0 */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present. @default [] */
  readonly requiredClaims?: readonly string[];
  /** Lifetime of a fetched JWKS, in ms. @default 600000 */
  readonly jwksCacheMaxAgeMs?: number;
  /** Minimum time after a JWKS fetch attempt before a refetch for an unknown `kid`, and after a failed fetch before any retry, in ms. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** Largest JWKS response body accepted, in bytes; a larger one fails with `JWKS_FETCH_FAILED` while it is read. @default 1048576 (1 MiB) */
  readonly jwksMaxBytes?: number;
  /** Timeout of a JWKS fetch, in ms. @default 5000 */
  readonly jwksTimeoutMs?: number;
  /** Current time in epoch ms used for `exp`/`nbf` checks (tests, replays). @default Date.now */
  readonly clock?: () => number;
}
