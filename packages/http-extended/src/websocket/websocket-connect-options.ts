import type { ProtocolWebSocketConnectOptions } from '@onex/spi-types';

/** Options of `websocketConnect`: the SPI's options plus heartbeat timeout and first-connect retries. */
export interface WebSocketConnectOptions extends ProtocolWebSocketConnectOptions {
  /** Ping every N seconds (0 disables); a dead peer is noticed within interval + `heartbeatTimeoutSeconds`. @default 30 */
  readonly heartbeatIntervalSeconds?: number;
  /** Time a heartbeat ping (and `ping()`) waits for its pong before the connection is terminated, in seconds. @default 10 */
  readonly heartbeatTimeoutSeconds?: number;
  /**
   * Retry a failed first connect (refused, reset, timed out, 5xx/429 upgrade answer) with the reconnect backoff:
   * `reconnect`'s settings when given, else its defaults. A 4xx answer or an invalid URL fails at once.
   * @default true
   */
  readonly retryInitialConnect?: boolean;
}
