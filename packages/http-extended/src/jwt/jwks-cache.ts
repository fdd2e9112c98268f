import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { Dispatcher } from 'undici';
import { JwtError } from '../errors/jwt-error.js';
import { publish } from '../internal/diagnostics.js';

type KeyResolver = ReturnType<typeof createLocalJWKSet>;
type ResolvedKey = Awaited<ReturnType<KeyResolver>>;

/** Settings of a {@link JwksCache}. */
export interface JwksCacheOptions {
  readonly url: string;
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * A remote JSON Web Key Set: fetched once and cached for `maxAgeMs`, refetched when a token names a
 * `kid` the cached set does not have (at most once per `cooldownMs`), one fetch at a time.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  readonly #dispatcher: Dispatcher;
  #resolver: KeyResolver | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;
  #fetches = 0;

  constructor(options: JwksCacheOptions, dispatcher: Dispatcher) {
    this.#options = options;
    this.#dispatcher = dispatcher;
  }

  /** Number of JWKS fetches made so far. */
  get fetches(): number {
    return this.#fetches;
  }

  /** Finds the key for a token header, refetching the set on an unknown key when the cooldown allows. */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<ResolvedKey> {
    if (this.#resolver === undefined || Date.now() - this.#fetchedAt >= this.#options.maxAgeMs) await this.#refresh();
    try {
      return await this.#resolver!(header, token);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      if (Date.now() - this.#fetchedAt < this.#options.cooldownMs) throw error;
      await this.#refresh();
      return this.#resolver!(header, token);
    }
  }

  #refresh(): Promise<void> {
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<void> {
    const url = new URL(this.#options.url);
    this.#fetches += 1;
    publish('jwks-fetch', { url: this.#options.url });
    let text: string;
    let statusCode: number;
    try {
      const response = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: 'application/json, application/jwk-set+json' },
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS fetch from ${this.#options.url} failed: ${(error as Error).message}`, {
        cause: error,
        details: { url: this.#options.url },
      });
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS fetch from ${this.#options.url} answered ${statusCode}`, {
        details: { url: this.#options.url, statusCode },
      });
    }
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(text) as JSONWebKeySet;
      this.#resolver = createLocalJWKSet(jwks);
    } catch (error) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS from ${this.#options.url} is not a valid key set`, {
        cause: error,
        details: { url: this.#options.url },
      });
    }
    this.#fetchedAt = Date.now();
  }
}
