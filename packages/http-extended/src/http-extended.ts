import { describeValue, readDurationOption } from '@onex/spi-types/support';
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { Agent, Pool, type Dispatcher } from 'undici';
import {
  COMPRESSION_TYPES,
  type ContextValue,
  type LiteralCompressionType,
  type ProtocolConnectionPoolStats,
  type ProtocolHttpBody,
  type ProtocolHttpExtended,
  type ProtocolJWTClaims,
  type ProtocolOAuth2Options,
  type ProtocolOAuth2Token,
  type ProtocolPoolCounters,
  type ProtocolStreamRequestOptions,
} from '@onex/spi-types';
import { compressBytes, decompressBytes, tooLarge } from './compression/codec.js';
import { decodeContentEncoding, decodeStream, parseContentEncoding } from './compression/content-encoding.js';
import { CompressionError } from './errors/compression-error.js';
import { HttpExtendedStatusError } from './errors/http-extended-status-error.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { JwtError } from './errors/jwt-error.js';
import { StreamRequestError } from './errors/stream-request-error.js';
import type { HttpExtendedOptions } from './http-extended-options.js';
import { publish } from './internal/diagnostics.js';
import { otelEnabledByEnv, startClientRequest } from './internal/otel.js';
import { toBytes } from './internal/to-bytes.js';
import { bool, fn, headerMap, nonNegativeNumber, oneOf, optionCheck, positiveInteger, positiveNumber } from './internal/validate.js';
import { JwtVerifier } from './jwt/jwt-verifier.js';
import { OAuth2TokenCache, type OAuth2CacheStats } from './oauth2/oauth2-token-cache.js';
import type { OAuth2ClientAuthMethod, OAuth2Options } from './oauth2/oauth2-options.js';
import { rechunk } from './streaming/rechunk.js';
import type { WebSocketConnectOptions } from './websocket/websocket-connect-options.js';
import { WebSocketConnection, type WebSocketSettings } from './websocket/websocket-connection.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_CHUNK_SIZE = 64 * 1024 * 1024;
const EXCERPT_BYTES = 1024;
/** Reconnect backoff when `reconnect` is `true`, and first-connect backoff when `reconnect` is off. */
const DEFAULT_BACKOFF = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 10_000 } as const;
const CLIENT_AUTH_METHODS: readonly OAuth2ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

type ClientState = { readonly kind: 'open' } | { readonly kind: 'closed'; readonly closedAt: number };

/**
 * `ProtocolHttpExtended` on undici, ws, jose and node:zlib: fixed-size streamed bodies with
 * backpressure, WebSocket connections, cached OAuth2 client-credentials tokens, JWT verification,
 * compression both ways and pool statistics.
 */
export class HttpExtended implements ProtocolHttpExtended {
  readonly #agent: Agent;
  readonly #maxDecompressedBytes: number;
  readonly #oauth2: OAuth2TokenCache;
  readonly #jwt: JwtVerifier;
  readonly #wsDefaults: WebSocketConnectOptions;
  /** Aborted by `close()`: stops first-connect retries of pending `websocketConnect` calls. */
  readonly #closing = new AbortController();
  readonly #random: () => number;
  readonly #telemetry: boolean;
  readonly #sockets = new Set<WebSocketConnection>();
  readonly #events = { connects: 0, disconnects: 0, connectionErrors: 0 };
  #state: ClientState = { kind: 'open' };

  /** @throws InvalidOptionError when an option is invalid (the message names it and the bad value) */
  constructor(options: HttpExtendedOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object', options);
    const connections = positiveInteger('connectionsPerOrigin', options.connectionsPerOrigin, 10);
    const keepAliveTimeout = positiveInteger('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 4_000);
    const connectTimeout = positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 10_000);
    const headersTimeout = positiveInteger('headersTimeoutMs', options.headersTimeoutMs, 30_000);
    const bodyTimeout = nonNegativeNumber('bodyTimeoutMs', options.bodyTimeoutMs, 30_000);
    this.#maxDecompressedBytes = positiveInteger('maxDecompressedBytes', options.maxDecompressedBytes, 64 * 1024 * 1024);
    this.#random = fn('random', options.random, Math.random);
    this.#telemetry = bool('telemetry', options.telemetry, true) && otelEnabledByEnv();
    const oauth2 = options.oauth2 ?? {};
    this.#agent = new Agent({
      factory: (origin: string | URL, opts: object) =>
        new Pool(origin, { ...(opts as Pool.Options), connections, keepAliveTimeout, headersTimeout, bodyTimeout, connect: { timeout: connectTimeout } }),
    });
    this.#agent.on('connect', () => void (this.#events.connects += 1));
    this.#agent.on('disconnect', () => void (this.#events.disconnects += 1));
    this.#agent.on('connectionError', () => void (this.#events.connectionErrors += 1));
    this.#oauth2 = new OAuth2TokenCache(
      {
        clientAuthMethod: oneOf('oauth2.clientAuthMethod', oauth2.clientAuthMethod, CLIENT_AUTH_METHODS, 'client_secret_basic'),
        refreshSkewMs: refreshSkewMs(oauth2),
        timeoutMs: positiveNumber('oauth2.timeoutMs', oauth2.timeoutMs, 10_000),
        defaultExpiresInSeconds: nonNegativeNumber('oauth2.defaultExpiresInSeconds', oauth2.defaultExpiresInSeconds, 300),
        now: fn('oauth2.clock', oauth2.clock, Date.now),
        telemetry: this.#telemetry,
      },
      this.#agent,
    );
    this.#jwt = new JwtVerifier(options.jwt ?? {}, this.#agent);
    this.#wsDefaults = options.websocket ?? {};
    // Validate the WebSocket defaults now rather than on the first connect.
    this.#websocketSettings('websocket', {});
  }

  /**
   * Streams a response body as chunks of exactly `chunkSize` bytes (the last may be shorter), pulling
   * from the socket only as fast as the consumer iterates; `break`/`return()` releases the connection.
   * Argument errors throw synchronously; request errors reject the first `next()`.
   * @throws InvalidOptionError for a bad method, URL or option
   * @throws HttpExtendedStatusError (`HTTPX_STATUS`) for a non-2xx response
   * @throws StreamRequestError (`HTTPX_REQUEST_FAILED`, `HTTPX_STREAM_ABORTED`, `HTTPX_CLOSED`)
   * @throws CompressionError when the body cannot be decoded or decodes past the cap
   */
  streamRequest(method: string, url: string, options: ProtocolStreamRequestOptions = {}): AsyncIterableIterator<Uint8Array> {
    if (typeof method !== 'string' || !TOKEN.test(method)) throw new InvalidOptionError('method', 'must be an HTTP method token', method);
    const target = parseHttpUrl('url', url);
    const chunkSize = positiveInteger('chunkSize', options.chunkSize, 8192);
    if (chunkSize > MAX_CHUNK_SIZE) throw new InvalidOptionError('chunkSize', `must be at most ${MAX_CHUNK_SIZE}`, chunkSize);
    const headers = headerMap('headers', options.headers);
    const compression = oneOf('compression', options.compression, COMPRESSION_TYPES, 'none');
    const decompress = bool('decompress', options.decompress, true);
    const maxDecoded = positiveInteger('maxDecompressedBytes', options.maxDecompressedBytes, this.#maxDecompressedBytes);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new InvalidOptionError('signal', 'must be an AbortSignal', options.signal);
    }
    if (decompress && headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'gzip, deflate, br';
    return this.#stream(method.toUpperCase(), target, options.data, headers, { chunkSize, compression, decompress, maxDecoded, signal: options.signal });
  }

  async *#stream(
    method: string,
    target: URL,
    data: ProtocolHttpBody | undefined,
    headers: Record<string, string>,
    settings: { chunkSize: number; compression: LiteralCompressionType; decompress: boolean; maxDecoded: number; signal: AbortSignal | undefined },
  ): AsyncGenerator<Uint8Array, void, undefined> {
    this.#assertOpen();
    const url = target.href;
    const body = await prepareBody(data, headers, settings.compression);
    publish('stream-start', { method, url });
    // One CLIENT span from the request to the end of the streamed body.
    const otel = this.#telemetry ? startClientRequest(method, target, headers) : undefined;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        ...(settings.signal ? { signal: settings.signal } : {}),
      });
    } catch (error) {
      const failure = requestError(method, url, error, settings.signal);
      otel?.end(undefined, failure);
      throw failure;
    }
    const { statusCode, body: responseBody } = response;
    let bytes = 0;
    let completed = false;
    let failure: unknown;
    try {
      if (statusCode < 200 || statusCode >= 300) {
        throw new HttpExtendedStatusError(method, url, statusCode, await readExcerpt(responseBody));
      }
      const codings = settings.decompress ? parseContentEncoding(response.headers['content-encoding']) : [];
      const source = codings.length > 0 ? decodeStream(responseBody, codings) : responseBody;
      const limit = codings.length > 0 ? settings.maxDecoded : Number.POSITIVE_INFINITY;
      try {
        for await (const chunk of rechunk(source, settings.chunkSize)) {
          bytes += chunk.byteLength;
          if (bytes > limit) throw tooLarge(codings.join('+'), limit);
          yield chunk;
        }
      } catch (error) {
        if (error instanceof CompressionError || error instanceof HttpExtendedStatusError) throw error;
        throw requestError(method, url, error, settings.signal);
      }
      completed = true;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // A consumer that stops iterating early is not a failure of the request.
      otel?.end(statusCode, failure instanceof HttpExtendedStatusError ? undefined : failure);
      // Destroying an unfinished body makes undici drop that socket, so the pool slot is freed.
      if (!completed && !responseBody.destroyed) {
        responseBody.on('error', () => undefined);
        responseBody.destroy();
      }
      publish('stream-end', { method, url, statusCode, bytes, completed });
    }
  }

  /**
   * Opens a WebSocket connection (client defaults merged with `options`) and resolves once open,
   * retrying a failed first connect with the reconnect backoff unless `retryInitialConnect` is false.
   * @throws InvalidOptionError for a bad URL or option
   * @throws WebSocketError `WS_CONNECT_FAILED` or `WS_HANDSHAKE_TIMEOUT` (after the retries)
   * @throws StreamRequestError `HTTPX_CLOSED` when the client is (or gets) closed
   */
  async websocketConnect(url: string, options: WebSocketConnectOptions = {}): Promise<WebSocketConnection> {
    this.#assertOpen();
    if (typeof url !== 'string' || !URL.canParse(url) || !/^(wss?|https?):$/.test(new URL(url).protocol)) {
      throw new InvalidOptionError('url', 'must be a ws://, wss://, http:// or https:// URL', url);
    }
    const settings = this.#websocketSettings('options', options);
    const connection = await WebSocketConnection.connect(url, settings, (c) => this.#sockets.delete(c), this.#closing.signal);
    // A frame that came with the 101 answer may already have closed it (its final-close hook ran).
    if (connection.state !== 'closed') this.#sockets.add(connection);
    return connection;
  }

  #websocketSettings(prefix: string, own: WebSocketConnectOptions): WebSocketSettings {
    if (typeof own !== 'object' || own === null) throw new InvalidOptionError(prefix, 'must be an object', own);
    const o = { ...this.#wsDefaults, ...own };
    const reconnect = o.reconnect;
    let backoff: WebSocketSettings['reconnect'];
    if (reconnect === true || (typeof reconnect === 'object' && reconnect !== null && !Array.isArray(reconnect))) {
      const r = reconnect === true ? {} : reconnect;
      const maxAttempts =
        r.maxAttempts === Infinity ? Infinity : positiveInteger(`${prefix}.reconnect.maxAttempts`, r.maxAttempts, DEFAULT_BACKOFF.maxAttempts);
      const initialDelayMs = positiveNumber(`${prefix}.reconnect.initialDelayMs`, r.initialDelayMs, DEFAULT_BACKOFF.initialDelayMs);
      const maxDelayMs = positiveNumber(`${prefix}.reconnect.maxDelayMs`, r.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs);
      if (maxDelayMs < initialDelayMs) {
        throw new InvalidOptionError(`${prefix}.reconnect.maxDelayMs`, `must be >= initialDelayMs (${initialDelayMs})`, maxDelayMs);
      }
      backoff = { maxAttempts, initialDelayMs, maxDelayMs };
    } else if (reconnect !== undefined && reconnect !== false) {
      throw new InvalidOptionError(`${prefix}.reconnect`, 'must be a boolean or an options object', reconnect);
    }
    if (o.protocols !== undefined && (!Array.isArray(o.protocols) || o.protocols.some((p) => typeof p !== 'string' || !TOKEN.test(p)))) {
      throw new InvalidOptionError(`${prefix}.protocols`, 'must be an array of sub-protocol tokens', o.protocols);
    }
    const retryInitialConnect = bool(`${prefix}.retryInitialConnect`, o.retryInitialConnect, true);
    return {
      headers: headerMap(`${prefix}.headers`, o.headers),
      protocols: o.protocols ?? [],
      heartbeatIntervalMs: this.#heartbeatMs(prefix, own, 'heartbeatIntervalMs', 'heartbeatIntervalSeconds', true) ?? 30_000,
      heartbeatTimeoutMs: this.#heartbeatMs(prefix, own, 'heartbeatTimeoutMs', 'heartbeatTimeoutSeconds', false) ?? 10_000,
      reconnect: backoff,
      initialConnectRetry: retryInitialConnect ? (backoff ?? DEFAULT_BACKOFF) : undefined,
      maxQueuedMessages: o.maxQueuedMessages === 0 ? 0 : positiveInteger(`${prefix}.maxQueuedMessages`, o.maxQueuedMessages, 1000),
      maxPayload: positiveInteger(`${prefix}.maxPayload`, o.maxPayload, 100 * 1024 * 1024),
      handshakeTimeoutMs: positiveInteger(`${prefix}.handshakeTimeoutMs`, o.handshakeTimeoutMs, 10_000),
      perMessageDeflate: bool(`${prefix}.perMessageDeflate`, o.perMessageDeflate, false),
      maxBufferedMessages: positiveInteger(`${prefix}.maxBufferedMessages`, o.maxBufferedMessages, 1000),
      random: this.#random,
    };
  }

  /**
   * A heartbeat duration in ms from the call's own options, else the client's `websocket` defaults: the `…Ms` name
   * or its deprecated `…Seconds` alias (× 1000); undefined when neither layer gives one.
   * @throws InvalidOptionError for a bad value, or when one layer gives both names
   */
  #heartbeatMs(prefix: string, own: WebSocketConnectOptions, msName: string, secondsName: string, allowZero: boolean): number | undefined {
    const fail = (option: string, expectation: string, value: unknown): Error => optionCheck.fail(option, expectation, value);
    const read = readDurationOption(own, msName, secondsName, fail, `${prefix}.`) ?? readDurationOption(this.#wsDefaults, msName, secondsName, fail, 'websocket.');
    if (read === undefined) return undefined;
    return (allowZero ? nonNegativeNumber(read.option, read.value, 0) : positiveNumber(read.option, read.value, 1)) * read.msPerUnit;
  }

  /**
   * Returns a cached client-credentials token for (tokenUrl, clientId, scope, secret) or fetches one; a
   * cache hit does no I/O, and concurrent callers with the same credentials share one request.
   * @throws InvalidOptionError for a bad URL, id, secret or scope
   * @throws OAuth2Error `OAUTH2_ERROR` (server's `error`), `OAUTH2_INVALID_RESPONSE`, `OAUTH2_REQUEST_FAILED`
   */
  authenticateOauth2(
    tokenUrl: string,
    clientId: string,
    clientSecret: string,
    options: ProtocolOAuth2Options = {},
  ): Promise<ProtocolOAuth2Token> {
    try {
      this.#assertOpen();
      checkOAuth2Args(tokenUrl, clientId, clientSecret, options.scope);
      const method = options.clientAuthMethod === undefined ? undefined : oneOf('clientAuthMethod', options.clientAuthMethod, CLIENT_AUTH_METHODS, 'client_secret_basic');
      return this.#oauth2.get(tokenUrl, clientId, clientSecret, options.scope, method);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Drops the cached tokens of (tokenUrl, clientId, scope), whatever secret fetched them, e.g. after a resource server answered 401; true when one was cached. */
  invalidateOauth2Token(tokenUrl: string, clientId: string, options: ProtocolOAuth2Options = {}): boolean {
    return this.#oauth2.invalidate(tokenUrl, clientId, options.scope);
  }

  /** Counters of the OAuth2 token cache (hits, fetches, size). */
  getOauth2CacheStats(): OAuth2CacheStats {
    return this.#oauth2.stats();
  }

  /**
   * Verifies a JWT with the configured keys and returns its claims.
   * @default algorithm 'HS256'
   * @throws JwtError with a code per failure (see the README's Errors table)
   */
  authenticateJwt(token: string, algorithm = 'HS256'): Promise<ProtocolJWTClaims> {
    if (this.#state.kind === 'closed') return Promise.reject(closedError());
    if (!this.#jwt.configured) {
      return Promise.reject(new JwtError('JWT_NO_KEY', 'no JWT key is configured (jwt.secret, jwt.publicKey or jwt.jwksUrl)'));
    }
    return this.#jwt.verify(token, algorithm);
  }

  /**
   * Compresses data (strings as UTF-8, bytes as they are, other values as JSON).
   * @throws CompressionError `COMPRESSION_UNSUPPORTED` for an unknown type, `COMPRESSION_FAILED`
   */
  async compressRequest(data: ContextValue, compressionType: LiteralCompressionType): Promise<Uint8Array> {
    return compressBytes(toBytes(data), checkCompressionType(compressionType));
  }

  /**
   * Decompresses bytes, failing once the output passes `maxDecompressedBytes` (no OOM on a bomb).
   * `deflate` accepts zlib-wrapped and raw deflate.
   * @throws CompressionError `DECOMPRESSION_TOO_LARGE`, `DECOMPRESSION_FAILED`, `COMPRESSION_UNSUPPORTED`
   */
  async decompressResponse(data: Uint8Array, compressionType: LiteralCompressionType): Promise<Uint8Array> {
    if (!(data instanceof Uint8Array)) throw new InvalidOptionError('data', 'must be a Uint8Array', data);
    return decompressBytes(data, checkCompressionType(compressionType), this.#maxDecompressedBytes);
  }

  /**
   * Decodes a body by its `Content-Encoding` header (up to 5 codings, last applied undone first).
   * @throws CompressionError as {@link decompressResponse}, plus `COMPRESSION_UNSUPPORTED` for unknown codings
   */
  async decodeContentEncoding(data: Uint8Array, contentEncoding: string | undefined): Promise<Uint8Array> {
    if (!(data instanceof Uint8Array)) throw new InvalidOptionError('data', 'must be a Uint8Array', data);
    return decodeContentEncoding(data, contentEncoding, this.#maxDecompressedBytes);
  }

  /** Returns undici's per-origin pool counters, their totals, and cumulative connection events. */
  async getConnectionPoolStats(): Promise<ProtocolConnectionPoolStats> {
    const origins: Record<string, ProtocolPoolCounters> = {};
    const totals = { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 };
    for (const [origin, raw] of Object.entries(this.#agent.stats)) {
      const s = raw as Partial<ProtocolPoolCounters>;
      const counters: ProtocolPoolCounters = {
        connected: s.connected ?? 0,
        free: s.free ?? 0,
        pending: s.pending ?? 0,
        queued: s.queued ?? 0,
        running: s.running ?? 0,
        size: s.size ?? 0,
      };
      origins[origin] = counters;
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counters[key];
    }
    return { totals: { ...totals, ...this.#events }, origins };
  }

  /** Closes WebSocket connections and the connection pool; later calls fail with `HTTPX_CLOSED`. */
  async close(): Promise<void> {
    if (this.#state.kind === 'closed') return;
    this.#state = { kind: 'closed', closedAt: Date.now() };
    this.#closing.abort(closedError());
    this.#oauth2.clear();
    await Promise.all([...this.#sockets].map((s) => s.close(1001, 'client closed').catch(() => undefined)));
    await this.#agent.close();
  }

  #assertOpen(): void {
    if (this.#state.kind === 'closed') throw closedError();
  }
}

function closedError(): StreamRequestError {
  return new StreamRequestError('HTTPX_CLOSED', 'the HttpExtended client is closed');
}

function parseHttpUrl(name: string, value: unknown): URL {
  if (typeof value === 'string' && URL.canParse(value)) {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  }
  throw new InvalidOptionError(name, 'must be an absolute http(s) URL', value);
}

function checkCompressionType(type: unknown): LiteralCompressionType {
  if (typeof type !== 'string' || !(COMPRESSION_TYPES as readonly string[]).includes(type)) {
    throw new CompressionError(
      'COMPRESSION_UNSUPPORTED',
      `\`compressionType\` must be one of ${COMPRESSION_TYPES.join(', ')}, got ${describeValue(type)}`,
      { details: { compressionType: type } },
    );
  }
  return type as LiteralCompressionType;
}

function checkOAuth2Args(tokenUrl: unknown, clientId: unknown, clientSecret: unknown, scope: unknown): void {
  parseHttpUrl('tokenUrl', tokenUrl);
  if (typeof clientId !== 'string' || clientId.length === 0) throw new InvalidOptionError('clientId', 'must be a non-empty string', clientId);
  if (typeof clientSecret !== 'string') throw new InvalidOptionError('clientSecret', 'must be a string', typeof clientSecret);
  if (scope !== undefined && typeof scope !== 'string') throw new InvalidOptionError('scope', 'must be a space-separated string', scope);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function prepareBody(
  data: ProtocolHttpBody | undefined,
  headers: Record<string, string>,
  compression: LiteralCompressionType,
): Promise<Uint8Array | Readable | undefined> {
  if (data === undefined) return undefined;
  if (compression !== 'none') headers['content-encoding'] = compression === 'brotli' ? 'br' : compression;
  if (isAsyncIterable(data)) {
    const source = Readable.from(data, { objectMode: false });
    if (compression === 'none') return source;
    const encoder = compression === 'gzip' ? zlib.createGzip() : compression === 'deflate' ? zlib.createDeflate() : zlib.createBrotliCompress();
    return pipeline(source, encoder, () => undefined);
  }
  if (headers['content-type'] === undefined && typeof data !== 'string' && !(data instanceof Uint8Array)) {
    headers['content-type'] = 'application/json';
  }
  return compressBytes(toBytes(data as ContextValue), compression);
}

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk);
      size += chunk.byteLength;
      if (size >= EXCERPT_BYTES) break;
    }
  } catch {
    // The excerpt is best effort; the status is what matters.
  }
  return Buffer.concat(parts).subarray(0, EXCERPT_BYTES).toString('utf8');
}

function requestError(method: string, url: string, error: unknown, signal: AbortSignal | undefined): StreamRequestError {
  if (error instanceof StreamRequestError) return error;
  const aborted = signal?.aborted === true || (error as { name?: string }).name === 'AbortError';
  return new StreamRequestError(
    aborted ? 'HTTPX_STREAM_ABORTED' : 'HTTPX_REQUEST_FAILED',
    `${method} ${url} ${aborted ? 'was aborted' : `failed: ${(error as Error).message}`}`,
    { cause: error, details: { method, url, ...((error as { code?: string }).code ? { errorCode: (error as { code?: string }).code } : {}) } },
  );
}

/**
 * `oauth2.refreshSkewMs`, or its deprecated alias `oauth2.refreshSkewSeconds` (× 1000); 30000 when neither is given.
 * @throws InvalidOptionError for a bad value, or when both names are given
 */
function refreshSkewMs(oauth2: OAuth2Options): number {
  const fail = (option: string, expectation: string, value: unknown): Error => optionCheck.fail(option, expectation, value);
  const read = readDurationOption(oauth2, 'refreshSkewMs', 'refreshSkewSeconds', fail, 'oauth2.');
  return read === undefined ? 30_000 : nonNegativeNumber(read.option, read.value, 0) * read.msPerUnit;
}
