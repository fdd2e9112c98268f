import { KAFKA_ERROR_CODES, OnexError } from '@onex/spi-types';
import { fromKafkaJsError } from './from-kafkajs-error.js';
import { KafkaError, isKafkaError } from './kafka-error.js';
import * as errors from './kafka-errors.js';

const cause = new Error('root cause');
const table: [KafkaError, string, string, RegExp][] = [
  [new errors.KafkaConfigError('`retries` must be a non-negative integer, got -1', { cause }), 'KafkaConfigError', 'KAFKA_INVALID_CONFIG', /retries/],
  [new errors.KafkaArgumentError('`topic` bad', { cause }), 'KafkaArgumentError', 'KAFKA_INVALID_ARGUMENT', /topic/],
  [new errors.UnknownProducerError('p-1', { cause }), 'UnknownProducerError', 'KAFKA_UNKNOWN_PRODUCER', /unknown producer id "p-1"/],
  [new errors.UnknownConsumerError('c-1', { cause }), 'UnknownConsumerError', 'KAFKA_UNKNOWN_CONSUMER', /unknown consumer id "c-1"/],
  [new errors.KafkaClosedError('closed', { cause }), 'KafkaClosedError', 'KAFKA_CLOSED', /closed/],
  [new errors.KafkaProduceError('failed', { cause }), 'KafkaProduceError', 'KAFKA_PRODUCE_FAILED', /failed/],
  [new errors.KafkaMessageTooLargeError('too large', { cause }), 'KafkaMessageTooLargeError', 'KAFKA_MESSAGE_TOO_LARGE', /large/],
  [new errors.KafkaConnectionError('refused', { cause }), 'KafkaConnectionError', 'KAFKA_CONNECTION', /refused/],
  [new errors.KafkaAuthenticationError('sasl', { cause }), 'KafkaAuthenticationError', 'KAFKA_AUTHENTICATION', /sasl/],
  [new errors.KafkaTimeoutError('timed out', { cause }), 'KafkaTimeoutError', 'KAFKA_TIMEOUT', /timed out/],
  [new errors.KafkaAmbiguousOffsetsError('ambiguous', { cause }), 'KafkaAmbiguousOffsetsError', 'KAFKA_AMBIGUOUS_OFFSETS', /ambiguous/],
  [new errors.KafkaUnknownPartitionError('t:9', { cause }), 'KafkaUnknownPartitionError', 'KAFKA_UNKNOWN_PARTITION', /t:9/],
  [new errors.KafkaCommitError('commit', { cause }), 'KafkaCommitError', 'KAFKA_COMMIT_FAILED', /commit/],
  [new errors.KafkaTopicExistsDifferentError('shape', { cause }), 'KafkaTopicExistsDifferentError', 'KAFKA_TOPIC_EXISTS_DIFFERENT', /shape/],
  [new errors.KafkaTopicNotFoundError('orders', { cause }), 'KafkaTopicNotFoundError', 'KAFKA_TOPIC_NOT_FOUND', /topic "orders" does not exist/],
  [new errors.KafkaInvalidReplicationError('rf 3', { cause }), 'KafkaInvalidReplicationError', 'KAFKA_INVALID_REPLICATION', /rf 3/],
  [new errors.KafkaAdminError('admin', { cause }), 'KafkaAdminError', 'KAFKA_ADMIN', /admin/],
  [new errors.KafkaCodecUnavailableError('snappy', { cause }), 'KafkaCodecUnavailableError', 'KAFKA_CODEC_UNAVAILABLE', /snappy/],
  [new errors.KafkaOffsetOutOfRangeError('beyond', { cause }), 'KafkaOffsetOutOfRangeError', 'KAFKA_OFFSET_OUT_OF_RANGE', /beyond/],
  [new errors.KafkaConsumerFailedError('stopped', { cause }), 'KafkaConsumerFailedError', 'KAFKA_CONSUMER_FAILED', /stopped/],
  [new errors.KafkaPollIntervalExceededError('maxPollIntervalMs', { cause }), 'KafkaPollIntervalExceededError', 'KAFKA_POLL_INTERVAL_EXCEEDED', /maxPollIntervalMs/],
  [new errors.KafkaBufferFullError('maxBlockMs', { cause }), 'KafkaBufferFullError', 'KAFKA_BUFFER_FULL', /maxBlockMs/],
  [new errors.KafkaDeliveryTimeoutError('outcome unknown', { cause }), 'KafkaDeliveryTimeoutError', 'KAFKA_DELIVERY_TIMEOUT', /outcome unknown/],
  [new errors.KafkaCorruptRecordBatchError('orders:0 offset 3', { cause }), 'KafkaCorruptRecordBatchError', 'KAFKA_CORRUPT_RECORD_BATCH', /orders:0 offset 3/],
];

describe(KafkaError, () => {
  it.each(table)('%s has its name, stable code, message and cause', (error, name, code, message) => {
    expect(error).toBeInstanceOf(OnexError);
    expect(error).toBeInstanceOf(KafkaError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.cause).toBe(cause);
    expect(isKafkaError(error)).toBe(true);
  });

  it('covers every code of KAFKA_ERROR_CODES', () => {
    expect(table.map(([e]) => e.code).sort()).toEqual([...KAFKA_ERROR_CODES].sort());
  });

  it('is not confused with plain errors', () => {
    expect(isKafkaError(new Error('x'))).toBe(false);
    expect(isKafkaError({ code: 'KAFKA_CLOSED' })).toBe(false);
  });

  it.each([
    [{ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', message: 'm' }, 'KAFKA_MESSAGE_TOO_LARGE'],
    [{ name: 'KafkaJSNumberOfRetriesExceeded', message: 'r', originalError: { name: 'KafkaJSConnectionError', message: 'refused' } }, 'KAFKA_CONNECTION'],
    [{ name: 'KafkaJSRequestTimeoutError', message: 't' }, 'KAFKA_TIMEOUT'],
    [{ name: 'KafkaJSSASLAuthenticationError', message: 'a' }, 'KAFKA_AUTHENTICATION'],
    [{ name: 'KafkaJSProtocolError', type: 'UNSUPPORTED_SASL_MECHANISM', message: 'u' }, 'KAFKA_AUTHENTICATION'],
    [{ name: 'KafkaJSProtocolError', type: 'REQUEST_TIMED_OUT', message: 'b' }, 'KAFKA_TIMEOUT'],
    [{ name: 'KafkaJSNumberOfRetriesExceeded', message: 'r', originalError: { name: 'KafkaJSAggregateError', message: 'a', errors: [{ name: 'KafkaJSRequestTimeoutError', message: 't' }] } }, 'KAFKA_TIMEOUT'],
    [{ name: 'KafkaJSError', message: 'other' }, 'KAFKA_PRODUCE_FAILED'],
  ])('translates kafkajs error %j into %s, keeping it as cause', (raw, code) => {
    const error = Object.assign(new Error(raw.message), raw);
    const typed = fromKafkaJsError(error, 'produce', 'ctx');
    expect(typed.code).toBe(code);
    expect(typed.cause).toBe(error);
  });
});
