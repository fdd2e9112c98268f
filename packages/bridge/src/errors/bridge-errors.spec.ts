import { BRIDGE_ERROR_CODES, OnexError, isOnexError } from '@onex/spi-types';
import * as errors from './bridge-errors.js';

const cause = new Error('root cause');

const cases: [Error & { code: string }, string, string, string, unknown][] = [
  [new errors.BridgeNotFoundError('b-1'), 'BridgeNotFoundError', 'BRIDGE_NOT_FOUND', "no bridge with id 'b-1'", undefined],
  [new errors.BridgeDuplicateNameError('n', 'b-1'), 'BridgeDuplicateNameError', 'BRIDGE_DUPLICATE_NAME', "a bridge named 'n' already exists (id 'b-1')", undefined],
  [new errors.BridgeUnknownProtocolError('mqtt', 'source', ['kafka']), 'BridgeUnknownProtocolError', 'BRIDGE_UNKNOWN_PROTOCOL', "no adapter can act as source for protocol 'mqtt' (registered: kafka)", undefined],
  [new errors.BridgeConfigError('`x` must be y, got z', { cause }), 'BridgeConfigError', 'BRIDGE_INVALID_CONFIG', '`x` must be y, got z', cause],
  [new errors.BridgeInvalidMessageError('`message.payload` is required, got undefined'), 'BridgeInvalidMessageError', 'BRIDGE_INVALID_MESSAGE', '`message.payload` is required, got undefined', undefined],
  [new errors.BridgeRuleSyntaxError('r', 'a ==\nb +', 7, 'Unexpected token: EOF', cause), 'BridgeRuleSyntaxError', 'BRIDGE_RULE_SYNTAX', 'r has an error at line 2, column 3: Unexpected token: EOF', cause],
  [new errors.BridgeRuleTooLargeError('r', 'Exceeded maxAstNodes (256)', cause), 'BridgeRuleTooLargeError', 'BRIDGE_RULE_TOO_LARGE', 'r is too large: Exceeded maxAstNodes (256)', cause],
  [new errors.BridgeRuleUnsafeError('r', 'x.matches(y)', 0, 'no regex'), 'BridgeRuleUnsafeError', 'BRIDGE_RULE_UNSAFE', 'r is refused at line 1, column 1: no regex', undefined],
  [new errors.BridgeRuleEvaluationError('b', 'r1', cause), 'BridgeRuleEvaluationError', 'BRIDGE_RULE_EVALUATION', "routing rule 'r1' of bridge 'b' could not be evaluated: root cause", cause],
  [new errors.BridgeNoRouteError('b'), 'BridgeNoRouteError', 'BRIDGE_NO_ROUTE', "no routing rule of bridge 'b' matched and unmatched messages are rejected", undefined],
  [new errors.BridgeDeliveryError('t', 3, cause), 'BridgeDeliveryError', 'BRIDGE_DELIVERY_FAILED', "delivery to 't' failed after 3 attempt(s): root cause", cause],
  [new errors.BridgeDeliveryAbortedError('t', cause), 'BridgeDeliveryAbortedError', 'BRIDGE_DELIVERY_ABORTED', "delivery to 't' was abandoned (root cause); the target may still complete it, so its outcome is unknown", cause],
  [new errors.BridgeStoppedError('b-1'), 'BridgeStoppedError', 'BRIDGE_STOPPED', "bridge 'b-1' is stopping or stopped and accepts no messages", undefined],
  [new errors.BridgeOverloadedError('queue', 10, 1000), 'BridgeOverloadedError', 'BRIDGE_OVERLOADED', 'queue is full (limit 10); retry after 1000 ms', undefined],
  [new errors.BridgeFormatError('bad json', cause), 'BridgeFormatError', 'BRIDGE_FORMAT', 'bad json', cause],
  [new errors.BridgeMalformedBodyError('not json', cause), 'BridgeMalformedBodyError', 'BRIDGE_MALFORMED_BODY', 'not json', cause],
  [new errors.BridgePayloadTooLargeError(10), 'BridgePayloadTooLargeError', 'BRIDGE_PAYLOAD_TOO_LARGE', 'request body exceeds maxBodyBytes (10 bytes)', undefined],
  [new errors.BridgeUnsupportedMediaTypeError('text/xml', ['application/json']), 'BridgeUnsupportedMediaTypeError', 'BRIDGE_UNSUPPORTED_MEDIA_TYPE', "content-type 'text/xml' is not accepted (use application/json)", undefined],
  [new errors.BridgeRouteNotFoundError('POST', '/x'), 'BridgeRouteNotFoundError', 'BRIDGE_ROUTE_NOT_FOUND', 'no route for POST /x', undefined],
  [new errors.BridgeUnauthorizedError('missing bearer token', cause), 'BridgeUnauthorizedError', 'BRIDGE_UNAUTHORIZED', 'unauthorized: missing bearer token', cause],
  [new errors.BridgeForbiddenError('nope'), 'BridgeForbiddenError', 'BRIDGE_FORBIDDEN', 'forbidden: nope', undefined],
  [new errors.BridgeBadRequestError("request target '/%zz' has invalid percent-encoding", cause), 'BridgeBadRequestError', 'BRIDGE_BAD_REQUEST', "request target '/%zz' has invalid percent-encoding", cause],
  [new errors.BridgeRequestTimeoutError('request headers', 10, 'headersTimeoutMs'), 'BridgeRequestTimeoutError', 'BRIDGE_REQUEST_TIMEOUT', 'request headers took longer than 10 ms (headersTimeoutMs)', undefined],
];

describe('bridge errors', () => {
  it.each(cases)('%s has its name, code, message and cause', (error, name, code, message, expectedCause) => {
    expect(error).toBeInstanceOf(OnexError);
    expect(error).toBeInstanceOf(errors.BridgeError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(expectedCause);
    expect(isOnexError(error)).toBe(true);
    expect(errors.isBridgeError(error)).toBe(true);
  });

  it('covers every bridge error code', () => {
    expect(new Set(cases.map(([e]) => e.code))).toEqual(new Set(BRIDGE_ERROR_CODES));
  });

  it('tells the ingress in-flight limit from a full bridge queue by a typed reason, not by its wording', () => {
    const ingress = new errors.BridgeOverloadedError('bridge ingress', 256, 1000, 'ingress-in-flight');
    expect(ingress.reason).toBe('ingress-in-flight');
    expect(ingress.details).toMatchObject({ reason: 'ingress-in-flight', limit: 256 });
    expect(new errors.BridgeOverloadedError('ingress queue', 10, 1000).reason).toBe('bridge-queue');
  });

  it('does not mistake other errors for bridge errors', () => {
    expect(errors.isBridgeError(new Error('x'))).toBe(false);
    expect(errors.isBridgeError(new OnexError('TIMEOUT', 'x'))).toBe(false);
    expect(errors.isBridgeError(null)).toBe(false);
  });
});
