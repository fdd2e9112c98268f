export { CircuitBreakerRegistry } from './circuit-breaker-registry.js';
export type { CircuitBreakerConfig } from './circuit-breaker-config.js';
export type { CircuitBreakerRegistryMetrics } from './circuit-breaker-registry-metrics.js';
export type { CircuitBreakerRegistryOptions } from './circuit-breaker-registry-options.js';
export type {
  CircuitBreakerEvents,
  CircuitFailureEvent,
  CircuitRejectionEvent,
  CircuitStateChangeEvent,
  CircuitTransitionReason,
} from './circuit-events.js';
export { CIRCUIT_BREAKER_CHANNELS } from './channels.js';
export { CircuitBreakerArgumentError } from './errors/circuit-breaker-argument-error.js';
export { CircuitBreakerConfigError } from './errors/circuit-breaker-config-error.js';
export { CircuitBreakerTimeoutError, isCircuitBreakerTimeoutError } from './errors/circuit-breaker-timeout-error.js';
export { CircuitHalfOpenFullError, isCircuitHalfOpenFullError } from './errors/circuit-half-open-full-error.js';
export { CircuitNotFoundError } from './errors/circuit-not-found-error.js';
export { CircuitRegistryClosedError } from './errors/circuit-registry-closed-error.js';
export { isCircuitBreakerRejection } from './errors/is-circuit-breaker-rejection.js';
export {
  CircuitBreakerFailure,
  CircuitBreakerOpenError,
  isCircuitBreakerFailure,
  isCircuitBreakerOpenError,
} from '@onex/spi-types';
