import { KAFKA_EXTENDED_ERROR_CODES, isOnexError } from '@onex/spi-types';
import {
  InvalidStreamOutputError,
  InvalidTopicConfigError,
  KafkaAdminError,
  KafkaAuthenticationError,
  KafkaConnectionError,
  KafkaExtendedAdminError,
  KafkaExtendedArgumentError,
  KafkaExtendedAuthenticationError,
  KafkaExtendedClosedError,
  KafkaExtendedConfigError,
  KafkaExtendedConnectionError,
  KafkaExtendedError,
  KafkaExtendedTimeoutError,
  REDACTED,
  StreamProcessingTimeoutError,
  StreamProcessorStateError,
  StreamTransactionError,
  TopicNotFoundError,
  UnknownStreamProcessorError,
  isKafkaExtendedError,
} from './kafka-extended-error.js';

const cause = new Error('underlying');

describe(KafkaExtendedError, () => {
  const table: [string, string, KafkaExtendedError, string, unknown][] = [
    ['KafkaExtendedConfigError', 'KAFKAX_INVALID_CONFIG', new KafkaExtendedConfigError('config.maxRetries', 'must be a non-negative integer', -1, { cause }), '`config.maxRetries` must be a non-negative integer, got -1', cause],
    ['KafkaExtendedArgumentError', 'KAFKAX_INVALID_ARGUMENT', new KafkaExtendedArgumentError('inputTopics', 'must be a non-empty array of topic names', []), '`inputTopics` must be a non-empty array of topic names, got an array of length 0', undefined],
    ['UnknownStreamProcessorError', 'KAFKAX_UNKNOWN_PROCESSOR', new UnknownStreamProcessorError('app#9'), "no stream processor with id 'app#9'", undefined],
    ['StreamProcessorStateError', 'KAFKAX_PROCESSOR_STATE', new StreamProcessorStateError('app#1', 'running', 'start'), "stream processor 'app#1' cannot start while running", undefined],
    ['StreamProcessingTimeoutError', 'KAFKAX_PROCESSING_TIMEOUT', new StreamProcessingTimeoutError('app#1', 300, 'in:0@7'), "stream processor 'app#1' took longer than 300 ms on in:0@7", undefined],
    ['InvalidStreamOutputError', 'KAFKAX_INVALID_OUTPUT', new InvalidStreamOutputError('[0].value', 'must be bytes, a string or null', 42), 'processor output `[0].value` must be bytes, a string or null, got 42', undefined],
    ['StreamTransactionError', 'KAFKAX_TRANSACTION', new StreamTransactionError('app#1', 'transaction for in:0 failed 5 times', { cause }), "stream processor 'app#1': transaction for in:0 failed 5 times", cause],
    ['InvalidTopicConfigError', 'KAFKAX_INVALID_TOPIC_CONFIG', new InvalidTopicConfigError('retention.ms', 'must be an integer >= -1, got -5'), "`settings['retention.ms']` must be an integer >= -1, got -5", undefined],
    ['TopicNotFoundError', 'KAFKAX_TOPIC_NOT_FOUND', new TopicNotFoundError('orders', { cause }), "topic 'orders' does not exist", cause],
    ['KafkaExtendedAuthenticationError', 'KAFKAX_AUTHENTICATION', new KafkaExtendedAuthenticationError(['h:9094'], 'invalid credentials', { cause }), 'authentication to h:9094 failed: invalid credentials', cause],
    ['KafkaExtendedConnectionError', 'KAFKAX_CONNECTION', new KafkaExtendedConnectionError(['h:1', 'h:2'], 'ECONNREFUSED', { cause }), 'cannot connect to h:1,h:2: ECONNREFUSED', cause],
    ['KafkaExtendedTimeoutError', 'KAFKAX_TIMEOUT', new KafkaExtendedTimeoutError(['h:1'], 'Request ApiVersions(key: 18, version: 2) timed out', { cause }), 'request to h:1 timed out: Request ApiVersions(key: 18, version: 2) timed out', cause],
    ['KafkaExtendedAdminError', 'KAFKAX_ADMIN', new KafkaExtendedAdminError('alter configs', 'POLICY_VIOLATION', { cause }), 'alter configs failed: POLICY_VIOLATION', cause],
    ['KafkaExtendedClosedError', 'KAFKAX_CLOSED', new KafkaExtendedClosedError('collect diagnostics'), 'cannot collect diagnostics: KafkaExtended is closed', undefined],
  ];

  it('has one row per stable code of the package', () => {
    expect(table.map((row) => row[1]).sort()).toEqual([...KAFKA_EXTENDED_ERROR_CODES].sort());
  });

  it.each(table)('%s has code %s, a message naming what was wrong, and its cause', (name, code, error, message, expectedCause) => {
    expect(error).toBeInstanceOf(KafkaExtendedError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(expectedCause);
    expect(isOnexError(error)).toBe(true);
    expect(isKafkaExtendedError(error)).toBe(true);
  });

  it('never prints a redacted secret and shortens long values', () => {
    expect(new KafkaExtendedConfigError('sasl.password', 'must be a non-empty string', REDACTED).message).toBe('`sasl.password` must be a non-empty string, got <redacted>');
    expect(new KafkaExtendedConfigError('x', 'must be short', 'a'.repeat(100)).message).toBe(`\`x\` must be short, got "${'a'.repeat(60)}…"`);
    // The shared renderer names an object instead of printing it (it may hold secrets the redaction does not know).
    expect(new KafkaExtendedConfigError('x', 'must be a string', { password: 'p' }).message).toBe('`x` must be a string, got an object');
  });

  it.each([
    [KafkaAuthenticationError, KafkaExtendedAuthenticationError],
    [KafkaConnectionError, KafkaExtendedConnectionError],
    [KafkaAdminError, KafkaExtendedAdminError],
  ])('keeps the deprecated name %p as an alias of the renamed class', (alias, renamed) => {
    expect(alias).toBe(renamed);
  });

  it('recognises errors by code, not only by class', () => {
    expect(isKafkaExtendedError(Object.assign(new Error('x'), { code: 'KAFKAX_ADMIN' }))).toBe(true);
    expect(isKafkaExtendedError(Object.assign(new Error('x'), { code: 'KAFKA_ADMIN' }))).toBe(false);
    expect(isKafkaExtendedError('KAFKAX_ADMIN')).toBe(false);
  });
});
