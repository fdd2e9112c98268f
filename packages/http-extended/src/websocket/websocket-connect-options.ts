import type { ProtocolWebSocketConnectOptions } from '@onex/spi-types';

/** Options of `websocketConnect`: the SPI's options plus heartbeat timeout and first-connect retries. */
export interface WebSocketConnectOptions extends ProtocolWebSocketConnectOptions {
  /** Ping every N milliseconds (0 disables); a dead peer is noticed within interval + `heartbeatTimeoutMs`. @default 30000 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Ping every N seconds (0 disables). @default 30
   * @deprecated use `heartbeatIntervalMs` (same interval in milliseconds); kept for one release.
   */
  readonly heartbeatIntervalSeconds?: number;
  /** Time a heartbeat ping (and `ping()`) waits for its pong before the connection is terminated, in milliseconds. @default 10000 */
  readonly heartbeatTimeoutMs?: number;
  /**
   * Heartbeat pong timeout in seconds. @default 10
   * @deprecated use `heartbeatTimeoutMs` (same time in milliseconds); kept for one release.
   */
  readonly heartbeatTimeoutSeconds?: number;
  /**
   * Retry a failed first connect (refused, reset, timed out, 5xx/429 upgrade answer) with the reconnect backoff:
   * `reconnect`'s settings when given, else its defaults. A 4xx answer or an invalid URL fails at once.
   * @default true
   */
  readonly retryInitialConnect?: boolean;
}
