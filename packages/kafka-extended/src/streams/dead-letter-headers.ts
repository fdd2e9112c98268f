/**
 * Headers added to a message sent to the dead-letter topic. Names follow Kafka Streams (KIP-1034) so
 * tools built for it read them; the processor id and attempt count are ONEX additions.
 */
export const DEAD_LETTER_HEADERS = {
  /** Class name of the last error (`TypeError`, `StreamProcessingTimeoutError`). */
  exception: '__streams.errors.exception',
  /** Message of the last error. */
  message: '__streams.errors.message',
  /** Stack trace of the last error. */
  stacktrace: '__streams.errors.stacktrace',
  /** Source topic. */
  topic: '__streams.errors.topic',
  /** Source partition (decimal). */
  partition: '__streams.errors.partition',
  /** Source offset (decimal). */
  offset: '__streams.errors.offset',
  /** Id of the processor that gave up. */
  processorId: '__onex.errors.processor.id',
  /** Attempts made (1 + retries). */
  attempts: '__onex.errors.attempts',
} as const;
