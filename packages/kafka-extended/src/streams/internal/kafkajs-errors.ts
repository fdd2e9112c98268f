import { isOnexError } from '@onex/spi-types';
import { KafkaAdminError, KafkaAuthenticationError, KafkaConnectionError, TopicNotFoundError } from '../errors/kafka-extended-error.js';

interface KafkaJsErrorLike {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly cause?: unknown;
  readonly retriable?: boolean;
}

/** The innermost kafkajs error (kafkajs wraps the real one in `KafkaJSNumberOfRetriesExceeded`). */
function chain(error: unknown): KafkaJsErrorLike[] {
  const out: KafkaJsErrorLike[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    out.push(current as KafkaJsErrorLike);
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return out;
}

/** True when kafkajs reports a rejected SASL handshake or authentication. */
export function isAuthenticationFailure(error: unknown): boolean {
  return chain(error).some(
    (e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED' || e.type === 'ILLEGAL_SASL_STATE' || e.type === 'UNSUPPORTED_SASL_MECHANISM',
  );
}

/** True when kafkajs reports a fenced transactional producer (another instance took over its transactional id). */
export function isFencedFailure(error: unknown): boolean {
  return chain(error).some((e) => e.type === 'INVALID_PRODUCER_EPOCH' || e.type === 'PRODUCER_FENCED' || e.type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
}

/** Maps a kafkajs failure of an admin `operation` to a typed error (authentication, connection, topic, admin). */
export function toAdminError(error: unknown, operation: string, brokers: readonly string[], topic?: string): Error {
  if (isOnexError(error)) return error;
  const links = chain(error);
  const first = links[0];
  const detail = links.map((e) => e.message).filter(Boolean).at(-1) ?? String(error);
  if (isAuthenticationFailure(error)) return new KafkaAuthenticationError(brokers, detail, { cause: error });
  if (topic !== undefined && links.some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition|unknown topic/i.test(e.message ?? ''))) {
    return new TopicNotFoundError(topic, { cause: error });
  }
  if (links.some((e) => e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSBrokerNotFound' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSRequestTimeoutError')) {
    return new KafkaConnectionError(brokers, detail, { cause: error });
  }
  return new KafkaAdminError(operation, first?.type ? `${first.type}: ${detail}` : detail, { cause: error });
}
