import { createPublicKey, webcrypto } from 'node:crypto';
import {
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from 'jose';
import type { Dispatcher } from 'undici';
import type { ProtocolJWTClaims } from '@onex/spi-types';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { positiveInteger } from '../internal/validate.js';
import { JwtError, type JwtErrorCode } from '../errors/jwt-error.js';
import { publish } from '../internal/diagnostics.js';
import { JwksCache } from './jwks-cache.js';
import type { JwtOptions, PublicJwk } from './jwt-options.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, algorithmsForJwk, isHmacAlgorithm } from './key-algorithms.js';

type VerifyKey = Parameters<typeof jwtVerify>[1];

/** A key set of a few dozen keys is a few KiB; 1 MiB leaves room while bounding what a hostile endpoint can make us hold. */
const DEFAULT_JWKS_MAX_BYTES = 1024 * 1024;

const HMAC_HASH: Readonly<Record<string, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

/**
 * Verifies JWTs with the configured secret, public key or remote JWKS: algorithm allow-list,
 * `alg: none` and key-type confusion always rejected, issuer/audience/time/required-claim checks.
 */
export class JwtVerifier {
  readonly #secret: Uint8Array | undefined;
  readonly #publicJwk: PublicJwk | undefined;
  readonly #jwks: JwksCache | undefined;
  readonly #allowed: ReadonlySet<string>;
  readonly #verifyOptions: Omit<JWTVerifyOptions, 'algorithms' | 'currentDate'>;
  readonly #clock: (() => number) | undefined;
  readonly #keys = new Map<string, Promise<VerifyKey>>();
  readonly #readyKeys = new Map<string, VerifyKey>();
  readonly #optionsByAlg = new Map<string, JWTVerifyOptions>();
  readonly #jwksKey: JWTVerifyGetKey | undefined;

  /** @throws InvalidOptionError when a key, URL or option is malformed */
  constructor(options: JwtOptions, dispatcher: Dispatcher) {
    const { secret, publicKey, jwksUrl } = options;
    if (secret !== undefined) {
      if (!(typeof secret === 'string' || secret instanceof Uint8Array) || secret.length === 0) {
        throw new InvalidOptionError('jwt.secret', 'must be a non-empty string or Uint8Array', secret);
      }
      this.#secret = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    }
    if (publicKey !== undefined) this.#publicJwk = toPublicJwk(publicKey);
    if (jwksUrl !== undefined) {
      if (typeof jwksUrl !== 'string' || !/^https?:\/\//i.test(jwksUrl) || !URL.canParse(jwksUrl)) {
        throw new InvalidOptionError('jwt.jwksUrl', 'must be an http(s) URL', jwksUrl);
      }
      this.#jwks = new JwksCache(
        {
          url: jwksUrl,
          maxAgeMs: nonNegative('jwt.jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 600_000),
          cooldownMs: nonNegative('jwt.jwksCooldownMs', options.jwksCooldownMs, 30_000),
          timeoutMs: positive('jwt.jwksTimeoutMs', options.jwksTimeoutMs, 5_000),
          maxBytes: positiveInteger('jwt.jwksMaxBytes', options.jwksMaxBytes, DEFAULT_JWKS_MAX_BYTES),
          now: Date.now,
        },
        dispatcher,
      );
      const jwks = this.#jwks;
      this.#jwksKey = (header, token) => jwks.getKey(header, token);
    }
    const supported = new Set<string>([
      ...(this.#secret ? HMAC_ALGORITHMS : []),
      ...(this.#publicJwk ? algorithmsForJwk(this.#publicJwk) : []),
      ...(this.#jwks ? ASYMMETRIC_ALGORITHMS : []),
    ]);
    if (options.algorithms !== undefined) {
      if (!Array.isArray(options.algorithms) || options.algorithms.some((a) => typeof a !== 'string')) {
        throw new InvalidOptionError('jwt.algorithms', 'must be an array of algorithm names', options.algorithms);
      }
      for (const alg of options.algorithms as readonly string[]) {
        if (alg.toLowerCase() === 'none') throw new InvalidOptionError('jwt.algorithms', "must not contain 'none'", alg);
      }
      this.#allowed = new Set(options.algorithms);
    } else {
      this.#allowed = supported;
    }
    const tolerance = nonNegative('jwt.clockToleranceSeconds', options.clockToleranceSeconds, 0);
    this.#verifyOptions = {
      ...(options.issuer !== undefined ? { issuer: stringList('jwt.issuer', options.issuer) } : {}),
      ...(options.audience !== undefined ? { audience: stringList('jwt.audience', options.audience) } : {}),
      clockTolerance: tolerance,
      ...(options.requiredClaims !== undefined
        ? { requiredClaims: stringList('jwt.requiredClaims', options.requiredClaims) as string[] }
        : {}),
    };
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new InvalidOptionError('jwt.clock', 'must be a function returning epoch milliseconds', options.clock);
    }
    this.#clock = options.clock;
  }

  /** True when at least one key source is configured. */
  get configured(): boolean {
    return this.#secret !== undefined || this.#publicJwk !== undefined || this.#jwks !== undefined;
  }

  /** JWKS fetches made so far (0 without a `jwksUrl`). */
  get jwksFetches(): number {
    return this.#jwks?.fetches ?? 0;
  }

  /**
   * Verifies `token` as signed with `algorithm` and returns its claims.
   * @throws JwtError with a code per failure (`JWT_ALG_NONE`, `JWT_EXPIRED`, `JWT_BAD_SIGNATURE`, …)
   */
  verify(token: string, algorithm: string): Promise<ProtocolJWTClaims> {
    // Fast path: the key for `algorithm` is ready, so verify once and let jose check the header `alg`
    // against `[algorithm]`; the header is only decoded on failure, to report exactly what the
    // up-front checks in #verify would have reported.
    const key = typeof token === 'string' && token.length > 0 && this.#allowed.has(algorithm) ? this.#readyKey(algorithm) : undefined;
    if (key === undefined) return this.#verify(token, algorithm).catch((error: unknown) => this.#reject(error, algorithm));
    const onError = (error: unknown): never => this.#reject(checkHeader(token, algorithm) ?? error, algorithm);
    let options: JWTVerifyOptions;
    try {
      options = this.#options(algorithm); // calls a custom clock, which may throw
    } catch (error) {
      return Promise.reject(error).catch(onError);
    }
    return jwtVerify(token, key, options).then((result) => {
      const datesError = numericDateError(result.payload);
      return datesError === undefined ? (result.payload as ProtocolJWTClaims) : this.#reject(datesError, algorithm);
    }, onError);
  }

  #reject(error: unknown, algorithm: string): never {
    const mapped = error instanceof JwtError ? error : mapJoseError(error);
    publish('jwt-rejected', { code: mapped.code, algorithm });
    throw mapped;
  }

  async #verify(token: string, algorithm: string): Promise<ProtocolJWTClaims> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new JwtError('JWT_INVALID', `token must be a non-empty string, got ${typeof token}`);
    }
    if (typeof algorithm !== 'string' || algorithm.toLowerCase() === 'none') {
      throw new JwtError('JWT_ALG_NONE', `algorithm 'none' is never accepted`);
    }
    if (!this.#allowed.has(algorithm)) {
      throw new JwtError('JWT_ALG_NOT_ALLOWED', `algorithm '${algorithm}' is not in the allow-list [${[...this.#allowed].join(', ')}]`);
    }
    const headerError = checkHeader(token, algorithm);
    if (headerError !== undefined) throw headerError;
    const alg = algorithm;
    const options = this.#options(alg);
    let payload: JWTPayload;
    if (isHmacAlgorithm(alg)) {
      if (this.#secret === undefined) throw this.#mismatch(alg);
      payload = (await jwtVerify(token, await this.#key(alg), options)).payload;
    } else if (this.#publicJwk !== undefined && algorithmsForJwk(this.#publicJwk).includes(alg)) {
      payload = (await jwtVerify(token, await this.#key(alg), options)).payload;
    } else if (this.#jwksKey !== undefined) {
      payload = (await jwtVerify(token, this.#jwksKey, options)).payload;
    } else {
      throw this.#mismatch(alg);
    }
    const datesError = numericDateError(payload);
    if (datesError !== undefined) throw datesError;
    return payload as ProtocolJWTClaims;
  }

  /** Verify options for `alg`: built once per algorithm, per call only with a custom clock. */
  #options(alg: string): JWTVerifyOptions {
    if (this.#clock) return { ...this.#verifyOptions, algorithms: [alg], currentDate: new Date(this.#clock()) };
    let options = this.#optionsByAlg.get(alg);
    if (options === undefined) {
      options = Object.freeze({ ...this.#verifyOptions, algorithms: Object.freeze([alg]) as string[] });
      this.#optionsByAlg.set(alg, options);
    }
    return options;
  }

  /** The key #verify would use for `alg` when it is already imported (otherwise undefined: take the slow path). */
  #readyKey(alg: string): VerifyKey | JWTVerifyGetKey | undefined {
    if (isHmacAlgorithm(alg)) return this.#secret === undefined ? undefined : this.#readyKeys.get(alg);
    if (this.#publicJwk !== undefined && algorithmsForJwk(this.#publicJwk).includes(alg)) return this.#readyKeys.get(alg);
    return this.#jwksKey;
  }

  #mismatch(alg: string): JwtError {
    if (!this.configured) return new JwtError('JWT_NO_KEY', 'no JWT key is configured (jwt.secret, jwt.publicKey or jwt.jwksUrl)');
    const have = [this.#secret && 'a shared secret', this.#publicJwk && `a ${this.#publicJwk.kty} public key`]
      .filter(Boolean)
      .join(' and ');
    return new JwtError('JWT_KEY_MISMATCH', `algorithm '${alg}' does not match the configured key (${have})`);
  }

  #key(alg: string): Promise<VerifyKey> {
    let key = this.#keys.get(alg);
    if (key === undefined) {
      key = isHmacAlgorithm(alg)
        ? (webcrypto.subtle.importKey('raw', this.#secret!, { name: 'HMAC', hash: HMAC_HASH[alg]! }, false, [
            'verify',
          ]) as Promise<VerifyKey>)
        : (importJWK({ ...this.#publicJwk!, alg }, alg) as Promise<VerifyKey>);
      this.#keys.set(alg, key);
      key.then(
        (ready) => this.#readyKeys.set(alg, ready),
        () => undefined, // reported by the awaiting #verify call
      );
    }
    return key;
  }
}

/** The header checks made before verifying: an error for a malformed token or a header `alg` other than `algorithm`. */
function checkHeader(token: string, algorithm: string): JwtError | undefined {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    return new JwtError('JWT_INVALID', `token is not a compact JWS: ${(error as Error).message}`, { cause: error });
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') {
    return new JwtError('JWT_ALG_NONE', `token header alg ${JSON.stringify(alg ?? null)} is never accepted (unsecured JWT)`);
  }
  if (alg !== algorithm) {
    return new JwtError('JWT_ALG_NOT_ALLOWED', `token is signed with '${alg}' but '${algorithm}' was expected`);
  }
  // No JWS extension is understood here (jose's own `b64` is refused for JWTs later), so a
  // critical one makes the token unacceptable as a token, whatever key verifies it (RFC 7515 §4.1.11).
  const crit: unknown = header.crit;
  if (crit !== undefined && (!Array.isArray(crit) || crit.some((name) => name !== 'b64'))) {
    return new JwtError('JWT_INVALID', `token header marks ${JSON.stringify(crit)} as critical; no critical extension is supported`, {
      details: { crit },
    });
  }
  return undefined;
}

const NUMERIC_DATE_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/** `exp: 1e400` parses to Infinity, which would pass every time check; such claims make the token invalid. */
function numericDateError(payload: JWTPayload): JwtError | undefined {
  for (const claim of NUMERIC_DATE_CLAIMS) {
    const value = payload[claim];
    if (value !== undefined && !Number.isFinite(value)) {
      return new JwtError('JWT_INVALID', `claim "${claim}" must be a finite NumericDate, got ${String(value)}`, { details: { claim } });
    }
  }
  return undefined;
}

function toPublicJwk(value: unknown): PublicJwk {
  if (typeof value === 'string') {
    try {
      const key = createPublicKey(value);
      return key.export({ format: 'jwk' }) as PublicJwk;
    } catch (error) {
      throw new InvalidOptionError('jwt.publicKey', 'must be a PEM public key, certificate or JWK', value, { cause: error });
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as PublicJwk).kty === 'string') {
    const jwk = value as PublicJwk;
    if ('d' in jwk) {
      // Drop private members so a private JWK can be passed without widening what is kept in memory.
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = jwk as Record<string, unknown>;
      return publicPart as PublicJwk;
    }
    if (algorithmsForJwk(jwk).length === 0 || jwk.kty === 'oct') {
      throw new InvalidOptionError('jwt.publicKey', 'must be an RSA, EC (P-256/384/521) or Ed25519 key', `kty ${jwk.kty}`);
    }
    return jwk;
  }
  throw new InvalidOptionError('jwt.publicKey', 'must be a PEM public key, certificate or JWK', value);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(name, 'must be a non-negative number', value);
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, 'must be a positive number', value);
  }
  return value;
}

function stringList(name: string, value: string | readonly string[]): string | string[] {
  if (typeof value === 'string' && value.length > 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0)) {
    return [...(value as string[])];
  }
  throw new InvalidOptionError(name, 'must be a non-empty string or array of non-empty strings', value);
}

function mapJoseError(error: unknown): JwtError {
  const e = error as { code?: string; claim?: string; reason?: string; message?: string; name?: string };
  const message = e.message ?? String(error);
  let code: JwtErrorCode;
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      code = 'JWT_EXPIRED';
      break;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      code =
        e.reason === 'missing'
          ? 'JWT_CLAIM_MISSING'
          : e.claim === 'nbf'
            ? 'JWT_NOT_YET_VALID'
            : e.claim === 'iss'
              ? 'JWT_ISSUER_MISMATCH'
              : e.claim === 'aud'
                ? 'JWT_AUDIENCE_MISMATCH'
                : 'JWT_INVALID';
      break;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      code = 'JWT_BAD_SIGNATURE';
      break;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      code = 'JWT_ALG_NOT_ALLOWED';
      break;
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      code = 'JWT_NO_KEY';
      break;
    case 'ERR_JOSE_NOT_SUPPORTED':
      // An unrecognised `crit` extension is a property of the token, not of the key.
      code = /Extension Header Parameter/i.test(message) ? 'JWT_INVALID' : 'JWT_KEY_MISMATCH';
      break;
    default:
      code = error instanceof TypeError ? 'JWT_KEY_MISMATCH' : 'JWT_INVALID';
  }
  return new JwtError(code, `JWT rejected: ${message}`, { cause: error, details: e.claim ? { claim: e.claim } : {} });
}
