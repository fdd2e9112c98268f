import { OnexError, isOnexError, type OnexErrorOptions } from '@onex/spi-types';

/** Codes of {@link WebSocketError}. */
export type WebSocketErrorCode =
  | 'WS_CONNECT_FAILED'
  | 'WS_HANDSHAKE_TIMEOUT'
  | 'WS_CLOSED'
  | 'WS_QUEUE_FULL'
  | 'WS_RECEIVE_TIMEOUT'
  | 'WS_PAYLOAD_TOO_LARGE'
  | 'WS_HEARTBEAT_TIMEOUT'
  | 'WS_PING_TIMEOUT'
  | 'WS_PROTOCOL_ERROR';

/** A WebSocket failure: connect, handshake timeout, closed connection, full queue, timeouts, oversized message, protocol violation. */
export class WebSocketError extends OnexError<WebSocketErrorCode> {
  constructor(code: WebSocketErrorCode, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

/** True for a {@link WebSocketError} (by code prefix). */
export function isWebSocketError(error: unknown): error is WebSocketError {
  return isOnexError(error) && error.code.startsWith('WS_');
}
