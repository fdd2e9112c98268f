import { classifyKafkaFailure, KAFKA_PROTOCOL_FAILURES, KAFKAJS_ERROR_FAILURES, kafkaErrorChain, type KafkaFailureKind } from './kafka-failure.js';

/** Builds an error the way kafkajs does: an Error with name, type, retriable and the wrapped error. */
function kafkajsError(name: string, fields: { type?: string; retriable?: boolean; originalError?: unknown; cause?: unknown; errors?: unknown[] } = {}, message = `${name} happened`): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, fields);
}

describe('classifyKafkaFailure', () => {
  it.each<[string, Error, KafkaFailureKind, boolean]>([
    ['a client-side request timeout', kafkajsError('KafkaJSRequestTimeoutError', { retriable: true }), 'timeout', true],
    ['a broker REQUEST_TIMED_OUT', kafkajsError('KafkaJSProtocolError', { type: 'REQUEST_TIMED_OUT', retriable: true }), 'timeout', true],
    ['a refused connection', kafkajsError('KafkaJSConnectionError', { retriable: true }), 'connection', true],
    ['a closed connection', kafkajsError('KafkaJSConnectionClosedError'), 'connection', true],
    ['no broker known', kafkajsError('KafkaJSBrokerNotFound'), 'connection', true],
    ['no leader', kafkajsError('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true }), 'connection', true],
    ['rejected SASL credentials', kafkajsError('KafkaJSSASLAuthenticationError'), 'authentication', false],
    ['an unsupported SASL mechanism', kafkajsError('KafkaJSProtocolError', { type: 'UNSUPPORTED_SASL_MECHANISM' }), 'authentication', false],
    ['a fenced producer epoch', kafkajsError('KafkaJSProtocolError', { type: 'INVALID_PRODUCER_EPOCH' }), 'fenced', false],
    ['a fenced producer', kafkajsError('KafkaJSProtocolError', { type: 'PRODUCER_FENCED' }), 'fenced', false],
    ['a message over the limit', kafkajsError('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE' }), 'message-too-large', false],
    ['a missing topic', kafkajsError('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }), 'topic-not-found', true],
    ['a missing topic named only in the message', kafkajsError('KafkaJSError', {}, 'This server does not host this topic-partition'), 'topic-not-found', false],
    ['an unknown protocol error', kafkajsError('KafkaJSProtocolError', { type: 'POLICY_VIOLATION' }), 'other', false],
    ['an unknown retriable error', kafkajsError('KafkaJSError', { retriable: true }), 'other', true],
    ['a plain error', new Error('boom'), 'other', false],
  ])('classifies %s', (_what, error, kind, retriable) => {
    expect(classifyKafkaFailure(error)).toMatchObject({ kind, retriable });
  });

  it('looks through the retries wrapper, originalError and an aggregate to the failure inside', () => {
    const inner = kafkajsError('KafkaJSRequestTimeoutError', {}, 'Request Metadata(key: 3, version: 6) timed out');
    const aggregate = kafkajsError('KafkaJSAggregateError', { errors: [inner] });
    const wrapped = kafkajsError('KafkaJSNumberOfRetriesExceeded', { originalError: aggregate, retriable: false });
    const failure = classifyKafkaFailure(wrapped);
    expect(failure.kind).toBe('timeout');
    expect(failure.chain).toEqual([wrapped, aggregate, inner]);
    expect(failure.detail).toBe('Request Metadata(key: 3, version: 6) timed out');
  });

  it('lets authentication win over the connection failure that wraps it', () => {
    const sasl = kafkajsError('KafkaJSSASLAuthenticationError', {}, 'SASL PLAIN authentication failed');
    expect(classifyKafkaFailure(kafkajsError('KafkaJSConnectionError', { cause: sasl })).kind).toBe('authentication');
  });

  it('stops at a cycle', () => {
    const a = kafkajsError('KafkaJSError');
    const b = kafkajsError('KafkaJSError', { cause: a });
    Object.assign(a, { cause: b });
    expect(kafkaErrorChain(a)).toEqual([a, b]);
  });

  it('uses String(error) when no link has a message', () => {
    expect(classifyKafkaFailure('socket hang up')).toMatchObject({ kind: 'other', detail: 'socket hang up', chain: [] });
  });

  it('names only kinds it knows in its tables', () => {
    const kinds = new Set<string>(['authentication', 'fenced', 'message-too-large', 'topic-not-found', 'timeout', 'connection']);
    for (const kind of [...Object.values(KAFKA_PROTOCOL_FAILURES), ...Object.values(KAFKAJS_ERROR_FAILURES)]) expect(kinds).toContain(kind);
  });
});
