import diagnosticsChannel from 'node:diagnostics_channel';
import { KAFKA_CHANNELS } from '../channels.js';

/** The channel objects of {@link KAFKA_CHANNELS}, created once; internal, so that only the package publishes. */
export const channels = {
  produceBatch: diagnosticsChannel.channel(KAFKA_CHANNELS.produceBatch),
  rebalance: diagnosticsChannel.channel(KAFKA_CHANNELS.rebalance),
  commit: diagnosticsChannel.channel(KAFKA_CHANNELS.commit),
  error: diagnosticsChannel.channel(KAFKA_CHANNELS.error),
  log: diagnosticsChannel.channel(KAFKA_CHANNELS.log),
} as const;
