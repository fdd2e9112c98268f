// KAFKA_MODE=container: the cluster docker-compose.yml brings up (3 KRaft nodes in containers built on
// this machine, host networking) is the one the suite talks to, replicates every record three times,
// and accepts the JVM broker's SASL users. globalSetup ran `docker-compose up`; globalTeardown runs
// `docker-compose down` and fails the run if a container is left.
import { spawnSync } from 'node:child_process';
import { KafkaClient } from '@onex/kafka';
import type { ProtocolKafkaConnectionConfig } from '@onex/spi-types';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers, kafkaSaslBrokers, uniqueName } from '../../../tools/jest/kafka-env.js';
import { composeCluster, inContainerMode, jvmBrokerSaslUsers } from '../support/kafka-containers.js';
import { readTopic } from '../support/kafka-reader.js';

type Sasl = NonNullable<ProtocolKafkaConnectionConfig['sasl']>;

beforeAll(() => {
  if (!inContainerMode()) throw new Error('src/container specs run with KAFKA_MODE=container (the docker-compose cluster)');
});

describe('the docker-compose Kafka cluster', () => {
  it('is three running containers whose brokers the suite is pointed at', async () => {
    const compose = await composeCluster();
    expect(compose.projectContainers()).toEqual(['onex-kafka-1', 'onex-kafka-2', 'onex-kafka-3']);
    for (const node of compose.NODES) expect(compose.nodeRunning(node.id)).toBe(true);
    expect(kafkaBrokers()).toEqual(compose.BROKERS);
    expect(kafkaSaslBrokers()).toEqual(compose.SASL_BROKERS);
    const image = spawnSync('docker', ['inspect', '--format', '{{.Config.Image}}', 'onex-kafka-1'], { encoding: 'utf8' }).stdout.trim();
    expect(image).toBe(process.env['KAFKA_IMAGE'] || 'onex-kafka:local');

    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...compose.BROKERS].sort());
      const configs = await admin.describeConfigs({
        resources: [{ type: 4, name: String(cluster.controller ?? 1), configNames: ['default.replication.factor', 'min.insync.replicas', 'unclean.leader.election.enable'] }],
        includeSynonyms: false,
      });
      const values = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      expect(values).toEqual({ 'default.replication.factor': '3', 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' });
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes through @onex/kafka with every partition on all three nodes', async () => {
    const brokers = kafkaBrokers();
    const topic = uniqueName('compose-roundtrip');
    const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
    try {
      await kafka.createTopic(topic, 3, 3);
      const producerId = await kafka.createProducer({ bootstrapServers: brokers, acks: 'all' });
      const sent = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` }));
      const results = await Promise.all(sent.map((m) => kafka.produceMessage(producerId, topic, m.key, m.value)));
      expect(new Set(results.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));

      const messages = await readTopic(kafka, brokers, [topic], { count: sent.length, timeoutMs: 60_000, settleMs: 300 });
      const received = messages.map((m) => ({ key: Buffer.from(m.key!).toString(), value: Buffer.from(m.value!).toString() }));
      expect(received.sort((a, b) => a.value.localeCompare(b.value))).toEqual([...sent].sort((a, b) => a.value.localeCompare(b.value)));

      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        for (const p of meta!.partitions) {
          expect([...p.replicas].sort()).toEqual([1, 2, 3]);
          expect([...p.isr].sort()).toEqual([1, 2, 3]);
        }
      } finally {
        await admin.disconnect();
      }
    } finally {
      await kafka.close();
    }
  });

  it('accepts every SASL user of the JVM broker on the SASL_PLAINTEXT listener, with PLAIN and SCRAM', async () => {
    const users = await jvmBrokerSaslUsers();
    const logins: { user: string; sasl: Sasl }[] = [
      ...users.plain.map((u) => ({ user: u.username, sasl: { mechanism: 'plain', ...u } as Sasl })),
      ...users.scram.flatMap((u) => [
        { user: u.username, sasl: { mechanism: 'scram-sha-256', ...u } as Sasl },
        { user: u.username, sasl: { mechanism: 'scram-sha-512', ...u } as Sasl },
      ]),
    ];
    expect(logins.length).toBeGreaterThanOrEqual(4);
    const saslBrokers = kafkaSaslBrokers()!;
    const topic = uniqueName('compose-sasl');
    for (const { user, sasl } of logins) {
      const kafka = new KafkaClient({ bootstrapServers: saslBrokers, sasl, logLevel: 'nothing' });
      try {
        const producerId = await kafka.createProducer({ bootstrapServers: saslBrokers, sasl });
        const result = await kafka.produceMessage(producerId, topic, user, sasl.mechanism);
        expect(result.offset).toBeGreaterThanOrEqual(0);
      } finally {
        await kafka.close();
      }
    }
  });
});
