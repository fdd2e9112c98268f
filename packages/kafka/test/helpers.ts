import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { kafkaBrokers, kafkaSaslBrokers, uniqueName } from '../../../tools/jest/kafka-env.js';
import { kafkaErrorChain } from '@onex/spi-types/support';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { KafkaClient } from '../src/index.js';
import type { ProtocolKafkaMessage } from '@onex/spi-types';

export { kafkaBrokers, kafkaSaslBrokers, uniqueName };

export const workspaceRoot = path.resolve(__dirname, '../../..');

/** Polls until `count` messages arrived or `deadlineMs` passed. */
export async function consumeAtLeast(
  client: KafkaClient,
  consumerId: string,
  topics: string[],
  count: number,
  deadlineMs = 30_000,
): Promise<ProtocolKafkaMessage[]> {
  const out: ProtocolKafkaMessage[] = [];
  const deadline = Date.now() + deadlineMs;
  while (out.length < count && Date.now() < deadline) {
    out.push(...(await client.consumeMessages(consumerId, topics, 500)));
  }
  return out;
}

/**
 * Creates topics with kafkajs's admin (for topic configs `KafkaClient.createTopic` does not take) and waits
 * until every partition has a leader. A broker that has just started can answer kafkajs's own
 * `waitForLeaders` with UNKNOWN_TOPIC_OR_PARTITION before it applied the creation; this polls through it,
 * as `KafkaClient.createTopic` does.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], deadlineMs = 30_000): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const ready = topics.every((wanted) => {
        const found = metadata.topics.find((t) => t.name === wanted.topic)?.partitions ?? [];
        return found.length === (wanted.numPartitions ?? 1) && found.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (error) {
      if (!kafkaErrorChain(error).some((link) => link.type === 'UNKNOWN_TOPIC_OR_PARTITION') || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`leaders of ${topics.map((t) => t.topic).join(', ')} did not show within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** UTF-8 text of bytes. */
export const text = (bytes: Uint8Array | null | undefined): string | null => (bytes ? Buffer.from(bytes).toString('utf8') : null);

/** A TypeScript file running in a child process (tsx, `@onex/*` resolved to sources). */
export interface TsxChild {
  readonly process: ChildProcess;
  /** Resolves with the first stdout line starting with `prefix` (rejects if the child exits first). */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code, or the signal that ended the child. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts `node_modules/.bin/tsx --tsconfig tsconfig.base.json file args…`. */
export function startTsx(file: string, args: readonly string[]): TsxChild {
  const child = spawn(path.join(workspaceRoot, 'node_modules/.bin/tsx'), ['--tsconfig', path.join(workspaceRoot, 'tsconfig.base.json'), file, ...args], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve(code ?? signal);
      for (const l of listeners) l();
    }),
  );
  return {
    process: child,
    exited,
    line(prefix, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no stdout line starting with ${JSON.stringify(prefix)} after ${timeoutMs} ms\n${out}\n${err}`)), timeoutMs);
        const check = (): void => {
          const found = out.split('\n').find((l, i, all) => i < all.length - 1 && l.startsWith(prefix));
          if (found !== undefined) done(undefined, found);
          else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`child exited (${child.exitCode ?? child.signalCode})\n${out}\n${err}`));
        };
        const done = (error?: Error, found?: string): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(found!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
