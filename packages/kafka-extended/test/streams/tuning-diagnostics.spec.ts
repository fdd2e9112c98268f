import type { Admin, Kafka } from 'kafkajs';
import { KafkaExtended } from '../../src/index.js';
import { kafkaBrokers, uniqueName } from '../../../../tools/jest/kafka-env.js';
import { commitGroupOffset, createTopics, produceInputs, rawKafka } from './kafka-test-utils.js';

const TOPIC = 2;

describe(KafkaExtended, () => {
  const brokers = kafkaBrokers();
  let kafka: Kafka;
  let admin: Admin;
  let extended: KafkaExtended;

  async function topicConfigs(topic: string): Promise<Record<string, { value: string; source: number }>> {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: topic }] });
    return Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, { value: e.configValue, source: e.configSource }]));
  }

  beforeAll(async () => {
    kafka = rawKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  beforeEach(() => {
    extended = new KafkaExtended({ bootstrapServers: brokers, clientId: 'tuning-spec' });
  });

  afterEach(async () => {
    await extended.close();
  });

  describe('optimizeKafkaPerformance', () => {
    it('applies configs read-modify-write, keeping the configs set earlier', async () => {
      const topic = uniqueName('tune');
      await createTopics(admin, [topic], 1, [{ name: 'cleanup.policy', value: 'compact' }]);
      await expect(extended.optimizeKafkaPerformance(topic, { 'retention.ms': 3_600_000, compressionType: 'zstd' })).resolves.toBe(true);
      await expect(extended.optimizeKafkaPerformance(topic, { segmentBytes: '2097152', 'max.message.bytes': 2_000_000 })).resolves.toBe(true);
      const configs = await topicConfigs(topic);
      expect(configs['cleanup.policy']).toEqual({ value: 'compact', source: 1 });
      expect(configs['retention.ms']).toEqual({ value: '3600000', source: 1 });
      expect(configs['compression.type']).toEqual({ value: 'zstd', source: 1 });
      expect(configs['segment.bytes']).toEqual({ value: '2097152', source: 1 });
      expect(configs['max.message.bytes']).toEqual({ value: '2000000', source: 1 });
    });

    it('changes nothing with validateOnly', async () => {
      const topic = uniqueName('tune-validate');
      await createTopics(admin, [topic], 1);
      await expect(extended.optimizeKafkaPerformance(topic, { 'retention.ms': 1234 }, { validateOnly: true })).resolves.toBe(true);
      expect((await topicConfigs(topic))['retention.ms']!.source).not.toBe(1);
    });

    it('rejects unknown keys, bad values and a min ISR above the replication factor with a typed error', async () => {
      const topic = uniqueName('tune-bad');
      await createTopics(admin, [topic], 1);
      await expect(extended.optimizeKafkaPerformance(topic, { 'retention.hours': 3 })).rejects.toMatchObject({
        code: 'KAFKAX_INVALID_TOPIC_CONFIG',
        message: expect.stringContaining("`settings['retention.hours']` is not a supported topic config"),
      });
      await expect(extended.optimizeKafkaPerformance(topic, { 'retention.ms': -5 })).rejects.toMatchObject({
        code: 'KAFKAX_INVALID_TOPIC_CONFIG',
        message: "`settings['retention.ms']` must be an integer >= -1, got -5",
      });
      await expect(extended.optimizeKafkaPerformance(topic, { 'min.insync.replicas': 2 })).rejects.toMatchObject({
        code: 'KAFKAX_INVALID_TOPIC_CONFIG',
        message: `\`settings['min.insync.replicas']\` must not exceed the replication factor 1 of '${topic}' (acks=all writes would all fail), got 2`,
      });
      expect((await topicConfigs(topic))['min.insync.replicas']!.source).not.toBe(1);
    });

    it('rejects a topic that does not exist', async () => {
      const topic = uniqueName('tune-missing');
      await expect(extended.optimizeKafkaPerformance(topic, { 'retention.ms': 1000 })).rejects.toMatchObject({
        code: 'KAFKAX_TOPIC_NOT_FOUND',
        message: `topic '${topic}' does not exist`,
      });
    });

    it('recommends producer settings per goal', () => {
      expect(extended.recommendProducerSettings('throughput').producer).toMatchObject({ lingerMs: 20, compression: 'lz4' });
      expect(extended.recommendProducerSettings('latency').producer).toMatchObject({ lingerMs: 0, acks: 1 });
      expect(extended.recommendProducerSettings('durability')).toMatchObject({
        producer: { acks: 'all', enableIdempotence: true },
        topicConfigs: { 'min.insync.replicas': '2' },
      });
      expect(() => extended.recommendProducerSettings('speed' as never)).toThrow("`goal` must be one of 'throughput', 'latency', 'durability', got \"speed\"");
    });
  });

  describe('getKafkaDiagnostics', () => {
    it('reports brokers, controller and partition health of a topic, and flags min ISR above the replication factor', async () => {
      const topic = uniqueName('diag-minisr');
      await createTopics(admin, [topic], 3, [{ name: 'min.insync.replicas', value: '2' }]);
      const diagnostics = await extended.getKafkaDiagnostics({ topic });
      const cluster = await admin.describeCluster();
      expect(diagnostics.clusterId).toBe(cluster.clusterId);
      expect(diagnostics.controllerId).toBe(cluster.controller);
      expect(diagnostics.brokers).toEqual(cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })));
      expect(diagnostics.topics).toEqual([
        expect.objectContaining({ topic, partitionCount: 3, replicationFactor: 1, underReplicatedPartitions: [], offlinePartitions: [] }),
      ]);
      expect(diagnostics.topics[0]!.configs['min.insync.replicas']).toBe('2');
      const finding = diagnostics.findings.find((f) => f.code === 'MIN_ISR_ABOVE_RF');
      expect(finding).toMatchObject({ severity: 'critical', resource: `topic:${topic}` });
      expect(finding!.suggestedAction).toContain('lower min.insync.replicas');
      expect(diagnostics.findings.map((f) => f.code)).toContain('REPLICATION_FACTOR_1');
    });

    it('reports per-group lag and flags a lagging group but not one that is caught up', async () => {
      const topic = uniqueName('diag-lag');
      await createTopics(admin, [topic], 1);
      await produceInputs(kafka, topic, Array.from({ length: 30 }, (_, i) => `x${i}`));
      const lagging = uniqueName('lagging-group');
      const current = uniqueName('current-group');
      await commitGroupOffset(kafka, lagging, topic, 0, 5);
      await commitGroupOffset(kafka, current, topic, 0, 30);

      const diagnostics = await extended.getKafkaDiagnostics({ topic, lagWarningThreshold: 10 });
      const groups = Object.fromEntries(diagnostics.consumerGroups.map((g) => [g.groupId, g]));
      expect(groups[lagging]).toEqual({ groupId: lagging, state: 'Empty', totalLag: 25, lagByPartition: { [`${topic}:0`]: 25 } });
      expect(groups[current]).toMatchObject({ totalLag: 0 });
      const lagFindings = diagnostics.findings.filter((f) => f.code === 'CONSUMER_LAG');
      expect(lagFindings.map((f) => f.resource)).toEqual([`group:${lagging}`]);
      expect(lagFindings[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('25 messages behind') });
    });

    it('covers every non-internal topic when no topic is given', async () => {
      const topic = uniqueName('diag-all');
      await createTopics(admin, [topic], 1);
      const diagnostics = await extended.getKafkaDiagnostics();
      expect(diagnostics.topics.map((t) => t.topic)).toContain(topic);
      expect(diagnostics.topics.some((t) => t.topic.startsWith('__'))).toBe(false);
    });

    it('rejects a topic that does not exist', async () => {
      await expect(extended.getKafkaDiagnostics({ topic: uniqueName('diag-missing') })).rejects.toMatchObject({ code: 'KAFKAX_TOPIC_NOT_FOUND' });
    });
  });
});
