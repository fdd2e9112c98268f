/**
 * Names of the `node:diagnostics_channel` channels `@onex/bridge` publishes on; subscribe with
 * `diagnostics_channel.subscribe(BRIDGE_CHANNELS.delivered, listener)`. Only the names are public: the package
 * alone publishes on them.
 */
export const BRIDGE_CHANNELS = {
  /** `{ bridgeId, name, sourceProtocol, targetProtocol }` when a bridge starts. */
  created: 'onex:bridge:created',
  /** `{ bridgeId, name }` when a bridge has stopped. */
  destroyed: 'onex:bridge:destroyed',
  /** `{ bridgeId, target, messageId, attempts, durationMs }` after a successful delivery. */
  delivered: 'onex:bridge:delivered',
  /** `{ bridgeId, target, attempt, delayMs, error }` before a retry. */
  retry: 'onex:bridge:retry',
  /** `{ bridgeId, target, dlqTarget, error }` when a message is dead-lettered. */
  deadLettered: 'onex:bridge:dead-lettered',
  /**
   * `{ bridgeId, decision, topic, partition, offset, error, parkTopic? }` when a source halts on,
   * skips or parks a message it could neither deliver nor dead-letter.
   */
  poison: 'onex:bridge:poison',
  /** `{ bridgeId, rule, error }` when a routing expression fails to evaluate. */
  ruleError: 'onex:bridge:rule-error',
} as const;
