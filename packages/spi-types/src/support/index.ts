/**
 * `@onex/spi-types/support`: the runtime helpers every ONEX adapter shares (zero dependencies). Not part of the
 * SPI contract; adapters import it so that one rule is written once.
 */
export { describeValue } from './describe-value.js';
export { classifyKafkaFailure, kafkaErrorChain, kafkaFailureKindOf, KAFKA_PROTOCOL_FAILURES, KAFKAJS_ERROR_FAILURES } from './kafka-failure.js';
export type { KafkaErrorLink, KafkaFailure, KafkaFailureKind } from './kafka-failure.js';
