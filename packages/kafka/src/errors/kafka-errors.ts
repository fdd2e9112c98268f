import type { OnexErrorOptions } from '@onex/spi-types';
import { KafkaError } from './kafka-error.js';

/** An option of a client, producer or consumer config is invalid. */
export class KafkaConfigError extends KafkaError<'KAFKA_INVALID_CONFIG'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_INVALID_CONFIG', message, options);
  }
}

/** An argument of a method call is invalid (empty topic, bad partition, bad offset, …). */
export class KafkaArgumentError extends KafkaError<'KAFKA_INVALID_ARGUMENT'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_INVALID_ARGUMENT', message, options);
  }
}

/** No open producer has this id. */
export class UnknownProducerError extends KafkaError<'KAFKA_UNKNOWN_PRODUCER'> {
  constructor(producerId: string, options?: OnexErrorOptions) {
    super('KAFKA_UNKNOWN_PRODUCER', `unknown producer id ${JSON.stringify(producerId)}`, {
      ...options,
      details: { producerId },
    });
  }
}

/** No open consumer has this id. */
export class UnknownConsumerError extends KafkaError<'KAFKA_UNKNOWN_CONSUMER'> {
  constructor(consumerId: string, options?: OnexErrorOptions) {
    super('KAFKA_UNKNOWN_CONSUMER', `unknown consumer id ${JSON.stringify(consumerId)}`, {
      ...options,
      details: { consumerId },
    });
  }
}

/** The client, producer or consumer was closed before or during the call. */
export class KafkaClosedError extends KafkaError<'KAFKA_CLOSED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_CLOSED', message, options);
  }
}

/** The broker did not acknowledge a message (after the configured retries). */
export class KafkaProduceError extends KafkaError<'KAFKA_PRODUCE_FAILED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_PRODUCE_FAILED', message, options);
  }
}

/** A message is larger than `maxMessageBytes` or than the broker/topic limit. */
export class KafkaMessageTooLargeError extends KafkaError<'KAFKA_MESSAGE_TOO_LARGE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_MESSAGE_TOO_LARGE', message, options);
  }
}

/** The brokers could not be reached (connection refused, closed, no leader). */
export class KafkaConnectionError extends KafkaError<'KAFKA_CONNECTION'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_CONNECTION', message, options);
  }
}

/** SASL authentication failed. */
export class KafkaAuthenticationError extends KafkaError<'KAFKA_AUTHENTICATION'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_AUTHENTICATION', message, options);
  }
}

/** A request to the broker timed out. */
export class KafkaTimeoutError extends KafkaError<'KAFKA_TIMEOUT'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_TIMEOUT', message, options);
  }
}

/** A `{ topic: offset }` commit names a topic of which several partitions were delivered. */
export class KafkaAmbiguousOffsetsError extends KafkaError<'KAFKA_AMBIGUOUS_OFFSETS'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_AMBIGUOUS_OFFSETS', message, options);
  }
}

/** A partition does not exist or is not assigned to the consumer. */
export class KafkaUnknownPartitionError extends KafkaError<'KAFKA_UNKNOWN_PARTITION'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_UNKNOWN_PARTITION', message, options);
  }
}

/** The group coordinator rejected a commit (rebalance in progress, fenced member, …). */
export class KafkaCommitError extends KafkaError<'KAFKA_COMMIT_FAILED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_COMMIT_FAILED', message, options);
  }
}

/** `createTopic` found the topic with another partition count or replication factor. */
export class KafkaTopicExistsDifferentError extends KafkaError<'KAFKA_TOPIC_EXISTS_DIFFERENT'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_TOPIC_EXISTS_DIFFERENT', message, options);
  }
}

/** The topic does not exist. */
export class KafkaTopicNotFoundError extends KafkaError<'KAFKA_TOPIC_NOT_FOUND'> {
  constructor(topic: string, options?: OnexErrorOptions) {
    super('KAFKA_TOPIC_NOT_FOUND', `topic ${JSON.stringify(topic)} does not exist`, {
      ...options,
      details: { topic },
    });
  }
}

/** The replication factor is larger than the number of brokers. */
export class KafkaInvalidReplicationError extends KafkaError<'KAFKA_INVALID_REPLICATION'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_INVALID_REPLICATION', message, options);
  }
}

/** An admin request failed for another reason. */
export class KafkaAdminError extends KafkaError<'KAFKA_ADMIN'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_ADMIN', message, options);
  }
}

/** The requested compression codec is not registered with kafkajs. */
export class KafkaCodecUnavailableError extends KafkaError<'KAFKA_CODEC_UNAVAILABLE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_CODEC_UNAVAILABLE', message, options);
  }
}

/** An offset is outside what can be committed (beyond what was delivered, or above 2^53). */
export class KafkaOffsetOutOfRangeError extends KafkaError<'KAFKA_OFFSET_OUT_OF_RANGE'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_OFFSET_OUT_OF_RANGE', message, options);
  }
}

/** The underlying kafkajs consumer stopped with a non-retriable error. */
export class KafkaConsumerFailedError extends KafkaError<'KAFKA_CONSUMER_FAILED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_CONSUMER_FAILED', message, options);
  }
}

/** The consumer did not call `consumeMessages` within `maxPollIntervalMs`, so it left its group. */
export class KafkaPollIntervalExceededError extends KafkaError<'KAFKA_POLL_INTERVAL_EXCEEDED'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_POLL_INTERVAL_EXCEEDED', message, options);
  }
}

/** The producer's buffer (`bufferMemoryBytes`) had no room for a message within `maxBlockMs`. */
export class KafkaBufferFullError extends KafkaError<'KAFKA_BUFFER_FULL'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_BUFFER_FULL', message, options);
  }
}

/**
 * A message was not acknowledged within `deliveryTimeoutMs` although the producer kept resending it with
 * the same producer id and sequence numbers; whether the broker wrote it is unknown.
 */
export class KafkaDeliveryTimeoutError extends KafkaError<'KAFKA_DELIVERY_TIMEOUT'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_DELIVERY_TIMEOUT', message, options);
  }
}

/**
 * A fetched record batch cannot be decompressed: its compressed data is corrupt, or it decompresses (or
 * declares it would) to more than the consumer's `maxDecompressedBatchBytes`. The records before it were
 * delivered; the consumer's position stays at the batch.
 */
export class KafkaCorruptRecordBatchError extends KafkaError<'KAFKA_CORRUPT_RECORD_BATCH'> {
  constructor(message: string, options?: OnexErrorOptions) {
    super('KAFKA_CORRUPT_RECORD_BATCH', message, options);
  }
}
