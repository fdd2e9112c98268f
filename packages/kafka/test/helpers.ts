import { kafkaBrokers, uniqueName } from '../../../tools/jest/kafka-env.js';
import type { KafkaClient } from '../src/index.js';
import type { ProtocolKafkaMessage } from '@onex/spi-types';

export { kafkaBrokers, uniqueName };

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

/** UTF-8 text of bytes. */
export const text = (bytes: Uint8Array | null | undefined): string | null => (bytes ? Buffer.from(bytes).toString('utf8') : null);
