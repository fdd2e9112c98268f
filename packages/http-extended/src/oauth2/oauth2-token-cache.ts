import { createHash, randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { startClientRequest } from '../internal/otel.js';
import type { ProtocolOAuth2Token } from '@onex/spi-types';
import { OAuth2Error } from '../errors/oauth2-error.js';
import { publish } from '../internal/diagnostics.js';
import { basicCredentials, formEncode } from './form-encode.js';
import type { OAuth2ClientAuthMethod } from './oauth2-options.js';

/** Resolved settings of an {@link OAuth2TokenCache}. */
export interface OAuth2TokenCacheSettings {
  readonly clientAuthMethod: OAuth2ClientAuthMethod;
  readonly refreshSkewMs: number;
  readonly timeoutMs: number;
  readonly defaultExpiresInSeconds: number;
  readonly now: () => number;
  /** Token requests get an OpenTelemetry CLIENT span and duration. */
  readonly telemetry: boolean;
}

interface CacheEntry {
  readonly token: ProtocolOAuth2Token;
  readonly refreshAt: number;
}

/** Counters of an {@link OAuth2TokenCache}. */
export interface OAuth2CacheStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Token requests sent to a token endpoint. */
  readonly fetches: number;
  /** Tokens currently cached. */
  readonly size: number;
}

/**
 * Client-credentials tokens cached per credentials (token URL, client id, scope and secret),
 * refreshed `refreshSkewMs` before expiry, with one request in flight per credentials however many
 * callers wait for it. A caller only ever gets a token (or an error) obtained with its own secret;
 * secrets are held as salted SHA-256 digests, never in clear, in every key.
 */
export class OAuth2TokenCache {
  readonly #settings: OAuth2TokenCacheSettings;
  readonly #dispatcher: Dispatcher;
  /** (token URL, client id, scope) → secret digest → entry; `invalidate` has no secret, so it drops the whole group. */
  readonly #entries = new Map<string, Map<string, CacheEntry>>();
  readonly #inFlight = new Map<string, Promise<ProtocolOAuth2Token>>();
  /** Per-instance salt: digests cannot be compared across processes or precomputed. */
  readonly #salt = randomBytes(16);
  #hits = 0;
  #fetches = 0;

  constructor(settings: OAuth2TokenCacheSettings, dispatcher: Dispatcher) {
    this.#settings = settings;
    this.#dispatcher = dispatcher;
  }

  /** Returns a fresh cached token or fetches one (shared with concurrent callers of the same key). */
  get(
    tokenUrl: string,
    clientId: string,
    clientSecret: string,
    scope: string | undefined,
    method: OAuth2ClientAuthMethod = this.#settings.clientAuthMethod,
  ): Promise<ProtocolOAuth2Token> {
    const group = cacheKey(tokenUrl, clientId, scope);
    const digest = this.#digest(clientSecret);
    const entry = this.#entries.get(group)?.get(digest);
    if (entry !== undefined && this.#settings.now() < entry.refreshAt) {
      this.#hits += 1;
      publish('oauth2-cache-hit', { tokenUrl, clientId, scope });
      return Promise.resolve(entry.token);
    }
    // The auth method is part of the flight: a caller's request is sent the way it asked for.
    const flight = JSON.stringify([group, digest, method]);
    let pending = this.#inFlight.get(flight);
    if (pending === undefined) {
      pending = this.#fetch(group, digest, tokenUrl, clientId, clientSecret, scope, method).finally(() => {
        this.#inFlight.delete(flight);
      });
      this.#inFlight.set(flight, pending);
    }
    return pending;
  }

  /** Drops the cached tokens of (token URL, client id, scope), whatever secret fetched them; true when one was cached. */
  invalidate(tokenUrl: string, clientId: string, scope: string | undefined): boolean {
    return this.#entries.delete(cacheKey(tokenUrl, clientId, scope));
  }

  /** Drops every cached token. */
  clear(): void {
    this.#entries.clear();
  }

  /** Snapshot of the counters. */
  stats(): OAuth2CacheStats {
    let size = 0;
    for (const group of this.#entries.values()) size += group.size;
    return { hits: this.#hits, fetches: this.#fetches, size };
  }

  #digest(secret: string): string {
    return createHash('sha256').update(this.#salt).update(secret, 'utf8').digest('base64url');
  }

  #store(group: string, digest: string, entry: CacheEntry): void {
    let entries = this.#entries.get(group);
    if (entries === undefined) {
      entries = new Map();
      this.#entries.set(group, entries);
    }
    // Tokens of a secret that was rotated away are dropped once expired, so rotations do not pile up.
    const now = this.#settings.now();
    for (const [other, old] of entries) if (other !== digest && old.token.expiresAt <= now) entries.delete(other);
    entries.set(digest, entry);
  }

  async #fetch(
    group: string,
    digest: string,
    tokenUrl: string,
    clientId: string,
    clientSecret: string,
    scope: string | undefined,
    method: OAuth2ClientAuthMethod,
  ): Promise<ProtocolOAuth2Token> {
    this.#fetches += 1;
    publish('oauth2-fetch', { tokenUrl, clientId, scope });
    const form = [`grant_type=client_credentials`];
    if (scope !== undefined && scope.length > 0) form.push(`scope=${formEncode(scope)}`);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (method === 'client_secret_basic') {
      headers['authorization'] = basicCredentials(clientId, clientSecret);
    } else {
      form.push(`client_id=${formEncode(clientId)}`, `client_secret=${formEncode(clientSecret)}`);
    }
    const url = new URL(tokenUrl);
    const otel = this.#settings.telemetry ? startClientRequest('POST', url, headers) : undefined;
    let statusCode: number;
    let text: string;
    try {
      const response = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body: form.join('&'),
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
      });
      statusCode = response.statusCode;
      text = await response.body.text();
      otel?.end(statusCode);
    } catch (error) {
      otel?.end(undefined, error);
      throw new OAuth2Error('OAUTH2_REQUEST_FAILED', `token request to ${tokenUrl} failed: ${(error as Error).message}`, {}, {
        cause: error,
        details: { tokenUrl },
      });
    }
    const issuedAt = this.#settings.now();
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (body !== undefined && typeof body['error'] === 'string') {
      const description = typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
      throw new OAuth2Error(
        'OAUTH2_ERROR',
        `token endpoint ${tokenUrl} answered ${statusCode} ${body['error']}${description ? `: ${description}` : ''}`,
        {
          error: body['error'],
          statusCode,
          ...(description !== undefined ? { errorDescription: description } : {}),
          ...(typeof body['error_uri'] === 'string' ? { errorUri: body['error_uri'] } : {}),
        },
      );
    }
    if (statusCode < 200 || statusCode >= 300 || body === undefined) {
      throw new OAuth2Error(
        'OAUTH2_INVALID_RESPONSE',
        `token endpoint ${tokenUrl} answered ${statusCode} without a JSON token response: ${text.slice(0, 200)}`,
        { statusCode },
      );
    }
    const accessToken = body['access_token'];
    const tokenType = body['token_type'];
    if (typeof accessToken !== 'string' || accessToken.length === 0 || typeof tokenType !== 'string') {
      throw new OAuth2Error(
        'OAUTH2_INVALID_RESPONSE',
        `token response from ${tokenUrl} lacks a string access_token and token_type`,
        { statusCode },
      );
    }
    const rawExpires = body['expires_in'];
    const expiresIn =
      typeof rawExpires === 'number' || (typeof rawExpires === 'string' && rawExpires.trim() !== '')
        ? Number(rawExpires)
        : this.#settings.defaultExpiresInSeconds;
    if (!Number.isFinite(expiresIn) || expiresIn < 0) {
      throw new OAuth2Error('OAUTH2_INVALID_RESPONSE', `token response from ${tokenUrl} has expires_in ${String(rawExpires)}`, {
        statusCode,
      });
    }
    const grantedScope = typeof body['scope'] === 'string' ? body['scope'] : scope;
    const token: ProtocolOAuth2Token = {
      accessToken,
      tokenType,
      expiresIn,
      expiresAt: issuedAt + expiresIn * 1000,
      ...(grantedScope !== undefined ? { scope: grantedScope } : {}),
      ...(typeof body['refresh_token'] === 'string' ? { refreshToken: body['refresh_token'] } : {}),
    };
    this.#store(group, digest, { token, refreshAt: token.expiresAt - this.#settings.refreshSkewMs });
    return token;
  }
}

/** Unambiguous, whatever characters the parts contain (a NUL-joined key let `a`+`b\0c` meet `a\0b`+`c`). */
function cacheKey(tokenUrl: string, clientId: string, scope: string | undefined): string {
  return JSON.stringify([tokenUrl, clientId, scope ?? '']);
}
