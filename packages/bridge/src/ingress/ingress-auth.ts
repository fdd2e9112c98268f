import type { ProtocolHttpExtended, ProtocolJWTClaims } from '@onex/spi-types';
import { BridgeConfigError, BridgeForbiddenError, BridgeUnauthorizedError } from '../errors/bridge-errors.js';

/** What an auth hook sees of an ingress request. */
export interface IngressAuthRequest {
  /** HTTP method. */
  readonly method: string;
  /** Request path. */
  readonly path: string;
  /** Request headers (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Name of the bridge the request is for. */
  readonly bridgeName: string;
  /** Topic of a `POST /topics/{topic}` request. */
  readonly topic?: string;
}

/**
 * Decides whether an ingress request may proceed: resolve to allow, throw
 * `BridgeUnauthorizedError` (401) or `BridgeForbiddenError` (403) to refuse.
 */
export type IngressAuthenticator = (request: IngressAuthRequest) => void | Promise<void>;

/** Options of {@link jwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  /** Algorithm passed to `authenticateJwt`. @default 'HS256' */
  readonly algorithm?: string;
  /** Decides, from verified claims, whether the request is allowed (false → 403). @default allow every valid token */
  readonly authorize?: (claims: ProtocolJWTClaims, request: IngressAuthRequest) => boolean | Promise<boolean>;
}

/**
 * An authenticator that verifies `Authorization: Bearer <jwt>` through
 * `ProtocolHttpExtended.authenticateJwt`: missing or invalid tokens get 401, tokens the
 * `authorize` callback refuses get 403.
 */
export function jwtAuthenticator(verifier: Pick<ProtocolHttpExtended, 'authenticateJwt'>, options: JwtAuthenticatorOptions = {}): IngressAuthenticator {
  if (typeof verifier?.authenticateJwt !== 'function') {
    throw new BridgeConfigError('`verifier` must implement ProtocolHttpExtended.authenticateJwt');
  }
  const algorithm = options.algorithm ?? 'HS256';
  return async (request) => {
    const header = request.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
    if (!match?.[1]) throw new BridgeUnauthorizedError('missing bearer token');
    let claims: ProtocolJWTClaims;
    try {
      claims = await verifier.authenticateJwt(match[1], algorithm);
    } catch (error) {
      throw new BridgeUnauthorizedError(`token rejected: ${(error as Error)?.message ?? String(error)}`, error);
    }
    if (options.authorize && !(await options.authorize(claims, request))) {
      throw new BridgeForbiddenError(`subject '${String(claims.sub ?? '')}' may not post to '${request.topic ?? request.bridgeName}'`);
    }
  };
}

/** Options of {@link apiKeyAuthenticator}. */
export interface ApiKeyAuthenticatorOptions {
  /** Header carrying the key. @default 'x-api-key' */
  readonly header?: string;
  /** Keys and what each may post to: bridge names or topics, or `'*'` for everything. */
  readonly keys: Readonly<Record<string, readonly string[] | '*'>>;
}

/** An authenticator for static API keys: unknown or missing keys get 401, keys without the right get 403. */
export function apiKeyAuthenticator(options: ApiKeyAuthenticatorOptions): IngressAuthenticator {
  if (typeof options?.keys !== 'object' || options.keys === null || Object.keys(options.keys).length === 0) {
    throw new BridgeConfigError('`keys` must map at least one API key to its allowed bridges or topics');
  }
  const header = (options.header ?? 'x-api-key').toLowerCase();
  const keys = new Map(Object.entries(options.keys));
  return (request) => {
    const raw = request.headers[header];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key) throw new BridgeUnauthorizedError(`missing ${header} header`);
    const allowed = keys.get(key);
    if (allowed === undefined) throw new BridgeUnauthorizedError(`unknown API key`);
    if (allowed === '*') return;
    if (!allowed.includes(request.bridgeName) && (request.topic === undefined || !allowed.includes(request.topic))) {
      throw new BridgeForbiddenError(`API key may not post to '${request.topic ?? request.bridgeName}'`);
    }
  };
}
