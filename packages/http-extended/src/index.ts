export { HttpExtended } from './http-extended.js';
export type { HttpExtendedOptions } from './http-extended-options.js';
export { WebSocketConnection } from './websocket/websocket-connection.js';
export type { WebSocketConnectOptions } from './websocket/websocket-connect-options.js';
export type { JwtOptions, PublicJwk } from './jwt/jwt-options.js';
export type { OAuth2ClientAuthMethod, OAuth2Options } from './oauth2/oauth2-options.js';
export type { OAuth2CacheStats } from './oauth2/oauth2-token-cache.js';
export { HTTP_EXTENDED_CHANNELS } from './channels.js';
export { InvalidOptionError, isInvalidOptionError } from './errors/invalid-option-error.js';
export {
  HttpExtendedStatusError,
  HttpStatusError,
  isHttpExtendedStatusError,
  isHttpStatusError,
} from './errors/http-extended-status-error.js';
export { StreamRequestError, isStreamRequestError } from './errors/stream-request-error.js';
export type { StreamRequestErrorCode } from './errors/stream-request-error.js';
export { WebSocketError, isWebSocketError } from './errors/websocket-error.js';
export type { WebSocketErrorCode } from './errors/websocket-error.js';
export { OAuth2Error, isOAuth2Error } from './errors/oauth2-error.js';
export type { OAuth2ErrorCode, OAuth2ErrorFields } from './errors/oauth2-error.js';
export { JwtError, isJwtError } from './errors/jwt-error.js';
export type { JwtErrorCode } from './errors/jwt-error.js';
export { CompressionError, isCompressionError } from './errors/compression-error.js';
export type { CompressionErrorCode } from './errors/compression-error.js';
