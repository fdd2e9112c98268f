import type { ProtocolKafkaConsumerConfig, ProtocolKafkaProducerConfig } from '@onex/spi-types';

/** `ProtocolKafkaProducerConfig` plus the bounds of the producer's buffer, as the Java client has them. */
export interface KafkaProducerConfig extends ProtocolKafkaProducerConfig {
  /**
   * Bytes of messages a producer holds between `produceMessage` and the broker's acknowledgement
   * (key + value + headers + 128 bytes of bookkeeping per message). @default 33554432 (32 MiB)
   */
  readonly bufferMemoryBytes?: number;
  /** How long `produceMessage` waits for room in the buffer before rejecting with `KAFKA_BUFFER_FULL`, in ms. @default 60000 */
  readonly maxBlockMs?: number;
  /**
   * How long a message may take from `produceMessage` to the broker's acknowledgement, resends
   * included, before it is rejected with `KAFKA_DELIVERY_TIMEOUT` (outcome unknown); at least
   * `lingerMs + requestTimeoutMs`. Applies when `retries` is not set. @default 120000
   */
  readonly deliveryTimeoutMs?: number;
  /**
   * Produce requests in flight at once per broker (as the Java client's
   * `max.in.flight.requests.per.connection`). An idempotent producer sends the partitions of one leader
   * that are ready at once in one request; partitions that become ready while it is in flight go in the
   * next request, over another of up to this many connections and idempotent producer ids, because
   * kafkajs's idempotent producer sends one request per broker at a time. Each partition still has at
   * most one request in flight, so its order holds. 1 sends one request per broker at a time. @default 5
   */
  readonly maxInFlightRequests?: number;
}

/** `ProtocolKafkaConsumerConfig` plus the liveness bound of the Java client. */
export interface KafkaConsumerConfig extends ProtocolKafkaConsumerConfig {
  /**
   * Longest time between two `consumeMessages` calls, in ms: a consumer that does not poll within
   * it leaves its group, so its partitions move to other members. @default 300000
   */
  readonly maxPollIntervalMs?: number;
  /**
   * Most bytes one fetched record batch may decompress to; a larger one (a decompression bomb) is
   * refused with `KAFKA_CORRUPT_RECORD_BATCH` before it is inflated. @default 100000000 (librdkafka's `receive.message.max.bytes`)
   */
  readonly maxDecompressedBatchBytes?: number;
}
