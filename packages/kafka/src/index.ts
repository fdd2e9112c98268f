export { KafkaClient } from './kafka-client.js';
export type { KafkaClientOptions, KafkaLogLevel } from './kafka-client-options.js';
export type { KafkaConsumerConfig, KafkaProducerConfig } from './kafka-config.js';
export type { KafkaMetrics } from './kafka-metrics.js';
export { KafkaError, isKafkaError } from './errors/kafka-error.js';
export {
  KafkaAdminError,
  KafkaAmbiguousOffsetsError,
  KafkaArgumentError,
  KafkaAuthenticationError,
  KafkaBufferFullError,
  KafkaClosedError,
  KafkaCodecUnavailableError,
  KafkaCommitError,
  KafkaConfigError,
  KafkaConnectionError,
  KafkaConsumerFailedError,
  KafkaDeliveryTimeoutError,
  KafkaCorruptRecordBatchError,
  KafkaInvalidReplicationError,
  KafkaMessageTooLargeError,
  KafkaOffsetOutOfRangeError,
  KafkaPollIntervalExceededError,
  KafkaProduceError,
  KafkaTimeoutError,
  KafkaTopicExistsDifferentError,
  KafkaTopicNotFoundError,
  KafkaUnknownPartitionError,
  UnknownConsumerError,
  UnknownProducerError,
} from './errors/kafka-errors.js';
export { murmur2, partitionForKey } from './murmur2.js';
export { isCodecAvailable } from './is-codec-available.js';
export { KAFKA_CHANNELS } from './channels.js';
