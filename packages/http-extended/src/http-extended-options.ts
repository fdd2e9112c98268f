import type { JwtOptions } from './jwt/jwt-options.js';
import type { OAuth2Options } from './oauth2/oauth2-options.js';
import type { WebSocketConnectOptions } from './websocket/websocket-connect-options.js';

/** Options of an {@link HttpExtended} client, validated once in the constructor. */
export interface HttpExtendedOptions {
  /** Sockets per origin in the undici pool. @default 10 */
  readonly connectionsPerOrigin?: number;
  /** Idle keep-alive time of a pooled socket, in ms. @default 4000 */
  readonly keepAliveTimeoutMs?: number;
  /** TCP/TLS connect timeout, in ms. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Time to wait for response headers, in ms. @default 30000 */
  readonly headersTimeoutMs?: number;
  /** Longest pause between two body chunks, in ms (0 disables). @default 30000 */
  readonly bodyTimeoutMs?: number;
  /** Cap on decompressed bytes (`decompressResponse` and content-encoded streams). @default 67108864 (64 MiB) */
  readonly maxDecompressedBytes?: number;
  /** OAuth2 client-credentials settings. */
  readonly oauth2?: OAuth2Options;
  /** JWT keys and checks used by `authenticateJwt`. */
  readonly jwt?: JwtOptions;
  /** Defaults of every `websocketConnect` call (a call's own options win). */
  readonly websocket?: WebSocketConnectOptions;
  /** Random source for reconnect jitter (tests). @default Math.random */
  readonly random?: () => number;
  /**
   * OpenTelemetry CLIENT spans (with `traceparent` injected) and `http.client.request.duration` for
   * `streamRequest` and OAuth2 token requests, when the application registers an SDK (`false`, or env
   * `ONEX_OTEL_DISABLED=true`, turns them off). @default true
   */
  readonly telemetry?: boolean;
}
