// The 3-node Kafka cluster of tools/kafka/cluster.mjs for the fault suites: the one `npm test` started
// (ONEX_KAFKA_CLUSTER, its state file), or a private one for this suite, stopped in afterAll.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The handle of tools/kafka/cluster.mjs (nodes are ids 1..3; node id n listens on brokers[n - 1]). */
export interface KafkaCluster {
  readonly brokers: string[];
  readonly nodeIds: number[];
  pids(): Record<number, number | undefined>;
  kill(node: number): Promise<void>;
  restart(node: number, options?: { signal?: 'SIGTERM' | 'SIGKILL'; readyTimeoutMs?: number }): Promise<void>;
  pause(node: number): Promise<void>;
  resume(node: number): Promise<void>;
  leaderOf(topic: string, partition: number): Promise<number | undefined>;
  topicMetadata(topic: string): Promise<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }[]>;
  heal(options?: { timeoutMs?: number }): Promise<void>;
  waitInSync(options?: { timeoutMs?: number }): Promise<void>;
  stop(options?: { removeData?: boolean }): Promise<void>;
}

interface ClusterModule {
  startCluster(options?: { brokers?: number; heapMb?: number }): Promise<KafkaCluster>;
  attachCluster(stateFile: string): KafkaCluster;
}

const root = path.resolve(__dirname, '../../../..');

/**
 * Registers beforeAll/afterAll hooks and returns a getter of the cluster: the shared one when
 * ONEX_KAFKA_CLUSTER names its state file, otherwise one started for this suite. Every suite leaves the
 * cluster whole (heal) for the next one.
 */
export function useCluster(): () => KafkaCluster {
  let cluster: KafkaCluster | undefined;
  let owned = false;
  beforeAll(async () => {
    const mod = (await import(pathToFileURL(path.join(root, 'tools/kafka/cluster.mjs')).href)) as ClusterModule;
    const stateFile = process.env['ONEX_KAFKA_CLUSTER'];
    if (stateFile) {
      cluster = mod.attachCluster(stateFile);
      await cluster.heal();
    } else {
      cluster = await mod.startCluster({ brokers: 3 });
      owned = true;
    }
  }, 420_000);
  afterAll(async () => {
    if (!cluster) return;
    if (owned) await cluster.stop();
    else await cluster.heal();
  }, 420_000);
  return () => {
    if (!cluster) throw new Error('the cluster is not started (beforeAll of useCluster)');
    return cluster;
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` until it is true or throws after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
