import diagnostics from 'node:diagnostics_channel';

/** `node:diagnostics_channel` channels of `@onex/bridge`. */
export const bridgeChannels = {
  /** `{ bridgeId, name, sourceProtocol, targetProtocol }` when a bridge starts. */
  created: diagnostics.channel('onex:bridge:created'),
  /** `{ bridgeId, name }` when a bridge has stopped. */
  destroyed: diagnostics.channel('onex:bridge:destroyed'),
  /** `{ bridgeId, target, messageId, attempts, durationMs }` after a successful delivery. */
  delivered: diagnostics.channel('onex:bridge:delivered'),
  /** `{ bridgeId, target, attempt, delayMs, error }` before a retry. */
  retry: diagnostics.channel('onex:bridge:retry'),
  /** `{ bridgeId, target, dlqTarget, error }` when a message is dead-lettered. */
  deadLettered: diagnostics.channel('onex:bridge:dead-lettered'),
  /**
   * `{ bridgeId, decision, topic, partition, offset, error, parkTopic? }` when a source halts on,
   * skips or parks a message it could neither deliver nor dead-letter.
   */
  poison: diagnostics.channel('onex:bridge:poison'),
  /** `{ bridgeId, rule, error }` when a routing expression fails to evaluate. */
  ruleError: diagnostics.channel('onex:bridge:rule-error'),
} as const;
