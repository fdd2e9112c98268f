import diagnosticsChannel from 'node:diagnostics_channel';
import { HTTP_CHANNELS } from '../channels.js';

/** The channel objects of {@link HTTP_CHANNELS}, created once; internal, so that only the package publishes. */
export const channels = {
  requestStart: diagnosticsChannel.channel(HTTP_CHANNELS.requestStart),
  attempt: diagnosticsChannel.channel(HTTP_CHANNELS.attempt),
  retry: diagnosticsChannel.channel(HTTP_CHANNELS.retry),
  requestEnd: diagnosticsChannel.channel(HTTP_CHANNELS.requestEnd),
  requestError: diagnosticsChannel.channel(HTTP_CHANNELS.requestError),
};
