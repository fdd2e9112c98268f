import type {
  ProtocolGroupLag,
  ProtocolKafkaDiagnostics,
  ProtocolKafkaFinding,
  ProtocolTopicDiagnostics,
} from '@onex/spi-types';
import type { Admin } from 'kafkajs';
import { TopicNotFoundError } from '../errors/kafka-extended-error.js';

const TOPIC_RESOURCE = 2;
const REPORTED_CONFIGS = ['min.insync.replicas', 'cleanup.policy', 'retention.ms', 'retention.bytes', 'unclean.leader.election.enable', 'max.message.bytes', 'compression.type'];

/** Options of a diagnostics run. */
export interface DiagnosticsRun {
  readonly topic: string | undefined;
  readonly lagWarningThreshold: number;
}

/** Reads cluster, topic and group state through one admin client and derives findings. */
export async function collectDiagnostics(admin: Admin, run: DiagnosticsRun): Promise<ProtocolKafkaDiagnostics> {
  const cluster = await admin.describeCluster();
  const allTopics = await admin.listTopics();
  let topicNames: string[];
  if (run.topic !== undefined) {
    if (!allTopics.includes(run.topic)) throw new TopicNotFoundError(run.topic);
    topicNames = [run.topic];
  } else {
    topicNames = allTopics.filter((t) => !t.startsWith('__')).sort();
  }

  let topics: ProtocolTopicDiagnostics[] = [];
  if (run.topic !== undefined) topics = await describeTopics(admin, topicNames);
  else if (topicNames.length > 0) {
    // Topics can be deleted between the listing and the describe: describe the survivors one by one then.
    topics = await describeTopics(admin, topicNames).catch(async () => {
      const each = await Promise.all(topicNames.map((name) => describeTopics(admin, [name]).catch(() => [])));
      return each.flat();
    });
  }
  const consumerGroups = await groupLag(admin, run.topic);
  const findings: ProtocolKafkaFinding[] = [];
  const brokerCount = cluster.brokers.length;

  if (cluster.controller === null || cluster.controller < 0) {
    findings.push({ severity: 'critical', code: 'NO_CONTROLLER', message: 'the cluster reports no active controller', resource: 'cluster', suggestedAction: 'check the controller quorum (KRaft) and broker logs' });
  }
  if (brokerCount === 1) {
    findings.push({ severity: 'info', code: 'SINGLE_BROKER', message: 'the cluster has one broker: no replica can take over', resource: `broker:${cluster.brokers[0]?.nodeId ?? '?'}`, suggestedAction: 'run at least 3 brokers in production' });
  }
  for (const t of topics) findings.push(...topicFindings(t, brokerCount));
  for (const g of consumerGroups) {
    if (g.totalLag > run.lagWarningThreshold) {
      findings.push({
        severity: 'warning',
        code: 'CONSUMER_LAG',
        message: `group '${g.groupId}' (${g.state}) is ${g.totalLag} messages behind (threshold ${run.lagWarningThreshold})`,
        resource: `group:${g.groupId}`,
        suggestedAction: g.state === 'Empty' || g.state === 'Dead' ? 'start the group\'s consumers or delete the group' : 'add consumers (up to the partition count) or speed up processing',
      });
    }
  }
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controller ?? -1,
    brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    topics,
    consumerGroups,
    findings,
    collectedAt: Date.now(),
  };
}

async function describeTopics(admin: Admin, names: string[]): Promise<ProtocolTopicDiagnostics[]> {
  const [metadata, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: names }),
    admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: REPORTED_CONFIGS })) }),
  ]);
  const configsByTopic = new Map<string, Record<string, string>>();
  for (const resource of configs.resources) {
    const entries: Record<string, string> = {};
    for (const entry of resource.configEntries) entries[entry.configName] = entry.configValue;
    configsByTopic.set(resource.resourceName, entries);
  }
  return metadata.topics.map((t) => {
    const partitions = [...t.partitions].sort((a, b) => a.partitionId - b.partitionId);
    return {
      topic: t.name,
      partitionCount: partitions.length,
      replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
      underReplicatedPartitions: partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => p.partitionId),
      offlinePartitions: partitions.filter((p) => p.leader < 0).map((p) => p.partitionId),
      configs: configsByTopic.get(t.name) ?? {},
    };
  });
}

function topicFindings(t: ProtocolTopicDiagnostics, brokerCount: number): ProtocolKafkaFinding[] {
  const out: ProtocolKafkaFinding[] = [];
  const resource = `topic:${t.topic}`;
  const minIsr = Number(t.configs['min.insync.replicas'] ?? '1');
  if (t.offlinePartitions.length > 0) {
    out.push({ severity: 'critical', code: 'OFFLINE_PARTITIONS', message: `partitions ${t.offlinePartitions.join(', ')} of '${t.topic}' have no leader`, resource, suggestedAction: 'bring the replicas\' brokers back; consider unclean leader election only if data loss is acceptable' });
  }
  if (t.underReplicatedPartitions.length > 0) {
    out.push({ severity: 'warning', code: 'UNDER_REPLICATED', message: `partitions ${t.underReplicatedPartitions.join(', ')} of '${t.topic}' have fewer in-sync replicas than replicas`, resource, suggestedAction: 'check the lagging brokers (disk, network, GC) and wait for the ISR to catch up' });
  }
  if (minIsr > t.replicationFactor) {
    out.push({ severity: 'critical', code: 'MIN_ISR_ABOVE_RF', message: `'${t.topic}' has min.insync.replicas ${minIsr} above its replication factor ${t.replicationFactor}: every acks=all write fails with NOT_ENOUGH_REPLICAS`, resource, suggestedAction: `lower min.insync.replicas to at most ${t.replicationFactor} (e.g. optimizeKafkaPerformance('${t.topic}', { 'min.insync.replicas': ${Math.max(1, t.replicationFactor - 1)} })) or add replicas` });
  } else if (t.replicationFactor > 1 && minIsr === t.replicationFactor) {
    out.push({ severity: 'warning', code: 'MIN_ISR_EQUALS_RF', message: `'${t.topic}' has min.insync.replicas equal to its replication factor ${t.replicationFactor}: losing one broker blocks acks=all writes`, resource, suggestedAction: `set min.insync.replicas to ${t.replicationFactor - 1}` });
  }
  if (t.replicationFactor === 1) {
    out.push({ severity: brokerCount > 1 ? 'warning' : 'info', code: 'REPLICATION_FACTOR_1', message: `'${t.topic}' has one replica per partition: a broker loss makes it unavailable and can lose data`, resource, suggestedAction: brokerCount > 2 ? 'reassign partitions to 3 replicas' : 'use replication factor 3 once the cluster has 3 brokers' });
  }
  if (t.configs['unclean.leader.election.enable'] === 'true') {
    out.push({ severity: 'warning', code: 'UNCLEAN_LEADER_ELECTION', message: `'${t.topic}' allows unclean leader election: acknowledged records can be lost`, resource, suggestedAction: "set unclean.leader.election.enable to 'false'" });
  }
  return out;
}

async function groupLag(admin: Admin, topic: string | undefined): Promise<ProtocolGroupLag[]> {
  const { groups } = await admin.listGroups();
  const consumerGroups = groups.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId).sort();
  if (consumerGroups.length === 0) return [];
  const described = await admin.describeGroups(consumerGroups);
  const stateOf = new Map(described.groups.map((g) => [g.groupId, g.state]));
  const highWatermarks = new Map<string, Map<number, number>>();
  const high = async (t: string): Promise<Map<number, number> | undefined> => {
    if (!highWatermarks.has(t)) {
      const offsets = await admin.fetchTopicOffsets(t).catch(() => undefined);
      if (!offsets) return undefined;
      highWatermarks.set(t, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
    }
    return highWatermarks.get(t);
  };
  const out: ProtocolGroupLag[] = [];
  for (const groupId of consumerGroups) {
    // A group deleted since the listing has nothing to report.
    const committed = await admin.fetchOffsets(topic === undefined ? { groupId } : { groupId, topics: [topic] }).catch(() => []);
    const lagByPartition: Record<string, number> = {};
    let totalLag = 0;
    for (const t of committed) {
      const ends = await high(t.topic);
      if (!ends) continue;
      for (const p of t.partitions) {
        const offset = Number(p.offset);
        if (offset < 0) continue;
        const lag = Math.max(0, (ends.get(p.partition) ?? offset) - offset);
        lagByPartition[`${t.topic}:${p.partition}`] = lag;
        totalLag += lag;
      }
    }
    if (Object.keys(lagByPartition).length === 0) continue;
    out.push({ groupId, state: stateOf.get(groupId) ?? 'Unknown', totalLag, lagByPartition });
  }
  return out;
}
