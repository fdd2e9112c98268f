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

interface KafkaJsLikeError {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly originalError?: unknown;
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

const CONNECTION_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
]);
const CONNECTION_TYPES = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'BROKER_NOT_AVAILABLE']);

/** The innermost kafkajs error (kafkajs wraps the last failure in `KafkaJSNumberOfRetriesExceeded`). */
export function rootKafkaJsError(error: unknown): KafkaJsLikeError {
  let current = error as KafkaJsLikeError;
  for (let depth = 0; depth < 5; depth++) {
    const inner = current?.originalError ?? (current?.name === 'KafkaJSNumberOfRetriesExceeded' ? current.cause : undefined);
    if (!inner || typeof inner !== 'object') break;
    current = inner as KafkaJsLikeError;
  }
  if (current?.name === 'KafkaJSAggregateError' && current.errors?.[0]) return current.errors[0] as KafkaJsLikeError;
  return current ?? {};
}

/** Translates a kafkajs error into the matching typed error, keeping it as `cause`. */
export function fromKafkaJsError(error: unknown, operation: KafkaOperation, context: string, topic?: string): KafkaError {
  if (isKafkaError(error)) return error;
  const root = rootKafkaJsError(error);
  const what = `${context}: ${root.message ?? String(error)}`;
  const options = { cause: error, details: { kafkajsError: root.name, type: root.type } };
  if (root.type === 'MESSAGE_TOO_LARGE' || root.type === 'RECORD_LIST_TOO_LARGE') {
    return new KafkaMessageTooLargeError(what, options);
  }
  if (root.type === 'UNKNOWN_TOPIC_OR_PARTITION' && topic !== undefined && operation === 'admin') {
    return new KafkaTopicNotFoundError(topic, options);
  }
  if (root.name === 'KafkaJSSASLAuthenticationError' || root.type === 'SASL_AUTHENTICATION_FAILED') {
    return new KafkaAuthenticationError(what, options);
  }
  if (root.name === 'KafkaJSRequestTimeoutError' || root.type === 'REQUEST_TIMED_OUT') {
    return new KafkaTimeoutError(what, options);
  }
  if ((root.name !== undefined && CONNECTION_NAMES.has(root.name)) || (root.type !== undefined && CONNECTION_TYPES.has(root.type))) {
    return new KafkaConnectionError(what, options);
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
