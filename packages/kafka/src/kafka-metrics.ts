import type { ProtocolKafkaMetrics } from '@onex/spi-types';

/** `ProtocolKafkaMetrics` plus the producer buffer, blocked sends, partition losses and commit failures. */
export interface KafkaMetrics extends ProtocolKafkaMetrics {
  /** Bytes currently held by the producers' buffers (queued or in flight). */
  readonly bufferUsedBytes: number;
  /** Sum of the open producers' `bufferMemoryBytes`. */
  readonly bufferLimitBytes: number;
  /** `produceMessage` calls that had to wait for room in the buffer. */
  readonly blockedSends: number;
  /** `produceMessage` calls rejected with `KAFKA_BUFFER_FULL` after `maxBlockMs`. */
  readonly bufferFullErrors: number;
  /** Partitions taken from consumers by rebalances, crashes of the kafkajs consumer or the poll interval. */
  readonly partitionsRevoked: number;
  /** Buffered messages dropped because their partition was taken away before a poll handed them out. */
  readonly droppedBufferedMessages: number;
  /** Consumers that left their group because they did not poll within `maxPollIntervalMs`. */
  readonly pollIntervalExceeded: number;
  /** `commitOffsets` calls and automatic commits that stored nothing (rejected, or the partition was lost). */
  readonly commitFailures: number;
  /** Requests resent with the same producer id and sequence numbers because the outcome of the previous one was unknown. */
  readonly unknownOutcomeResends: number;
  /** Messages rejected with `KAFKA_DELIVERY_TIMEOUT` (outcome unknown after `deliveryTimeoutMs`). */
  readonly deliveryTimeouts: number;
}
