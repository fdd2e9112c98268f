// Public exports of KafkaExtended, stream processors, tuning, diagnostics and security.
export { KafkaExtended } from './kafka-extended.js';
export type {
  ConfigureSecurityOptions,
  KafkaDiagnosticsOptions,
  KafkaExtendedOptions,
  OptimizeTopicOptions,
} from './kafka-extended.js';
export type {
  KafkaStreamProcessorConfig,
  StreamProcessorError,
  StreamProcessorMetrics,
  StreamProcessorState,
  StreamProcessorStatus,
  StreamSerde,
} from './stream-processor-types.js';
export { DEAD_LETTER_HEADERS } from './dead-letter-headers.js';
export { TOPIC_CONFIG_RULES, normalizeTopicConfigs } from './topic-config-rules.js';
export { recommendProducerSettings } from './producer-recommendations.js';
export type { ProducerRecommendation, ProducerTuningGoal } from './producer-recommendations.js';
export {
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
  StreamProcessingTimeoutError,
  StreamProcessorStateError,
  StreamTransactionError,
  TopicNotFoundError,
  UnknownStreamProcessorError,
  isKafkaExtendedError,
} from './errors/kafka-extended-error.js';
