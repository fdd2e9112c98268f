import diagnosticsChannel from 'node:diagnostics_channel';
import { KAFKA_EXTENDED_CHANNELS } from '../../channels.js';

/** The channel objects of the streams side of {@link KAFKA_EXTENDED_CHANNELS}, created once; internal, so that only the package publishes. */
export const channels = {
  processorState: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.processorState),
  deadLetter: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.deadLetter),
  retry: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.retry),
  commit: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.commit),
  outputsSent: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.outputsSent),
  fenced: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.fenced),
  topicConfig: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.topicConfig),
  security: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.security),
  log: diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.log),
};
