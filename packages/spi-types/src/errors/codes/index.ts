import { BRIDGE_ERROR_CODES, type BridgeErrorCode } from './bridge.js';
import { CIRCUIT_BREAKER_ERROR_CODES, type CircuitBreakerErrorCode } from './circuit-breaker.js';
import { COMMON_ERROR_CODES, type CommonErrorCode } from './common.js';
import { HTTP_EXTENDED_ERROR_CODES, type HttpExtendedErrorCode } from './http-extended.js';
import { HTTP_ERROR_CODES, type HttpErrorCode } from './http.js';
import { KAFKA_EXTENDED_ERROR_CODES, type KafkaExtendedErrorCode } from './kafka-extended.js';
import { KAFKA_ERROR_CODES, type KafkaErrorCode } from './kafka.js';
import { SCHEMA_REGISTRY_ERROR_CODES, type SchemaRegistryErrorCode } from './schema-registry.js';

/** Every stable error code of the toolkit. */
export type OnexErrorCode =
  | CommonErrorCode
  | HttpErrorCode
  | HttpExtendedErrorCode
  | KafkaErrorCode
  | KafkaExtendedErrorCode
  | SchemaRegistryErrorCode
  | CircuitBreakerErrorCode
  | BridgeErrorCode;

/** Every stable error code, for tables and exhaustive tests. */
export const ONEX_ERROR_CODES: readonly OnexErrorCode[] = [
  ...COMMON_ERROR_CODES,
  ...HTTP_ERROR_CODES,
  ...HTTP_EXTENDED_ERROR_CODES,
  ...KAFKA_ERROR_CODES,
  ...KAFKA_EXTENDED_ERROR_CODES,
  ...SCHEMA_REGISTRY_ERROR_CODES,
  ...CIRCUIT_BREAKER_ERROR_CODES,
  ...BRIDGE_ERROR_CODES,
];

export {
  BRIDGE_ERROR_CODES,
  CIRCUIT_BREAKER_ERROR_CODES,
  COMMON_ERROR_CODES,
  HTTP_ERROR_CODES,
  HTTP_EXTENDED_ERROR_CODES,
  KAFKA_ERROR_CODES,
  KAFKA_EXTENDED_ERROR_CODES,
  SCHEMA_REGISTRY_ERROR_CODES,
};
export type {
  BridgeErrorCode,
  CircuitBreakerErrorCode,
  CommonErrorCode,
  HttpErrorCode,
  HttpExtendedErrorCode,
  KafkaErrorCode,
  KafkaExtendedErrorCode,
  SchemaRegistryErrorCode,
};
