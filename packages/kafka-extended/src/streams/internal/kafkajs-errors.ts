import { isOnexError } from '@onex/spi-types';
import { classifyKafkaFailure } from '@onex/spi-types/support';
import {
  KafkaExtendedAdminError,
  KafkaExtendedAuthenticationError,
  KafkaExtendedConnectionError,
  KafkaExtendedTimeoutError,
  TopicNotFoundError,
} from '../errors/kafka-extended-error.js';

/** True when kafkajs reports a rejected SASL handshake or authentication. */
export function isAuthenticationFailure(error: unknown): boolean {
  return classifyKafkaFailure(error).kind === 'authentication';
}

/** True when kafkajs reports a fenced transactional producer (another instance took over its transactional id). */
export function isFencedFailure(error: unknown): boolean {
  return classifyKafkaFailure(error).kind === 'fenced';
}

/** Maps a kafkajs failure of an admin `operation` to a typed error (authentication, timeout, connection, topic, admin). */
export function toAdminError(error: unknown, operation: string, brokers: readonly string[], topic?: string): Error {
  if (isOnexError(error)) return error;
  const { kind, chain, detail } = classifyKafkaFailure(error);
  switch (kind) {
    case 'authentication':
      return new KafkaExtendedAuthenticationError(brokers, detail, { cause: error });
    case 'timeout':
      return new KafkaExtendedTimeoutError(brokers, detail, { cause: error });
    case 'connection':
      return new KafkaExtendedConnectionError(brokers, detail, { cause: error });
    case 'topic-not-found':
      if (topic !== undefined) return new TopicNotFoundError(topic, { cause: error });
      break;
    default:
      break;
  }
  const type = chain[0]?.type;
  return new KafkaExtendedAdminError(operation, type ? `${type}: ${detail}` : detail, { cause: error });
}
