import { describeValue } from '@onex/spi-types/support';
import { KafkaArgumentError } from './errors/kafka-errors.js';

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995 | 0;

/**
 * The 32-bit murmur2 hash exactly as the Java client's `Utils.murmur2` computes it (signed result),
 * so keyed messages land on the partitions other Kafka clients choose.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The Java reference folds the trailing bytes with a fall-through switch; same effect here.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= (data[whole + 2]! & 0xff) << 16;
    if (tail >= 2) h ^= (data[whole + 1]! & 0xff) << 8;
    h ^= data[whole]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition the Java `DefaultPartitioner` (and kafkajs's) picks for a key: `(murmur2 & 0x7fffffff) % count`;
 * a string key is hashed as its UTF-8 bytes.
 * @throws KafkaArgumentError (`KAFKA_INVALID_ARGUMENT`) when the key is neither a string nor bytes, or the count is not a positive integer
 */
export function partitionForKey(key: Uint8Array | string, partitionCount: number): number {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
    throw new KafkaArgumentError(`\`key\` must be a string or a Uint8Array, got ${describeValue(key)}`);
  }
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new KafkaArgumentError(`\`partitionCount\` must be a positive integer, got ${describeValue(partitionCount)}`);
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % partitionCount;
}
