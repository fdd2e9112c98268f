import { OptionChecks, optionMessage } from '@onex/spi-types/support';
import { SchemaRegistryInvalidOptionError } from './schema-registry-errors.js';

/** The shared option checks, failing with `SchemaRegistryInvalidOptionError` (`SCHEMA_REGISTRY_INVALID_OPTION`). */
export const registryOptionCheck = new OptionChecks(
  (option, expectation, value) => new SchemaRegistryInvalidOptionError(optionMessage(option, expectation, value)),
);
