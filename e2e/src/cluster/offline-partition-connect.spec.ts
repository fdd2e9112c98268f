// A partition with no leader in a topic this client does not use (replication factor 1, its broker
// SIGKILLed) must not keep new clients from connecting (issue 15 follow-up). kafkajs 2.2.4's idempotent and
// transactional producers ask metadata of ALL topics before InitProducerId and fail on any partition error,
// so while that partition stays offline no new producer could connect; the Java client asks only for the
// topics it uses. Held here: a new @onex/kafka producer connects and its sends to a healthy RF 3 topic are
// acknowledged, and an @onex/kafka-extended exactly_once processor (transactional producers) starts and
// commits. Control: the same connects through a separate, unpatched copy of kafkajs with the same settings
// fail. The killed broker is started again at the end (useCluster's afterAll heals the cluster as well).
import type * as KafkaJs from 'kafkajs';
import { KafkaClient } from '@onex/kafka';
import { KafkaExtended } from '@onex/kafka-extended';
import { uniqueName } from '../../../tools/jest/kafka-env.js';
import { useCluster, until } from './support/cluster.js';

const cluster = useCluster();
const MESSAGES = 20;

describe('a new client while a partition of a topic it does not use has no leader', () => {
  const offline = uniqueName('offline-rf1');
  const healthy = uniqueName('healthy-rf3');
  const input = uniqueName('offline-eos-in');
  const output = uniqueName('offline-eos-out');
  let victim = 0;
  let live: string[] = [];

  beforeAll(async () => {
    const { brokers } = cluster();
    const client = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
    try {
      await client.createTopic(offline, 1, 1);
      await client.createTopic(healthy, 1, 3);
      await client.createTopic(input, 1, 3);
      await client.createTopic(output, 1, 3);
      const producerId = await client.createProducer({ bootstrapServers: brokers });
      await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.produceMessage(producerId, input, `k${i}`, `v${i}`)));
    } finally {
      await client.close();
    }
    victim = (await cluster().leaderOf(offline, 0))!;
    live = brokers.filter((_, i) => i + 1 !== victim);
    await cluster().kill(victim);
    // Until the controller has fenced the dead broker and the partition has no leader (broker session 9 s).
    const plain = isolatedKafkaJs();
    const admin = new plain.Kafka({ brokers: live, logLevel: plain.logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    try {
      await until(
        () =>
          admin.fetchTopicMetadata({ topics: [offline] }).then(
            ({ topics }) => (topics[0]?.partitions[0]?.leader ?? 0) < 0,
            (error: unknown) => errorTypes(error).includes('LEADER_NOT_AVAILABLE'),
          ),
        60_000,
        `no leader for ${offline}`,
      );
    } finally {
      await admin.disconnect();
    }
  }, 180_000);

  afterAll(async () => {
    if (victim) await cluster().restart(victim);
  }, 240_000);

  it('fails to connect through unpatched kafkajs with the same settings (control)', async () => {
    const plain = isolatedKafkaJs();
    const kafka = new plain.Kafka({ brokers: live, clientId: 'onex-offline-control', logLevel: plain.logLevel.NOTHING, retry: { retries: 5 } });
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const transactional = kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: uniqueName('offline-control-tx') });
    const outcomes = await Promise.allSettled([idempotent.connect(), transactional.connect()]);
    await Promise.allSettled([idempotent.disconnect(), transactional.disconnect()]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(errorTypes((outcome as PromiseRejectedResult).reason)).toContain('LEADER_NOT_AVAILABLE');
    }
  }, 180_000);

  it('connects a new @onex/kafka producer whose sends to a healthy topic are acknowledged', async () => {
    const client = new KafkaClient({ bootstrapServers: live, logLevel: 'nothing' });
    try {
      const producerId = await client.createProducer({ bootstrapServers: live });
      const results = await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.produceMessage(producerId, healthy, `k${i}`, `v${i}`)));
      expect(results.map((r) => r.offset)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    } finally {
      await client.close();
    }
  }, 60_000);

  it('starts an @onex/kafka-extended exactly_once processor that processes and commits', async () => {
    const kafka = new KafkaExtended({ bootstrapServers: live });
    try {
      const id = await kafka.createStreamProcessor({ applicationId: uniqueName('offline-eos'), bootstrapServers: live, processingGuarantee: 'exactly_once' });
      await kafka.processKafkaStream(id, [input], output, (record) => ({ value: record.value }));
      await until(
        async () => {
          const { metrics } = await kafka.getStreamProcessorStatus(id);
          return metrics.recordsOut >= MESSAGES && metrics.commits >= 1;
        },
        60_000,
        'the exactly_once processor to commit its outputs',
      );
      const { metrics, state } = await kafka.getStreamProcessorStatus(id);
      expect({ recordsOut: metrics.recordsOut, recordsDlq: metrics.recordsDlq, aborted: metrics.transactionsAborted, lastError: metrics.lastError, state: state.kind }).toEqual({
        recordsOut: MESSAGES,
        recordsDlq: 0,
        aborted: 0,
        lastError: null,
        state: 'running',
      });
    } finally {
      await kafka.close();
    }
  }, 90_000);
});

/** A copy of kafkajs of its own (a fresh module registry), which the @onex packages of this file have not patched. */
function isolatedKafkaJs(): typeof KafkaJs {
  let plain: typeof KafkaJs | undefined;
  let metadata: object | undefined;
  jest.isolateModules(() => {
    plain = require('kafkajs') as typeof KafkaJs;
    metadata = require('kafkajs/src/protocol/requests/metadata/index.js') as object;
  });
  expect(Object.getOwnPropertySymbols(metadata)).not.toContain(Symbol.for('onex.kafkajs.untargetedMetadata'));
  return plain!;
}

/** The kafkajs error types along an error's cause chain (kafkajs wraps a protocol error in its retry errors). */
function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 10; depth++) {
    if (typeof e.type === 'string') types.push(e.type);
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return types;
}
