import { OnexError, hasErrorCode, type BridgeErrorCode, type OnexErrorOptions } from '@onex/spi-types';

/** Base of every error `@onex/bridge` throws; `code` is one of `BRIDGE_ERROR_CODES`. */
export class BridgeError<C extends BridgeErrorCode = BridgeErrorCode> extends OnexError<C> {}

/** No bridge has the given id. */
export class BridgeNotFoundError extends BridgeError<'BRIDGE_NOT_FOUND'> {
  constructor(bridgeId: string, options?: OnexErrorOptions) {
    super('BRIDGE_NOT_FOUND', `no bridge with id '${bridgeId}'`, { ...options, details: { bridgeId } });
  }
}

/** A bridge with that name already exists. */
export class BridgeDuplicateNameError extends BridgeError<'BRIDGE_DUPLICATE_NAME'> {
  constructor(name: string, existingId: string) {
    super('BRIDGE_DUPLICATE_NAME', `a bridge named '${name}' already exists (id '${existingId}')`, {
      details: { name, existingId },
    });
  }
}

/** No adapter is registered for a protocol, or it cannot play the requested role. */
export class BridgeUnknownProtocolError extends BridgeError<'BRIDGE_UNKNOWN_PROTOCOL'> {
  constructor(protocol: string, role: 'source' | 'target' | 'dead-letter', known: readonly string[]) {
    super(
      'BRIDGE_UNKNOWN_PROTOCOL',
      `no adapter can act as ${role} for protocol '${protocol}' (registered: ${known.join(', ') || 'none'})`,
      { details: { protocol, role, known } },
    );
  }
}

/** An option or bridge config field is invalid; the message names it and the bad value. */
export class BridgeConfigError extends BridgeError<'BRIDGE_INVALID_CONFIG'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('BRIDGE_INVALID_CONFIG', message, options);
  }
}

/** A message handed to the bridge is malformed. */
export class BridgeInvalidMessageError extends BridgeError<'BRIDGE_INVALID_MESSAGE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('BRIDGE_INVALID_MESSAGE', message, options);
  }
}

/** A routing expression does not parse or type-check; `details` hold the 1-based line and column. */
export class BridgeRuleSyntaxError extends BridgeError<'BRIDGE_RULE_SYNTAX'> {
  /** Offset of the error in the expression (0-based). */
  readonly position: number;
  constructor(where: string, expression: string, position: number, reason: string, cause?: unknown) {
    const { line, column } = lineColumn(expression, position);
    super('BRIDGE_RULE_SYNTAX', `${where} has an error at line ${line}, column ${column}: ${reason}`, {
      cause,
      details: { where, expression, position, line, column, reason },
    });
    this.position = position;
  }
}

/** A routing expression exceeds the size or complexity limits. */
export class BridgeRuleTooLargeError extends BridgeError<'BRIDGE_RULE_TOO_LARGE'> {
  constructor(where: string, reason: string, cause?: unknown) {
    super('BRIDGE_RULE_TOO_LARGE', `${where} is too large: ${reason}`, { cause, details: { where, reason } });
  }
}

/** A routing expression uses a construct the bridge refuses for safety (regex matching, nested comprehensions). */
export class BridgeRuleUnsafeError extends BridgeError<'BRIDGE_RULE_UNSAFE'> {
  constructor(where: string, expression: string, position: number, reason: string) {
    const { line, column } = lineColumn(expression, position);
    super('BRIDGE_RULE_UNSAFE', `${where} is refused at line ${line}, column ${column}: ${reason}`, {
      details: { where, expression, position, line, column, reason },
    });
  }
}

/** A routing rule raised while evaluating a message (missing key, wrong type, non-bool result); the message is dead-lettered rather than routed as if the rule had not matched. */
export class BridgeRuleEvaluationError extends BridgeError<'BRIDGE_RULE_EVALUATION'> {
  constructor(bridgeName: string, rule: string, cause: unknown) {
    super('BRIDGE_RULE_EVALUATION', `routing rule '${rule}' of bridge '${bridgeName}' could not be evaluated: ${describe(cause)}`, {
      cause,
      details: { bridgeName, rule },
    });
  }
}

/** No routing rule matched and the bridge rejects unmatched messages. */
export class BridgeNoRouteError extends BridgeError<'BRIDGE_NO_ROUTE'> {
  constructor(bridgeName: string) {
    super('BRIDGE_NO_ROUTE', `no routing rule of bridge '${bridgeName}' matched and unmatched messages are rejected`, {
      details: { bridgeName },
    });
  }
}

/** Delivery to a target failed after every retry (the cause is the last attempt's error). */
export class BridgeDeliveryError extends BridgeError<'BRIDGE_DELIVERY_FAILED'> {
  constructor(target: string, attempts: number, cause: unknown) {
    super('BRIDGE_DELIVERY_FAILED', `delivery to '${target}' failed after ${attempts} attempt(s): ${describe(cause)}`, {
      cause,
      details: { target, attempts },
    });
  }
}

/**
 * A delivery was abandoned because its abort signal fired (the drain timeout of `destroyBridge`, or
 * the breaker's timeout) while the target was still working on it. The target may still complete
 * it, so its outcome is unknown: the bridge treats it as failed (retried or dead-lettered), never as delivered.
 */
export class BridgeDeliveryAbortedError extends BridgeError<'BRIDGE_DELIVERY_ABORTED'> {
  constructor(destination: string, cause: unknown) {
    super(
      'BRIDGE_DELIVERY_ABORTED',
      `delivery to '${destination}' was abandoned (${describe(cause)}); the target may still complete it, so its outcome is unknown`,
      { cause, details: { destination, outcome: 'unknown' } },
    );
  }
}

/** The bridge is stopping or stopped and accepts no more messages. */
export class BridgeStoppedError extends BridgeError<'BRIDGE_STOPPED'> {
  constructor(bridgeId: string) {
    super('BRIDGE_STOPPED', `bridge '${bridgeId}' is stopping or stopped and accepts no messages`, { details: { bridgeId } });
  }
}

/** Which limit a {@link BridgeOverloadedError} hit: the ingress's `maxInFlight` or a bridge's `maxQueuedMessages`. */
export type BridgeOverloadReason = 'ingress-in-flight' | 'bridge-queue';

/** The bridge's queue (or the ingress in-flight limit) is full; retry after `retryAfterMs`. */
export class BridgeOverloadedError extends BridgeError<'BRIDGE_OVERLOADED'> {
  /** Suggested wait before retrying, in ms. */
  readonly retryAfterMs: number;
  /** The limit that was hit (the ingress answers 429 for its own, 503 for a bridge's). */
  readonly reason: BridgeOverloadReason;
  constructor(what: string, limit: number, retryAfterMs: number, reason: BridgeOverloadReason = 'bridge-queue') {
    super('BRIDGE_OVERLOADED', `${what} is full (limit ${limit}); retry after ${retryAfterMs} ms`, {
      details: { what, limit, retryAfterMs, reason },
    });
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
  }
}

/** A payload does not fit the bridge's message format. */
export class BridgeFormatError extends BridgeError<'BRIDGE_FORMAT'> {
  constructor(message: string, cause?: unknown) {
    super('BRIDGE_FORMAT', message, { cause });
  }
}

/** An ingress request body is not valid JSON or not a record/`{ records }` shape. */
export class BridgeMalformedBodyError extends BridgeError<'BRIDGE_MALFORMED_BODY'> {
  constructor(message: string, cause?: unknown) {
    super('BRIDGE_MALFORMED_BODY', message, { cause });
  }
}

/** An ingress request body exceeds `maxBodyBytes`. */
export class BridgePayloadTooLargeError extends BridgeError<'BRIDGE_PAYLOAD_TOO_LARGE'> {
  constructor(limit: number) {
    super('BRIDGE_PAYLOAD_TOO_LARGE', `request body exceeds maxBodyBytes (${limit} bytes)`, { details: { limit } });
  }
}

/** An ingress request has a content type the bridge does not read. */
export class BridgeUnsupportedMediaTypeError extends BridgeError<'BRIDGE_UNSUPPORTED_MEDIA_TYPE'> {
  constructor(contentType: string, accepted: readonly string[]) {
    super(
      'BRIDGE_UNSUPPORTED_MEDIA_TYPE',
      `content-type '${contentType}' is not accepted (use ${accepted.join(' or ')})`,
      { details: { contentType, accepted } },
    );
  }
}

/** No ingress route serves the method and path. */
export class BridgeRouteNotFoundError extends BridgeError<'BRIDGE_ROUTE_NOT_FOUND'> {
  constructor(method: string, path: string) {
    super('BRIDGE_ROUTE_NOT_FOUND', `no route for ${method} ${path}`, { details: { method, path } });
  }
}

/** An ingress auth hook found no valid credentials. */
export class BridgeUnauthorizedError extends BridgeError<'BRIDGE_UNAUTHORIZED'> {
  constructor(reason: string, cause?: unknown) {
    super('BRIDGE_UNAUTHORIZED', `unauthorized: ${reason}`, { cause });
  }
}

/** An ingress auth hook accepted the credentials but denied the operation. */
export class BridgeForbiddenError extends BridgeError<'BRIDGE_FORBIDDEN'> {
  constructor(reason: string) {
    super('BRIDGE_FORBIDDEN', `forbidden: ${reason}`);
  }
}

/** An ingress request is not well-formed HTTP: a request target that is not a URL, bad percent-encoding, an unparsable request line or headers. */
export class BridgeBadRequestError extends BridgeError<'BRIDGE_BAD_REQUEST'> {
  constructor(message: string, cause?: unknown) {
    super('BRIDGE_BAD_REQUEST', message, { cause });
  }
}

/** An ingress client took too long to send its headers, its request, or the next body bytes; `option` names the limit. */
export class BridgeRequestTimeoutError extends BridgeError<'BRIDGE_REQUEST_TIMEOUT'> {
  constructor(what: string, timeoutMs: number, option: string) {
    super('BRIDGE_REQUEST_TIMEOUT', `${what} took longer than ${timeoutMs} ms (${option})`, { details: { what, timeoutMs, option } });
  }
}

/** True for any error of `@onex/bridge` (checks the code, so it works across duplicate installs). */
export function isBridgeError(error: unknown): error is BridgeError {
  return hasErrorCode(error, (error as { code?: string } | null)?.code ?? '') && String((error as { code: string }).code).startsWith('BRIDGE_');
}

function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, position));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
