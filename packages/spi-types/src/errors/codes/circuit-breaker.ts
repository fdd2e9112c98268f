/** Error codes of `@onex/circuit-breaker` (and of the breaker errors any implementation throws). */
export const CIRCUIT_BREAKER_ERROR_CODES = [
  'CIRCUIT_OPEN',
  'CIRCUIT_HALF_OPEN_FULL',
  'CIRCUIT_TIMEOUT',
  'CIRCUIT_FAILURE',
  'CIRCUIT_INVALID_CONFIG',
  'CIRCUIT_NOT_FOUND',
  'CIRCUIT_INVALID_ARGUMENT',
  'CIRCUIT_REGISTRY_CLOSED',
] as const;
/** A code of {@link CIRCUIT_BREAKER_ERROR_CODES}. */
export type CircuitBreakerErrorCode = (typeof CIRCUIT_BREAKER_ERROR_CODES)[number];
