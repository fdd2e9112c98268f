export type {
  ContextValue,
  LiteralCircuitState,
  LiteralCompressionType,
  LiteralSchemaType,
  ProtocolLatencySummary,
} from './common.js';
export { CIRCUIT_STATES, COMPRESSION_TYPES, SCHEMA_TYPES } from './common.js';

export type {
  ProtocolConnectionPoolStats,
  ProtocolHttpBody,
  ProtocolHttpBodyRequestOptions,
  ProtocolHttpClient,
  ProtocolHttpClientMetrics,
  ProtocolHttpHeaders,
  ProtocolHttpQueryParams,
  ProtocolHttpRequestOptions,
  ProtocolHttpResponse,
  ProtocolPoolCounters,
  ProtocolRetryPolicy,
} from './http.js';

export type {
  LiteralWebSocketState,
  ProtocolHttpExtended,
  ProtocolJWTClaims,
  ProtocolOAuth2Options,
  ProtocolOAuth2Token,
  ProtocolStreamRequestOptions,
  ProtocolWebSocketConnectOptions,
  ProtocolWebSocketConnection,
  ProtocolWebSocketEvents,
  ProtocolWebSocketMessage,
  ProtocolWebSocketReconnectOptions,
} from './http-extended.js';

export type {
  LiteralKafkaAcks,
  LiteralKafkaCompression,
  ProtocolConsumerGroupInfo,
  ProtocolConsumerGroupMember,
  ProtocolConsumerGroupOffset,
  ProtocolKafkaClient,
  ProtocolKafkaCommitOffsets,
  ProtocolKafkaConnectionConfig,
  ProtocolKafkaConsumerConfig,
  ProtocolKafkaHeaders,
  ProtocolKafkaMessage,
  ProtocolKafkaMetrics,
  ProtocolKafkaProduceOptions,
  ProtocolKafkaProduceResult,
  ProtocolKafkaProducerConfig,
  ProtocolKafkaSaslConfig,
  ProtocolKafkaSslConfig,
  ProtocolKafkaTopicPartitionOffset,
  ProtocolPartitionMetadata,
  ProtocolTopicMetadata,
} from './kafka.js';

export type {
  LiteralProcessingGuarantee,
  ProtocolGroupLag,
  ProtocolKafkaDiagnostics,
  ProtocolKafkaExtended,
  ProtocolKafkaFinding,
  ProtocolKafkaSecurityConfig,
  ProtocolKafkaStreamConfig,
  ProtocolKafkaStreamOutput,
  ProtocolKafkaStreamProcessor,
  ProtocolKafkaStreamProcessorResult,
  ProtocolKafkaStreamRecord,
  ProtocolTopicDiagnostics,
} from './kafka-extended.js';

export type {
  ProtocolCompatibilityResult,
  ProtocolSchemaDefinition,
  ProtocolSchemaInfo,
  ProtocolSchemaOptions,
  ProtocolSchemaReference,
} from './schema-registry.js';

export type {
  ProtocolCircuitBreaker,
  ProtocolCircuitBreakerConfig,
  ProtocolCircuitBreakerMetrics,
  ProtocolCircuitTransition,
  ProtocolExecuteOptions,
} from './circuit-breaker.js';

export type {
  LiteralBridgeMessageFormat,
  LiteralBridgeState,
  ProtocolBridgeConfig,
  ProtocolBridgeHealth,
  ProtocolBridgeInfo,
  ProtocolBridgeMessage,
  ProtocolBridgeMetrics,
  ProtocolBridgeResult,
  ProtocolBridgeRetryPolicy,
  ProtocolBridgeStatus,
  ProtocolCommunicationBridge,
  ProtocolEndpointHealth,
  ProtocolRoutingRule,
} from './bridge.js';

export { OnexError, hasErrorCode, isOnexError } from './errors/onex-error.js';
export type { OnexErrorOptions } from './errors/onex-error.js';
export {
  CircuitBreakerFailure,
  CircuitBreakerOpenError,
  isCircuitBreakerFailure,
  isCircuitBreakerOpenError,
} from './errors/circuit-breaker-errors.js';
export {
  BRIDGE_ERROR_CODES,
  CIRCUIT_BREAKER_ERROR_CODES,
  COMMON_ERROR_CODES,
  HTTP_ERROR_CODES,
  HTTP_EXTENDED_ERROR_CODES,
  KAFKA_ERROR_CODES,
  KAFKA_EXTENDED_ERROR_CODES,
  ONEX_ERROR_CODES,
  SCHEMA_REGISTRY_ERROR_CODES,
} from './errors/codes/index.js';
export type {
  BridgeErrorCode,
  CircuitBreakerErrorCode,
  CommonErrorCode,
  HttpErrorCode,
  HttpExtendedErrorCode,
  KafkaErrorCode,
  KafkaExtendedErrorCode,
  OnexErrorCode,
  SchemaRegistryErrorCode,
} from './errors/codes/index.js';

export {
  PROTOCOL_CIRCUIT_BREAKER_METHODS,
  PROTOCOL_COMMUNICATION_BRIDGE_METHODS,
  PROTOCOL_HTTP_CLIENT_METHODS,
  PROTOCOL_HTTP_EXTENDED_METHODS,
  PROTOCOL_KAFKA_CLIENT_METHODS,
  PROTOCOL_KAFKA_EXTENDED_METHODS,
  PROTOCOL_WEBSOCKET_CONNECTION_METHODS,
  isProtocolCircuitBreaker,
  isProtocolCommunicationBridge,
  isProtocolHttpClient,
  isProtocolHttpExtended,
  isProtocolKafkaClient,
  isProtocolKafkaExtended,
  isProtocolWebSocketConnection,
} from './guards.js';
