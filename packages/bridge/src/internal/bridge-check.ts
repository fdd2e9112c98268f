import { OptionChecks, optionMessage } from '@onex/spi-types/support';
import { BridgeConfigError } from '../errors/bridge-errors.js';

/** The shared option checks, failing with `BridgeConfigError` (`BRIDGE_INVALID_CONFIG`). */
export const bridgeCheck = new OptionChecks((option, expectation, value) => new BridgeConfigError(optionMessage(option, expectation, value)));
