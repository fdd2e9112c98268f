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
  readonly maxBytes: number;
  readonly now: () => number;
}

/**
 * A remote JSON Web Key Set: fetched once and cached for `maxAgeMs`, refetched when a token names a
 * `kid` the cached set does not have, one fetch at a time. After any fetch attempt (failed, or for an
 * unknown `kid`) no other is made for `cooldownMs`, so a stream of bad tokens cannot turn into a
 * stream of fetches; a response larger than `maxBytes` is refused while it is read.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  readonly #dispatcher: Dispatcher;
  #resolver: KeyResolver | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #failure: JwtError | undefined;
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
    if (this.#resolver === undefined || this.#options.now() - this.#fetchedAt >= this.#options.maxAgeMs) await this.#refresh();
    try {
      return await this.#resolver!(header, token);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      if (this.#coolingDown()) throw error;
      await this.#refresh();
      return this.#resolver!(header, token);
    }
  }

  #coolingDown(): boolean {
    return this.#options.now() - this.#attemptedAt < this.#options.cooldownMs;
  }

  #refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const failure = this.#failure;
    if (failure !== undefined && this.#coolingDown()) {
      // Within the cooldown of a failed fetch: fail like it did, without another request.
      const retryInMs = Math.max(0, Math.ceil(this.#attemptedAt + this.#options.cooldownMs - this.#options.now()));
      return Promise.reject(
        new JwtError('JWKS_FETCH_FAILED', `${failure.message} (not retried for ${retryInMs} ms more: jwksCooldownMs)`, {
          cause: failure,
          details: { ...failure.details, retryInMs },
        }),
      );
    }
    this.#attemptedAt = this.#options.now();
    this.#inFlight = this.#fetch()
      .then(
        () => {
          this.#failure = undefined;
        },
        (error: JwtError) => {
          this.#failure = error;
          throw error;
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #fetch(): Promise<void> {
    const url = new URL(this.#options.url);
    const maxBytes = this.#options.maxBytes;
    this.#fetches += 1;
    publish('jwks-fetch', { url: this.#options.url });
    const where = { url: this.#options.url };
    let statusCode: number;
    let declared: number;
    let text: string | undefined;
    try {
      const response = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: 'application/json, application/jwk-set+json' },
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      statusCode = response.statusCode;
      declared = Number(response.headers['content-length']);
      // An error body, or one declared larger than the cap, is not read at all.
      const wanted = statusCode >= 200 && statusCode < 300 && !(declared > maxBytes);
      text = wanted ? await readCapped(response.body, maxBytes) : discard(response.body);
    } catch (error) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS fetch from ${this.#options.url} failed: ${(error as Error).message}`, {
        cause: error,
        details: where,
      });
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS fetch from ${this.#options.url} answered ${statusCode}`, {
        details: { ...where, statusCode },
      });
    }
    if (text === undefined) {
      throw new JwtError(
        'JWKS_FETCH_FAILED',
        `JWKS response from ${this.#options.url} exceeds jwksMaxBytes (${maxBytes} bytes)${declared > maxBytes ? `: content-length ${declared}` : ''}`,
        { details: { ...where, maxBytes, ...(declared > maxBytes ? { contentLength: declared } : {}) } },
      );
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
    this.#fetchedAt = this.#options.now();
  }
}

/** Reads a body as UTF-8; undefined (and the body destroyed, so undici drops the socket) once it passes `limit` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      discard(body);
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

/** Drops a body unread. */
function discard(body: Dispatcher.ResponseData['body']): undefined {
  body.on('error', () => undefined);
  body.destroy();
  return undefined;
}
