import { classifyKafkaFailure, kafkaErrorChain, type KafkaErrorLink } from '@onex/spi-types/support';
import type { KafkaError } from './kafka-error.js';
import { isKafkaError } from './kafka-error.js';
import {
  KafkaAdminError,
  KafkaAuthenticationError,
  KafkaCommitError,
  KafkaConnectionError,
  KafkaMessageTooLargeError,
  KafkaProduceError,
  KafkaTimeoutError,
  KafkaTopicNotFoundError,
} from './kafka-errors.js';

/** Which operation failed, to pick the fallback error class. */
export type KafkaOperation = 'produce' | 'commit' | 'admin';

interface KafkaJsLikeError extends KafkaErrorLink {
  readonly originalError?: unknown;
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

/**
 * The innermost kafkajs error (kafkajs wraps the last failure in `KafkaJSNumberOfRetriesExceeded`, several in a
 * `KafkaJSAggregateError`); a non-kafkajs `cause` inside it (a socket error) is not it.
 */
export function rootKafkaJsError(error: unknown): KafkaJsLikeError {
  const chain = kafkaErrorChain(error);
  return (chain.findLast((link) => link.name?.startsWith('KafkaJS') === true || link.type !== undefined) ?? chain.at(-1) ?? {}) as KafkaJsLikeError;
}

/** Translates a kafkajs error into the matching typed error (meaning per `@onex/spi-types/support`), keeping it as `cause`. */
export function fromKafkaJsError(error: unknown, operation: KafkaOperation, context: string, topic?: string): KafkaError {
  if (isKafkaError(error)) return error;
  const { kind } = classifyKafkaFailure(error);
  const root = rootKafkaJsError(error);
  const what = `${context}: ${root.message ?? String(error)}`;
  const options = { cause: error, details: { kafkajsError: root.name, type: root.type } };
  switch (kind) {
    case 'message-too-large':
      return new KafkaMessageTooLargeError(what, options);
    case 'topic-not-found':
      if (topic !== undefined && operation === 'admin') return new KafkaTopicNotFoundError(topic, options);
      break;
    case 'authentication':
      return new KafkaAuthenticationError(what, options);
    case 'timeout':
      return new KafkaTimeoutError(what, options);
    case 'connection':
      return new KafkaConnectionError(what, options);
    default:
      break;
  }
  switch (operation) {
    case 'produce':
      return new KafkaProduceError(what, options);
    case 'commit':
      return new KafkaCommitError(what, options);
    case 'admin':
      return new KafkaAdminError(what, options);
  }
}
