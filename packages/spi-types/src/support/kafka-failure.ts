/**
 * What a failed Kafka request means, whichever client library reported it. Each adapter maps a kind to its own
 * typed error; the meaning is decided here once, so `@onex/kafka` and `@onex/kafka-extended` agree.
 */
export type KafkaFailureKind = 'authentication' | 'fenced' | 'message-too-large' | 'topic-not-found' | 'timeout' | 'connection' | 'other';

/**
 * Kafka protocol errors (the names of Kafka's `Errors` enum, which kafkajs reports as `type`) by meaning.
 * `REQUEST_TIMED_OUT` is a timeout, as Kafka's `TimeoutException`: the broker was reached and did not answer in time.
 */
export const KAFKA_PROTOCOL_FAILURES: Readonly<Record<string, KafkaFailureKind>> = {
  SASL_AUTHENTICATION_FAILED: 'authentication',
  ILLEGAL_SASL_STATE: 'authentication',
  UNSUPPORTED_SASL_MECHANISM: 'authentication',
  INVALID_PRODUCER_EPOCH: 'fenced',
  PRODUCER_FENCED: 'fenced',
  // Kafka answers a fenced transactional id this way when the id's ACL changed under the producer.
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'fenced',
  MESSAGE_TOO_LARGE: 'message-too-large',
  RECORD_LIST_TOO_LARGE: 'message-too-large',
  UNKNOWN_TOPIC_OR_PARTITION: 'topic-not-found',
  REQUEST_TIMED_OUT: 'timeout',
  LEADER_NOT_AVAILABLE: 'connection',
  NOT_LEADER_FOR_PARTITION: 'connection',
  NOT_LEADER_OR_FOLLOWER: 'connection',
  BROKER_NOT_AVAILABLE: 'connection',
};

/**
 * kafkajs error classes (`name`) by meaning. `KafkaJSRequestTimeoutError` is the client-side request timeout
 * (`requestTimeoutMs`): a timeout, as Java's client reports it, not a connection failure.
 */
export const KAFKAJS_ERROR_FAILURES: Readonly<Record<string, KafkaFailureKind>> = {
  KafkaJSSASLAuthenticationError: 'authentication',
  KafkaJSRequestTimeoutError: 'timeout',
  KafkaJSConnectionError: 'connection',
  KafkaJSConnectionClosedError: 'connection',
  KafkaJSBrokerNotFound: 'connection',
  KafkaJSLockTimeout: 'connection',
  KafkaJSMetadataNotLoaded: 'connection',
};

/** When several links of a chain mean something, the first kind of this list wins. */
const PRECEDENCE: readonly KafkaFailureKind[] = ['authentication', 'fenced', 'message-too-large', 'topic-not-found', 'timeout', 'connection'];

// kafkajs reports a missing topic without a type in some paths (metadata of an unknown topic).
const TOPIC_NOT_FOUND_MESSAGE = /does not host this topic-partition|unknown topic/i;

/** The fields of an error a Kafka client library reports (kafkajs: `name`, `type`, `retriable`, `originalError`). */
export interface KafkaErrorLink {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly retriable?: boolean;
}

/** A Kafka failure's meaning and the errors it was read from. */
export interface KafkaFailure {
  readonly kind: KafkaFailureKind;
  /**
   * True when the failure is worth retrying: a timeout or a connection failure always, an authentication, fencing
   * or size failure never, anything else when a link says it is retriable.
   */
  readonly retriable: boolean;
  /** The error and what it wraps (`originalError`, `cause`, an aggregate's first error), outermost first. */
  readonly chain: readonly KafkaErrorLink[];
  /** The innermost link's message that is not empty, else `String(error)`. */
  readonly detail: string;
}

const MAX_DEPTH = 8;

const RETRIABLE: Partial<Record<KafkaFailureKind, boolean>> = {
  timeout: true,
  connection: true,
  authentication: false,
  fenced: false,
  'message-too-large': false,
};

/** The error and the errors it wraps, outermost first (cycles and depth bounded). */
export function kafkaErrorChain(error: unknown): KafkaErrorLink[] {
  const out: KafkaErrorLink[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && out.length < MAX_DEPTH && !out.includes(current as KafkaErrorLink)) {
    out.push(current as KafkaErrorLink);
    const link = current as { originalError?: unknown; cause?: unknown; errors?: unknown };
    current = link.originalError ?? link.cause ?? (Array.isArray(link.errors) ? link.errors[0] : undefined);
  }
  return out;
}

/** The meaning of one link alone. */
export function kafkaFailureKindOf(link: KafkaErrorLink): KafkaFailureKind {
  const byName = link.name === undefined ? undefined : KAFKAJS_ERROR_FAILURES[link.name];
  const byType = link.type === undefined ? undefined : KAFKA_PROTOCOL_FAILURES[link.type];
  const kinds = [byName, byType, typeof link.message === 'string' && TOPIC_NOT_FOUND_MESSAGE.test(link.message) ? 'topic-not-found' : undefined];
  return PRECEDENCE.find((kind) => kinds.includes(kind)) ?? 'other';
}

/** Classifies a failure reported by a Kafka client library by what Kafka means by it. */
export function classifyKafkaFailure(error: unknown): KafkaFailure {
  const chain = kafkaErrorChain(error);
  const kinds = new Set(chain.map(kafkaFailureKindOf));
  const kind = PRECEDENCE.find((k) => kinds.has(k)) ?? 'other';
  const detail = chain.map((link) => (typeof link.message === 'string' ? link.message : '')).filter((message) => message !== '').at(-1) ?? String(error);
  const retriable = RETRIABLE[kind] ?? chain.some((link) => link.retriable === true);
  return { kind, retriable, chain, detail };
}
