/** Error codes of `@onex/kafka-extended` (stream processors, tuning, diagnostics, security). */
export const KAFKA_EXTENDED_ERROR_CODES = [
  'KAFKAX_INVALID_CONFIG',
  'KAFKAX_UNKNOWN_PROCESSOR',
  'KAFKAX_PROCESSOR_STATE',
  'KAFKAX_INVALID_TOPIC_CONFIG',
  'KAFKAX_AUTHENTICATION',
  'KAFKAX_ADMIN',
] as const;
/** A code of {@link KAFKA_EXTENDED_ERROR_CODES}. */
export type KafkaExtendedErrorCode = (typeof KAFKA_EXTENDED_ERROR_CODES)[number];
