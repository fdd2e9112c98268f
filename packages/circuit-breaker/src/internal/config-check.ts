import { OptionChecks } from '@onex/spi-types/support';
import { CircuitBreakerConfigError } from '../errors/circuit-breaker-config-error.js';

/** The shared option checks, failing with `CircuitBreakerConfigError` (`CIRCUIT_INVALID_CONFIG`). */
export const configCheck = new OptionChecks((option, expectation, value) => new CircuitBreakerConfigError(option, expectation, value));
