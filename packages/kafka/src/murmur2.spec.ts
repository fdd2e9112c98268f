import fc from 'fast-check';
import { murmur2, partitionForKey } from './murmur2.js';
import { KafkaArgumentError } from './errors/kafka-errors.js';

// kafkajs's own Long-based implementation, used as an independent oracle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;

describe('murmur2', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j exactly like the Java client (Kafka UtilsTest vectors)', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('agrees with kafkajs DefaultPartitioner hashing on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('maps keys to (hash & 0x7fffffff) % partitions', () => {
    expect(partitionForKey('foobar', 50)).toBe(16);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 500 }), (key, count) => {
        expect(partitionForKey(key, count)).toBe((kafkajsMurmur2(Buffer.from(key)) & 0x7fffffff) % count);
      }),
    );
  });
});

describe(partitionForKey, () => {
  it.each([0, -1, 1.5, Number.NaN, '3' as unknown as number])('rejects the partition count %p with KafkaArgumentError', (count) => {
    const error = (() => {
      try {
        partitionForKey('k', count);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(KafkaArgumentError);
    expect(error).toMatchObject({ code: 'KAFKA_INVALID_ARGUMENT', message: expect.stringContaining('`partitionCount` must be a positive integer, got') });
  });

  it('rejects a key that is neither a string nor bytes with KafkaArgumentError', () => {
    expect(() => partitionForKey(42 as unknown as string, 3)).toThrow(KafkaArgumentError);
  });
});
