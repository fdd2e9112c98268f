import { describeValue } from '@onex/spi-types/support';
import kafkajs from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import type {
  ProtocolConsumerGroupInfo,
  ProtocolConsumerGroupMember,
  ProtocolConsumerGroupOffset,
  ProtocolPartitionMetadata,
  ProtocolTopicMetadata,
} from '@onex/spi-types';
import { fromKafkaJsError, rootKafkaJsError } from '../errors/from-kafkajs-error.js';
import {
  KafkaArgumentError,
  KafkaInvalidReplicationError,
  KafkaTopicExistsDifferentError,
  KafkaTopicNotFoundError,
} from '../errors/kafka-errors.js';
import { LazyAdmin } from './lazy-admin.js';
import { toSafeNumber } from './to-buffer.js';
import { assertTopicName } from './topic-name.js';

const { AssignerProtocol } = kafkajs;

/** Topic and group administration over one lazily connected kafkajs admin client. */
export class AdminOperations {
  readonly #admin: LazyAdmin;

  constructor(kafka: Kafka) {
    this.#admin = new LazyAdmin(kafka);
  }

  #get(): Promise<Admin> {
    return this.#admin.get();
  }

  /** Disconnects the admin client. */
  close(): Promise<void> {
    return this.#admin.close();
  }

  /**
   * Creates a topic; true when created or already present with the same shape.
   * @throws {KafkaTopicExistsDifferentError} when it exists with another partition count or replication factor
   * @throws {KafkaInvalidReplicationError} when the replication factor exceeds the number of brokers
   */
  async createTopic(topic: string, partitions: number, replicationFactor: number): Promise<boolean> {
    assertTopicName(topic);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaArgumentError(`\`partitions\` must be a positive integer, got ${describeValue(partitions)}`);
    }
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > 32767) {
      throw new KafkaArgumentError(`\`replicationFactor\` must be an integer from 1 to 32767, got ${describeValue(replicationFactor)}`);
    }
    const admin = await this.#get().catch((error: unknown) => {
      throw fromKafkaJsError(error, 'admin', 'could not connect the admin client');
    });
    let created: boolean;
    try {
      created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true });
    } catch (error) {
      const root = rootKafkaJsError(error);
      if (root.type === 'INVALID_REPLICATION_FACTOR') {
        throw new KafkaInvalidReplicationError(
          `\`replicationFactor\` ${replicationFactor} of topic ${JSON.stringify(topic)} exceeds the available brokers: ${root.message ?? ''}`,
          { cause: error, details: { topic, replicationFactor } },
        );
      }
      if (root.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
        // The creation was accepted, but the broker kafkajs asked for leaders had not applied it yet (a
        // replicated cluster answers metadata from each broker's own view): wait for it, do not fail.
        await waitForLeaders(admin, topic, partitions);
        return true;
      }
      if (root.type !== 'TOPIC_ALREADY_EXISTS') throw fromKafkaJsError(error, 'admin', `could not create topic ${JSON.stringify(topic)}`, topic);
      created = false;
    }
    if (created) return true;
    const existing = await this.getTopicMetadata(topic);
    if (existing.partitionCount !== partitions || existing.replicationFactor !== replicationFactor) {
      throw new KafkaTopicExistsDifferentError(
        `topic ${JSON.stringify(topic)} exists with ${existing.partitionCount} partitions and replication ${existing.replicationFactor}, not ${partitions} and ${replicationFactor}`,
        { details: { topic, partitions: existing.partitionCount, replicationFactor: existing.replicationFactor } },
      );
    }
    return true;
  }

  /** Deletes a topic; false when it did not exist. */
  async deleteTopic(topic: string): Promise<boolean> {
    assertTopicName(topic);
    const admin = await this.#get().catch((error: unknown) => {
      throw fromKafkaJsError(error, 'admin', 'could not connect the admin client');
    });
    try {
      await admin.deleteTopics({ topics: [topic] });
      return true;
    } catch (error) {
      if (rootKafkaJsError(error).type === 'UNKNOWN_TOPIC_OR_PARTITION') return false;
      throw fromKafkaJsError(error, 'admin', `could not delete topic ${JSON.stringify(topic)}`, topic);
    }
  }

  /**
   * Describes a topic: partitions with leader, replicas, ISR, offline replicas and offsets.
   * @throws {KafkaTopicNotFoundError} when the topic does not exist
   */
  async getTopicMetadata(topic: string): Promise<ProtocolTopicMetadata> {
    assertTopicName(topic);
    const admin = await this.#get().catch((error: unknown) => {
      throw fromKafkaJsError(error, 'admin', 'could not connect the admin client');
    });
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const meta = topics.find((t) => t.name === topic);
      if (meta === undefined || meta.partitions.length === 0) throw new KafkaTopicNotFoundError(topic);
      const offsets = await admin.fetchTopicOffsets(topic);
      const byPartition = new Map(offsets.map((o) => [o.partition, o]));
      const partitions: ProtocolPartitionMetadata[] = meta.partitions
        .map((p) => {
          const o = byPartition.get(p.partitionId);
          return {
            partition: p.partitionId,
            leader: p.leader,
            replicas: [...p.replicas],
            isr: [...p.isr],
            offlineReplicas: [...(p.offlineReplicas ?? [])],
            earliestOffset: o ? toSafeNumber(o.low, 'offset') : -1,
            latestOffset: o ? toSafeNumber(o.high, 'offset') : -1,
          };
        })
        .sort((a, b) => a.partition - b.partition);
      return { topic, partitions, partitionCount: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0 };
    } catch (error) {
      throw fromKafkaJsError(error, 'admin', `could not describe topic ${JSON.stringify(topic)}`, topic);
    }
  }

  /** Describes a consumer group: state, members and assignments, committed offsets and lag. */
  async getConsumerGroupInfo(groupId: string): Promise<ProtocolConsumerGroupInfo> {
    if (typeof groupId !== 'string' || groupId === '') {
      throw new KafkaArgumentError(`\`groupId\` must be a non-empty string, got ${describeValue(groupId)}`);
    }
    const admin = await this.#get().catch((error: unknown) => {
      throw fromKafkaJsError(error, 'admin', 'could not connect the admin client');
    });
    try {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const members: ProtocolConsumerGroupMember[] = (group?.members ?? []).map((m) => {
        let assignments: Record<string, number[]> = {};
        if (m.memberAssignment && m.memberAssignment.length > 0) {
          const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
          if (decoded) assignments = Object.fromEntries(Object.entries(decoded.assignment).map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]));
        }
        return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignments };
      });
      const topics = new Set<string>();
      for (const m of members) for (const t of Object.keys(m.assignments)) topics.add(t);
      for (const t of await admin.fetchOffsets({ groupId })) topics.add(t.topic);
      const offsets: ProtocolConsumerGroupOffset[] = [];
      if (topics.size > 0) {
        const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
        for (const t of committed) {
          const ends = await admin.fetchTopicOffsets(t.topic).catch(() => []);
          const byPartition = new Map(ends.map((e) => [e.partition, e]));
          for (const p of t.partitions) {
            const end = byPartition.get(p.partition);
            const logEndOffset = end ? toSafeNumber(end.high, 'offset') : -1;
            const committedOffset = toSafeNumber(p.offset, 'offset');
            const from = committedOffset >= 0 ? committedOffset : end ? toSafeNumber(end.low, 'offset') : 0;
            offsets.push({ topic: t.topic, partition: p.partition, committedOffset, logEndOffset, lag: Math.max(0, logEndOffset - from) });
          }
        }
      }
      offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      return {
        groupId,
        state: group?.state ?? 'Dead',
        protocolType: group?.protocolType ?? '',
        protocol: group?.protocol ?? '',
        members,
        offsets,
        totalLag: offsets.reduce((n, o) => n + o.lag, 0),
      };
    } catch (error) {
      throw fromKafkaJsError(error, 'admin', `could not describe group ${JSON.stringify(groupId)}`);
    }
  }
}

/** How long `createTopic` waits for a created topic's leaders to show in metadata. */
const LEADER_WAIT_MS = 30_000;

/**
 * Polls metadata until every partition of a just-created topic has a leader.
 * @throws KafkaError when the leaders do not show within {@link LEADER_WAIT_MS}
 */
async function waitForLeaders(admin: Admin, topic: string, partitions: number): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  let delay = 50;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics[0]?.partitions ?? [];
      if (found.length === partitions && found.every((p) => p.leader >= 0)) return;
    } catch (error) {
      if (rootKafkaJsError(error).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw fromKafkaJsError(error, 'admin', `could not read the metadata of the new topic ${JSON.stringify(topic)}`, topic);
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(1_000, delay * 2);
  }
  throw fromKafkaJsError(lastError ?? new Error('leaders not elected'), 'admin', `topic ${JSON.stringify(topic)} was created but its leaders did not show within ${LEADER_WAIT_MS} ms`, topic);
}
