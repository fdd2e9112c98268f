/**
 * Names of the `node:diagnostics_channel` channels `@onex/http` publishes on; subscribe with
 * `diagnostics_channel.subscribe(HTTP_CHANNELS.requestEnd, listener)`. Only the names are public: the package
 * alone publishes on them.
 */
export const HTTP_CHANNELS = {
  /** `{ requestId, method, url, circuitName }` when a call starts (after request interceptors). */
  requestStart: 'onex:http:request:start',
  /** `{ requestId, method, url, attempt }` before each attempt is sent. */
  attempt: 'onex:http:request:attempt',
  /** `{ requestId, method, url, attempt, delayMs, reason }` before waiting for a retry. */
  retry: 'onex:http:request:retry',
  /** `{ requestId, method, url, statusCode, attempts, elapsedMs }` when a call ends with a response. */
  requestEnd: 'onex:http:request:end',
  /** `{ requestId, method, url, error, attempts, elapsedMs }` when a call ends with an error. */
  requestError: 'onex:http:request:error',
} as const;

/** @deprecated Renamed {@link HTTP_CHANNELS} (the same object), the shape every package uses; removed in the next release. */
export const HTTP_DIAGNOSTICS_CHANNELS = HTTP_CHANNELS;
