import type { ProtocolKafkaProducerConfig } from '@onex/spi-types';
import { KafkaExtendedArgumentError } from './errors/kafka-extended-error.js';

/** What a producer should be tuned for. */
export type ProducerTuningGoal = 'throughput' | 'latency' | 'durability';

/** Recommended producer settings for a goal, with the topic configs that go with them. */
export interface ProducerRecommendation {
  /** The goal. */
  readonly goal: ProducerTuningGoal;
  /** Producer settings (in `ProtocolKafkaProducerConfig` terms). */
  readonly producer: Pick<ProtocolKafkaProducerConfig, 'acks' | 'enableIdempotence' | 'compression' | 'lingerMs' | 'batchSize' | 'maxBatchBytes' | 'retries'>;
  /** Topic configs that complete the picture (apply with `optimizeKafkaPerformance`). */
  readonly topicConfigs: Readonly<Record<string, string>>;
  /** Why, one line per setting. */
  readonly rationale: readonly string[];
}

const RECOMMENDATIONS: Readonly<Record<ProducerTuningGoal, ProducerRecommendation>> = {
  throughput: {
    goal: 'throughput',
    producer: { acks: 'all', enableIdempotence: true, compression: 'lz4', lingerMs: 20, batchSize: 10_000, maxBatchBytes: 1_048_576 },
    topicConfigs: { 'compression.type': 'producer' },
    rationale: [
      'lingerMs 20 and large batches amortise request overhead over many records',
      'lz4 compresses fast and cheaply (built into @onex/kafka, as are snappy, zstd and gzip)',
      "compression.type 'producer' keeps the broker from recompressing batches",
      'acks all with idempotence costs little once batches are large',
    ],
  },
  latency: {
    goal: 'latency',
    producer: { acks: 1, enableIdempotence: false, compression: 'none', lingerMs: 0, batchSize: 100, maxBatchBytes: 65_536 },
    topicConfigs: {},
    rationale: [
      'lingerMs 0 sends every record at once',
      'acks 1 waits for the leader only (a leader crash can lose acknowledged records)',
      'no compression avoids CPU time on both ends',
    ],
  },
  durability: {
    goal: 'durability',
    producer: { acks: 'all', enableIdempotence: true, compression: 'gzip', lingerMs: 5, batchSize: 1_000, retries: 2_147_483_647 },
    topicConfigs: { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' },
    rationale: [
      'acks all + min.insync.replicas 2 (with replication factor 3) survives one broker loss without losing acknowledged records',
      'idempotence with unbounded retries removes duplicates and gaps from retries',
      'unclean leader election off never elects an out-of-sync replica',
    ],
  },
};

/**
 * Recommended producer settings for a tuning goal.
 * @throws KafkaExtendedArgumentError when the goal is not throughput, latency or durability
 */
export function recommendProducerSettings(goal: ProducerTuningGoal): ProducerRecommendation {
  const found = typeof goal === 'string' ? RECOMMENDATIONS[goal] : undefined;
  if (!found || !Object.hasOwn(RECOMMENDATIONS, goal)) {
    throw new KafkaExtendedArgumentError('goal', "must be one of 'throughput', 'latency', 'durability'", goal);
  }
  return found;
}
