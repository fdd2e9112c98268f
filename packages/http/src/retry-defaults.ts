// The retry policy's defaults, public so that a policy can extend them (`retryMethods: [...DEFAULT_RETRY_METHODS, 'POST']`).

/** Methods retried without an `Idempotency-Key` (RFC 9110 §9.2.2 idempotent methods). */
export const DEFAULT_RETRY_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'] as const;

/**
 * Network error codes retried by default, for methods the policy may retry (idempotent ones, or any with an
 * `Idempotency-Key`). A refused or unresolved connection never reached the server. A reset (`ECONNRESET`,
 * `EPIPE`, undici's `UND_ERR_SOCKET` "other side closed") is NOT proof that the server did nothing: once the
 * request was written it may have acted on it, which is why a POST or PATCH without an `Idempotency-Key` is
 * never retried after one. Node and undici retry nothing on their own either (Node's docs leave it to the
 * caller, for a reused keep-alive socket: `request.reusedSocket`).
 */
export const DEFAULT_RETRY_ERROR_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'HTTP_TIMEOUT_CONNECT',
] as const;
