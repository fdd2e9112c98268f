// A broker of the test's own (tools/kafka/broker.mjs on free ports), for tests that kill, restart or
// SIGSTOP it without disturbing the shared broker.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { KafkaClient } from '../src/index.js';

export interface PrivateBroker {
  readonly brokers: string[];
  readonly pid: number;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '../../..');

/**
 * Starts a private broker (384 MB heap). With `warmUp`, creates a first topic until it succeeds: the first
 * createTopic of a fresh broker can time out waiting for its leader ("coordinator is loading").
 */
export async function startPrivateBroker({ warmUp = false }: { warmUp?: boolean } = {}): Promise<PrivateBroker> {
  const { startBroker } = (await import(pathToFileURL(path.join(root, 'tools/kafka/broker.mjs')).href)) as {
    startBroker: (o?: object) => Promise<PrivateBroker>;
  };
  const broker = await startBroker({ heapMb: 384 });
  if (!warmUp) return broker;
  const warm = new KafkaClient({ bootstrapServers: broker.brokers, logLevel: 'nothing' });
  try {
    for (let attempt = 1; ; attempt++) {
      const ok = await warm.createTopic('warm-up', 1, 1).catch((e: unknown) => (attempt < 5 ? false : Promise.reject(e)));
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await warm.close();
  }
  return broker;
}
