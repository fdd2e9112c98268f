import diagnostics from 'node:diagnostics_channel';
import { BRIDGE_CHANNELS } from '../channels.js';

/** The channel objects of {@link BRIDGE_CHANNELS}, created once; internal, so that only the package publishes. */
export const bridgeChannels = {
  created: diagnostics.channel(BRIDGE_CHANNELS.created),
  destroyed: diagnostics.channel(BRIDGE_CHANNELS.destroyed),
  delivered: diagnostics.channel(BRIDGE_CHANNELS.delivered),
  retry: diagnostics.channel(BRIDGE_CHANNELS.retry),
  deadLettered: diagnostics.channel(BRIDGE_CHANNELS.deadLettered),
  poison: diagnostics.channel(BRIDGE_CHANNELS.poison),
  ruleError: diagnostics.channel(BRIDGE_CHANNELS.ruleError),
} as const;
