import type { ContextValue, LiteralCompressionType } from './common.js';
import type { ProtocolConnectionPoolStats, ProtocolHttpBody, ProtocolHttpHeaders } from './http.js';

/** Options of {@link ProtocolHttpExtended.streamRequest}. */
export interface ProtocolStreamRequestOptions {
  /** Request body. */
  readonly data?: ProtocolHttpBody;
  /** Request headers, case-insensitive. */
  readonly headers?: ProtocolHttpHeaders;
  /** Size of every yielded chunk in bytes (the last may be shorter). @default 8192 */
  readonly chunkSize?: number;
  /** Caller's cancellation signal. */
  readonly signal?: AbortSignal;
  /** Compress the request body with this coding and set `Content-Encoding`. @default 'none' */
  readonly compression?: LiteralCompressionType;
  /** Decode the response by its `Content-Encoding` (at most 5 codings). @default true */
  readonly decompress?: boolean;
  /** Cap on decoded bytes when the response is content-encoded. @default the client's `maxDecompressedBytes` */
  readonly maxDecompressedBytes?: number;
}

/** A WebSocket message: text frames as strings, binary frames as bytes. */
export type ProtocolWebSocketMessage = string | Uint8Array;

/** Life cycle of a WebSocket connection. */
export type LiteralWebSocketState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** Reconnect settings of a WebSocket connection. */
export interface ProtocolWebSocketReconnectOptions {
  /** Attempts before giving up (Infinity for no limit). @default 10 */
  readonly maxAttempts?: number;
  /** First delay in ms. @default 100 */
  readonly initialDelayMs?: number;
  /** Cap on a delay in ms. @default 10000 */
  readonly maxDelayMs?: number;
}

/** Options of {@link ProtocolHttpExtended.websocketConnect}. */
export interface ProtocolWebSocketConnectOptions {
  /** Handshake headers. */
  readonly headers?: ProtocolHttpHeaders;
  /** Sub-protocols offered, in preference order. */
  readonly protocols?: readonly string[];
  /** Ping every N milliseconds and terminate when no pong came back in time; 0 disables (give this or `heartbeatIntervalSeconds`, not both). @default 0 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Ping every N seconds; 0 disables.
   * @deprecated use `heartbeatIntervalMs` (same interval in milliseconds); kept for one release.
   */
  readonly heartbeatIntervalSeconds?: number;
  /** Reconnect automatically after an abnormal close. @default false */
  readonly reconnect?: boolean | ProtocolWebSocketReconnectOptions;
  /** Sends held while reconnecting; further sends reject. @default 1000 */
  readonly maxQueuedMessages?: number;
  /** Largest accepted message in bytes. @default 104857600 */
  readonly maxPayload?: number;
  /** Opening handshake timeout in ms. @default 10000 */
  readonly handshakeTimeoutMs?: number;
  /** Negotiate permessage-deflate. @default false */
  readonly perMessageDeflate?: boolean;
  /** Received messages buffered before reading from the socket pauses (backpressure). @default 1000 */
  readonly maxBufferedMessages?: number;
}

/** Events of a WebSocket connection. */
export interface ProtocolWebSocketEvents {
  /** The connection (or a reconnection) opened. */
  open: () => void;
  /** The connection closed for good. */
  close: (code: number, reason: string) => void;
  /** A reconnect attempt is scheduled. */
  reconnect: (attempt: number, delayMs: number) => void;
  /** A transport or protocol error happened. */
  error: (error: Error) => void;
}

/** The seed's `ProtocolWebSocketConnection`: a message-oriented WebSocket. */
export interface ProtocolWebSocketConnection extends AsyncIterable<ProtocolWebSocketMessage> {
  /** The URL connected to. */
  readonly url: string;
  /** Current state. */
  readonly state: LiteralWebSocketState;
  /** Negotiated sub-protocol ('' when none). */
  readonly protocol: string;
  /** Sends a message; resolves when written, rejects when the connection is closed or the queue is full. */
  send(data: string | Uint8Array): Promise<void>;
  /** Resolves with the next message; rejects on timeout or close. */
  receive(options?: { readonly timeoutMs?: number }): Promise<ProtocolWebSocketMessage>;
  /** Closes the connection and resolves when closed. */
  close(code?: number, reason?: string): Promise<void>;
  /** Sends a ping and resolves with the round-trip time in ms when the pong arrives. */
  ping(): Promise<number>;
  /** Subscribes to an event. */
  on<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this;
  /** Unsubscribes from an event. */
  off<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this;
}

/** Options of {@link ProtocolHttpExtended.authenticateOauth2}. */
export interface ProtocolOAuth2Options {
  /** Space-separated scopes requested. */
  readonly scope?: string;
  /** Client authentication for this call. @default the client's configured method ('client_secret_basic') */
  readonly clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** An OAuth2 access token (RFC 6749 §5.1). */
export interface ProtocolOAuth2Token {
  /** The access token. */
  readonly accessToken: string;
  /** Token type, usually `Bearer`. */
  readonly tokenType: string;
  /** Lifetime in seconds as issued. */
  readonly expiresIn: number;
  /** Expiry time, epoch milliseconds. */
  readonly expiresAt: number;
  /** Granted scope, when the server returned one. */
  readonly scope?: string;
  /** Refresh token, when the server returned one. */
  readonly refreshToken?: string;
}

/** Verified JWT claims: the registered claims typed, every other claim kept. */
export interface ProtocolJWTClaims {
  /** Issuer. */
  readonly iss?: string;
  /** Subject. */
  readonly sub?: string;
  /** Audience. */
  readonly aud?: string | readonly string[];
  /** Expiry, epoch seconds. */
  readonly exp?: number;
  /** Not before, epoch seconds. */
  readonly nbf?: number;
  /** Issued at, epoch seconds. */
  readonly iat?: number;
  /** JWT id. */
  readonly jti?: string;
  /** Any other claim. */
  readonly [claim: string]: unknown;
}

/** The seed's `ProtocolHttpExtended`: streaming, WebSocket, OAuth2, JWT, compression, pool stats. */
export interface ProtocolHttpExtended {
  /** Streams a response body as chunks of exactly `chunkSize` bytes (the last may be shorter). */
  streamRequest(method: string, url: string, options?: ProtocolStreamRequestOptions): AsyncIterableIterator<Uint8Array>;
  /** Opens a WebSocket connection. */
  websocketConnect(url: string, options?: ProtocolWebSocketConnectOptions): Promise<ProtocolWebSocketConnection>;
  /** Obtains (or returns a cached) client-credentials token. */
  authenticateOauth2(
    tokenUrl: string,
    clientId: string,
    clientSecret: string,
    options?: ProtocolOAuth2Options,
  ): Promise<ProtocolOAuth2Token>;
  /** Verifies a JWT with the configured keys and returns its claims. @default algorithm 'HS256' */
  authenticateJwt(token: string, algorithm?: string): Promise<ProtocolJWTClaims>;
  /** Compresses data (strings as UTF-8, objects as JSON). */
  compressRequest(data: ContextValue, compressionType: LiteralCompressionType): Promise<Uint8Array>;
  /** Decompresses bytes. */
  decompressResponse(data: Uint8Array, compressionType: LiteralCompressionType): Promise<Uint8Array>;
  /** Returns connection pool statistics. */
  getConnectionPoolStats(): Promise<ProtocolConnectionPoolStats>;
}
