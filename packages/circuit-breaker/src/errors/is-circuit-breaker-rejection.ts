import { isCircuitBreakerOpenError } from '@onex/spi-types';
import { isCircuitHalfOpenFullError } from './circuit-half-open-full-error.js';

/** True when a call was rejected without running: circuit open (`CIRCUIT_OPEN`) or half-open trials full (`CIRCUIT_HALF_OPEN_FULL`). */
export function isCircuitBreakerRejection(error: unknown): boolean {
  return isCircuitBreakerOpenError(error) || isCircuitHalfOpenFullError(error);
}
