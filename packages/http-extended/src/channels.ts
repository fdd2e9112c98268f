/**
 * Names of the `node:diagnostics_channel` channels `@onex/http-extended` publishes on (only when someone
 * subscribes); subscribe with `diagnostics_channel.subscribe(HTTP_EXTENDED_CHANNELS.wsOpen, listener)`. Only the
 * names are public: the package alone publishes on them.
 */
export const HTTP_EXTENDED_CHANNELS = {
  /** `streamRequest` sent its request. */
  streamStart: 'onex:http-extended:stream-start',
  /** A streamed body ended (or failed). */
  streamEnd: 'onex:http-extended:stream-end',
  /** A WebSocket connection opened. */
  wsOpen: 'onex:http-extended:ws-open',
  /** A WebSocket connection closed. */
  wsClose: 'onex:http-extended:ws-close',
  /** A WebSocket reconnect is scheduled (also for first-connect retries, with `initial: true`). */
  wsReconnect: 'onex:http-extended:ws-reconnect',
  /** A WebSocket connection failed. */
  wsError: 'onex:http-extended:ws-error',
  /** An OAuth2 token was fetched from the token endpoint. */
  oauth2Fetch: 'onex:http-extended:oauth2-fetch',
  /** An OAuth2 token was served from the cache. */
  oauth2CacheHit: 'onex:http-extended:oauth2-cache-hit',
  /** A JWKS was fetched. */
  jwksFetch: 'onex:http-extended:jwks-fetch',
  /** A JWT failed verification. */
  jwtRejected: 'onex:http-extended:jwt-rejected',
} as const;
