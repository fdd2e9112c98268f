import diagnosticsChannel from 'node:diagnostics_channel';

/** `node:diagnostics_channel` channels of `@onex/kafka`. */
export const channels = {
  /** A produce batch was acknowledged or failed: `{ clientId, producerId, records, bytes, durationMs, error? }`. */
  produceBatch: diagnosticsChannel.channel('onex:kafka:produce-batch'),
  /** A consumer joined its group with a new assignment: `{ clientId, consumerId, groupId, assignment }`. */
  rebalance: diagnosticsChannel.channel('onex:kafka:rebalance'),
  /** A consumer committed offsets: `{ clientId, consumerId, groupId, offsets, auto }`. */
  commit: diagnosticsChannel.channel('onex:kafka:commit'),
  /** A typed error was raised: `{ clientId, code, message }`. */
  error: diagnosticsChannel.channel('onex:kafka:error'),
  /** A kafkajs log line at warn level or above: `{ clientId, level, namespace, message }`. */
  log: diagnosticsChannel.channel('onex:kafka:log'),
} as const;
