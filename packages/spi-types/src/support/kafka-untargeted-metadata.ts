/**
 * Metadata asked for no particular topic (kafkajs sends an empty topic list as null: "all topics", e.g.
 * the refresh an idempotent or transactional producer makes before InitProducerId) must not fail because
 * a partition of some topic nobody uses has no leader; the Java client asks only for the topics it uses
 * and is not held up by them. Written against the few pieces of kafkajs's protocol layer it touches, which
 * each adapter passes from its own kafkajs (this module stays dependency-free).
 */

/** A Metadata response as kafkajs's decoders return it (only what the rule reads). */
export interface KafkaMetadataResponseLike {
  /** Metadata v1 and later: the node the brokers name as controller, -1 while they know none. */
  readonly controllerId?: number;
  readonly topicMetadata: readonly { readonly topicErrorCode: number; readonly partitionMetadata: readonly { readonly partitionErrorCode: number }[] }[];
}

/** One built Metadata request of kafkajs: its request and its response decoder/parser. */
export interface KafkaMetadataRequestLike {
  readonly request: unknown;
  readonly response: { parse(data: KafkaMetadataResponseLike): Promise<unknown> };
}

/** kafkajs's Metadata request definition (`kafkajs/src/protocol/requests/metadata/index.js`), which its broker reads at every request. */
export interface KafkaMetadataRequestsLike {
  protocol: (options: { version: number }) => ((args: { topics?: readonly string[] }) => KafkaMetadataRequestLike) | undefined;
}

/** kafkajs's protocol error helpers (`kafkajs/src/protocol/error.js`). */
export interface KafkaProtocolErrorsLike {
  failure(code: number): boolean;
  createErrorFromCode(code: number): Error;
}

const INSTALLED = Symbol.for('onex.kafkajs.untargetedMetadata');

/**
 * Wraps `metadata.protocol` once (a second call on the same definition is a no-op) so that the response to
 * a Metadata request naming no topic still fails on a topic-level error, as before, but no longer on
 * partition-level errors (LEADER_NOT_AVAILABLE, ...): those partitions stay in the response with their
 * error code and leader. A request naming topics is parsed by kafkajs unchanged, so metadata of the topics a
 * client uses keeps failing and being retried while their leader is elected. Returns false, changing
 * nothing, when `metadata` does not have the expected shape.
 */
export function tolerateUntargetedPartitionErrors(metadata: KafkaMetadataRequestsLike, errors: KafkaProtocolErrorsLike): boolean {
  const target = metadata as KafkaMetadataRequestsLike & { [INSTALLED]?: true };
  if (target[INSTALLED]) return true;
  if (typeof target.protocol !== 'function' || typeof errors.failure !== 'function' || typeof errors.createErrorFromCode !== 'function') return false;
  const original = target.protocol;
  const parseUntargeted = async (data: KafkaMetadataResponseLike, strict: (data: KafkaMetadataResponseLike) => Promise<unknown>): Promise<unknown> => {
    // A broker that names no controller (a fenced or restarting node) is not serving: kafkajs's own parse
    // fails on its leaderless partitions and kafkajs retries, instead of taking metadata it cannot use
    // (InitProducerId and admin calls look the controller up in it).
    if (typeof data.controllerId === 'number' && data.controllerId < 0) return strict(data);
    const failed = data.topicMetadata.find((topic) => errors.failure(topic.topicErrorCode));
    if (failed !== undefined) throw errors.createErrorFromCode(failed.topicErrorCode);
    return data;
  };
  target.protocol = (options) => {
    const make = original(options);
    if (make === undefined) return make;
    return (args) => {
      const built = make(args);
      if (args.topics !== undefined && args.topics.length > 0) return built;
      const strict = built.response.parse.bind(built.response);
      return { ...built, response: { ...built.response, parse: (data: KafkaMetadataResponseLike) => parseUntargeted(data, strict) } };
    };
  };
  target[INSTALLED] = true;
  return true;
}
