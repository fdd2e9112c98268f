/**
 * `@onex/spi-types/support`: the runtime helpers every ONEX adapter shares (zero dependencies). Not part of the
 * SPI contract; adapters import it so that one rule is written once.
 */
export { describeValue } from './describe-value.js';
