import diagnosticsChannel from 'node:diagnostics_channel';
import { HTTP_EXTENDED_CHANNELS } from '../channels.js';

type ChannelName = (typeof HTTP_EXTENDED_CHANNELS)[keyof typeof HTTP_EXTENDED_CHANNELS];
type EventOf<N> = N extends `onex:http-extended:${infer E}` ? E : never;

/** An event of {@link HTTP_EXTENDED_CHANNELS} by its channel-name suffix (`ws-open`, …). */
export type HttpExtendedDiagnosticEvent = EventOf<ChannelName>;

const channels = new Map<string, diagnosticsChannel.Channel>();

/** The channel name of an event: one of {@link HTTP_EXTENDED_CHANNELS}. */
export function channelName(event: HttpExtendedDiagnosticEvent): ChannelName {
  return `onex:http-extended:${event}`;
}

/** Publishes an event when someone subscribed (otherwise costs one map lookup). */
export function publish(event: HttpExtendedDiagnosticEvent, message: Record<string, unknown>): void {
  let channel = channels.get(event);
  if (channel === undefined) {
    channel = diagnosticsChannel.channel(channelName(event));
    channels.set(event, channel);
  }
  if (channel.hasSubscribers) channel.publish(message);
}
