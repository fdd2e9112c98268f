/** Algorithms verified with a shared secret. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** Algorithms verified with an RSA key. */
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
const EC_ALGORITHMS: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const OKP_ALGORITHMS = ['EdDSA', 'Ed25519'] as const;

/** Every asymmetric algorithm a JWKS may serve keys for. */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  ...RSA_ALGORITHMS,
  ...Object.values(EC_ALGORITHMS),
  ...OKP_ALGORITHMS,
];

/** The algorithms a public JWK can verify (key-type confusion is rejected on this basis). */
export function algorithmsForJwk(jwk: { readonly kty: string; readonly crv?: string }): readonly string[] {
  switch (jwk.kty) {
    case 'RSA':
      return RSA_ALGORITHMS;
    case 'EC': {
      const alg = jwk.crv === undefined ? undefined : EC_ALGORITHMS[jwk.crv];
      return alg === undefined ? [] : [alg];
    }
    case 'OKP':
      return jwk.crv === 'Ed25519' ? OKP_ALGORITHMS : [];
    case 'oct':
      return HMAC_ALGORITHMS;
    default:
      return [];
  }
}

/** True for an HMAC algorithm name. */
export function isHmacAlgorithm(alg: string): boolean {
  return (HMAC_ALGORITHMS as readonly string[]).includes(alg);
}
