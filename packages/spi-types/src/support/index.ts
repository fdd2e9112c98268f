/**
 * `@onex/spi-types/support`: the runtime helpers every ONEX adapter shares (zero dependencies). Not part of the
 * SPI contract; adapters import it so that one rule is written once.
 */
export { describeValue } from './describe-value.js';
export { classifyKafkaFailure, kafkaErrorChain, kafkaFailureKindOf, KAFKA_PROTOCOL_FAILURES, KAFKAJS_ERROR_FAILURES } from './kafka-failure.js';
export type { KafkaErrorLink, KafkaFailure, KafkaFailureKind } from './kafka-failure.js';
export { LatencyWindow } from './latency-window.js';
export type { LatencyWindowOptions } from './latency-window.js';
export { backoffDelay } from './backoff-delay.js';
export type { BackoffJitter, BackoffOptions } from './backoff-delay.js';
export { withTimeout } from './with-timeout.js';
export type { WithTimeoutOptions } from './with-timeout.js';
export { OptionChecks, optionMessage } from './option-checks.js';
export type { NumberRule, OptionErrorFactory } from './option-checks.js';
export {
  OTEL_DURATION_BUCKETS_SECONDS,
  OTEL_SUPPRESS_TRACING_KEY,
  otelDisabledByEnv,
  otelErrorType,
  otelInstrumentSource,
  otelServerPort,
  otelTracerSource,
  otelUrlFull,
} from './otel-glue.js';
export type { OtelApiLike, OtelMeterProviderLike, OtelScope, OtelTracerProviderLike } from './otel-glue.js';
export { checkKafkaSasl, checkKafkaSsl, KAFKA_SASL_MECHANISMS } from './kafka-security.js';
export type { KafkaSaslRules, KafkaSaslSettings, KafkaSecurityErrorFactory, KafkaSslSettings } from './kafka-security.js';
export { tolerateUntargetedPartitionErrors } from './kafka-untargeted-metadata.js';
export type { KafkaMetadataRequestLike, KafkaMetadataRequestsLike, KafkaMetadataResponseLike, KafkaProtocolErrorsLike } from './kafka-untargeted-metadata.js';
export { readDurationOption } from './duration-alias.js';
export type { DurationOptionRead } from './duration-alias.js';
export { CompressedBatchError, createKafkaCodecs, DecompressionLimitError, DEFAULT_MAX_DECOMPRESSED_BYTES, describeFailure, gzipDecompress, registerKafkaCodecs, runWithCodecContext, callWithCodecContext, zstdImplementation } from './kafka-codecs.js';
export type { CodecContext, CodecName, CompressedBatchFailure, KafkaCodec, KafkaCodecLibraries, KafkaCodecs, KafkaCompressionTypesLike, ZstdImplementation } from './kafka-codecs.js';
