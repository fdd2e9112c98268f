/**
 * Names of the `node:diagnostics_channel` channels `@onex/kafka` publishes on; subscribe with
 * `diagnostics_channel.subscribe(KAFKA_CHANNELS.commit, listener)`. Only the names are public: the package alone
 * publishes on them.
 */
export const KAFKA_CHANNELS = {
  /** A produce batch was acknowledged or failed: `{ clientId, producerId, records, bytes, durationMs, error? }`. */
  produceBatch: 'onex:kafka:produce-batch',
  /** A consumer joined its group with a new assignment: `{ clientId, consumerId, groupId, assignment }`. */
  rebalance: 'onex:kafka:rebalance',
  /** A consumer committed offsets: `{ clientId, consumerId, groupId, offsets, auto }`. */
  commit: 'onex:kafka:commit',
  /** A typed error was raised: `{ clientId, code, message }`. */
  error: 'onex:kafka:error',
  /** A kafkajs log line at warn level or above: `{ clientId, level, namespace, message }`. */
  log: 'onex:kafka:log',
} as const;
