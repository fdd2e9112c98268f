import diagnosticsChannel from 'node:diagnostics_channel';

/** Names of the `node:diagnostics_channel` channels `@onex/http` publishes on. */
export const HTTP_DIAGNOSTICS_CHANNELS = {
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

/** The channel objects, created once. */
export const channels = {
  requestStart: diagnosticsChannel.channel(HTTP_DIAGNOSTICS_CHANNELS.requestStart),
  attempt: diagnosticsChannel.channel(HTTP_DIAGNOSTICS_CHANNELS.attempt),
  retry: diagnosticsChannel.channel(HTTP_DIAGNOSTICS_CHANNELS.retry),
  requestEnd: diagnosticsChannel.channel(HTTP_DIAGNOSTICS_CHANNELS.requestEnd),
  requestError: diagnosticsChannel.channel(HTTP_DIAGNOSTICS_CHANNELS.requestError),
};
