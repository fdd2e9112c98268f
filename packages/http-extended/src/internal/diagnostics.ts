import diagnosticsChannel from 'node:diagnostics_channel';

/** Events published on `node:diagnostics_channel` as `onex:http-extended:<event>`. */
export type HttpExtendedDiagnosticEvent =
  | 'stream-start'
  | 'stream-end'
  | 'ws-open'
  | 'ws-close'
  | 'ws-reconnect'
  | 'ws-error'
  | 'oauth2-fetch'
  | 'oauth2-cache-hit'
  | 'jwks-fetch'
  | 'jwt-rejected';

const channels = new Map<string, diagnosticsChannel.Channel>();

/** The channel of an event, e.g. `onex:http-extended:ws-open`. */
export function channelName(event: HttpExtendedDiagnosticEvent): string {
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
