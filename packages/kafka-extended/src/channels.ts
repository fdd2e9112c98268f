/**
 * Names of the `node:diagnostics_channel` channels `@onex/kafka-extended` publishes on (streams, tuning, diagnostics,
 * security, schema registry); subscribe with `diagnostics_channel.subscribe(KAFKA_EXTENDED_CHANNELS.commit, listener)`.
 * Only the names are public: the package alone publishes on them.
 */
export const KAFKA_EXTENDED_CHANNELS = {
  /** A stream processor changed state: `{ processorId, state }`. */
  processorState: 'onex:kafka-extended:processor-state',
  /** A message went to the dead-letter topic: `{ processorId, topic, partition, offset, dlqTopic, error }`. */
  deadLetter: 'onex:kafka-extended:dead-letter',
  /** A processor attempt failed and will be retried: `{ processorId, topic, partition, offset, attempt, error }`. */
  retry: 'onex:kafka-extended:retry',
  /** A batch was committed: `{ processorId, topic, partition, nextOffset, outputs, transactional }`. */
  commit: 'onex:kafka-extended:commit',
  /**
   * A chunk's outputs were acknowledged by the broker and its input offset is about to be committed (inside the
   * open transaction with exactly_once): `{ processorId, topic, partition, nextOffset, outputs, transactional }`.
   * Subscribers run synchronously at that point, which makes it the place to observe (or, in a crash test,
   * kill the process) with outputs written and the commit still pending.
   */
  outputsSent: 'onex:kafka-extended:outputs-sent',
  /** An exactly-once transaction was fenced because another instance now owns the input partition: `{ processorId, topic, partition, transactionalId, error }`. */
  fenced: 'onex:kafka-extended:fenced',
  /** Topic configs were applied: `{ topic, configs, validateOnly }`. */
  topicConfig: 'onex:kafka-extended:topic-config',
  /** The security settings changed: `{ ssl, saslMechanism }` (no secrets). */
  security: 'onex:kafka-extended:security',
  /** A kafkajs log line at WARN or ERROR: `{ level, namespace, message, extra }`. */
  log: 'onex:kafka-extended:log',
  /** The embedded schema registry registered a new schema: `{ subject, version, id, schemaType }`. */
  schemaRegistered: 'onex:kafka-extended:schema-registered',
  /** Another process won a registration race: `{ subject, id, version, reason }`. */
  schemaConflict: 'onex:kafka-extended:schema-conflict',
  /** Schema versions were deleted: `{ subject, versions, permanent }`. */
  schemaDeleted: 'onex:kafka-extended:schema-deleted',
} as const;
