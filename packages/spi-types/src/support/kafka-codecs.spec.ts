import { gzipSync } from 'node:zlib';
import {
  CompressedBatchError,
  createKafkaCodecs,
  DecompressionLimitError,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  describeFailure,
  gzipDecompress,
  registerKafkaCodecs,
  runWithCodecContext,
  callWithCodecContext,
  type CompressedBatchFailure,
  type KafkaCodecLibraries,
} from './kafka-codecs.js';

// The codec libraries are the adapters' dependencies, not this package's: these stand-ins record what the
// shared framing code asks of them. The real libraries are exercised by @onex/kafka's compression specs.
function libraries() {
  const calls = { uncompress: [] as number[], fzstd: 0 };
  const libs: KafkaCodecLibraries = {
    snappy: {
      compress: (input) => Buffer.from(input),
      // A raw snappy block here is its varint length and then that many literal bytes (enough for the framing).
      uncompress: (input, maxLength) => {
        const length = input[0]!;
        calls.uncompress.push(length);
        if (maxLength !== undefined && length > maxLength) throw new RangeError('over maxLength');
        return Buffer.from(input.subarray(1, 1 + length));
      },
    },
    xxh32: { hash: () => 0 },
    fzstdDecompress: () => {
      calls.fzstd++;
      return Buffer.alloc(0);
    },
    zstdWasm: { init: async () => undefined, compress: (input) => Buffer.from(input) },
  };
  return { libs, calls };
}

const xerial = (...blocks: Buffer[]): Buffer =>
  Buffer.concat([
    Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
    ...blocks.flatMap((block) => [Buffer.from([0, 0, 0, block.length]), block]),
  ]);
const snappyBlock = (text: string): Buffer => Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);

// One zstd frame header (single segment, 4-byte content size) and one empty raw last block.
const zstdFrame = (contentSize: number): Buffer => {
  const frame = Buffer.alloc(4 + 1 + 4 + 3);
  frame.writeUInt32LE(0xfd2fb528, 0);
  frame[4] = (2 << 6) | 0x20;
  frame.writeUInt32LE(contentSize, 5);
  frame.writeUIntLE(1, 9, 3); // last block, raw, 0 bytes
  return frame;
};

describe(createKafkaCodecs, () => {
  it('refuses raw snappy that declares more than the limit before the library decodes it', () => {
    const { libs, calls } = libraries();
    const codecs = createKafkaCodecs(libs);
    const block = snappyBlock('x'.repeat(50));
    expect(() => codecs.snappyDecompress(block, 49)).toThrow(DecompressionLimitError);
    expect(calls.uncompress).toEqual([]);
    // control: at the declared size it is decoded
    expect(codecs.snappyDecompress(block, 50).toString()).toBe('x'.repeat(50));
    expect(calls.uncompress).toEqual([50]);
  });

  it('decodes xerial-framed snappy block by block and caps the sum of the declared lengths', () => {
    const { libs, calls } = libraries();
    const codecs = createKafkaCodecs(libs);
    const framed = xerial(snappyBlock('a'.repeat(60)), snappyBlock('b'.repeat(60)));
    expect(() => codecs.snappyDecompress(framed, 100)).toThrow('snappy data declares 120 bytes, more than the 100-byte limit');
    expect(calls.uncompress).toEqual([]);
    expect(codecs.snappyDecompress(framed, 120).toString()).toBe('a'.repeat(60) + 'b'.repeat(60));
  });

  it('round-trips LZ4 frames and stops a frame that inflates past the limit', () => {
    const codecs = createKafkaCodecs(libraries().libs);
    const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => `event-${i % 97};`).join(''));
    const random = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24));
    for (const data of [Buffer.alloc(0), Buffer.from('a'), text, random]) {
      expect(codecs.lz4Decompress(codecs.lz4Compress(data)).equals(data)).toBe(true);
    }
    const bomb = codecs.lz4Compress(Buffer.alloc(1024 * 1024));
    expect(bomb.length).toBeLessThan(10_000);
    expect(() => codecs.lz4Decompress(bomb, 64 * 1024)).toThrow(DecompressionLimitError);
    // control: the same frame without the limit inflates fully
    expect(codecs.lz4Decompress(bomb).length).toBe(1024 * 1024);
  });

  it('refuses an LZ4 frame without the magic number as corrupt, not as too large', () => {
    const codecs = createKafkaCodecs(libraries().libs);
    expect(() => codecs.lz4Decompress(Buffer.from('not lz4 at all'))).toThrow(/invalid LZ4 frame \(14 bytes\): no LZ4 frame magic number/);
  });

  it('refuses a zstd frame that declares more than the limit before decoding it', async () => {
    const { libs, calls } = libraries();
    const codecs = createKafkaCodecs(libs);
    await expect(codecs.zstdDecompress(zstdFrame(200_000), 'wasm+fzstd', 1000)).rejects.toThrow(
      'zstd data declares 200000 bytes, more than the 1000-byte limit',
    );
    expect(calls.fzstd).toBe(0);
    // control: under a limit above the declared size the frame is handed to the decoder
    await codecs.zstdDecompress(zstdFrame(200_000), 'wasm+fzstd', 1_000_000);
    expect(calls.fzstd).toBe(1);
  });

  it('refuses zstd data with a reserved block type as malformed', async () => {
    const codecs = createKafkaCodecs(libraries().libs);
    const frame = zstdFrame(10);
    frame.writeUIntLE(1 | (3 << 1), 9, 3);
    await expect(codecs.zstdDecompress(frame, 'wasm+fzstd')).rejects.toThrow(/reserved block type at byte 9/);
  });
});

describe(gzipDecompress, () => {
  it('stops at the limit and inflates fully without it', async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024));
    await expect(gzipDecompress(bomb, 1000)).rejects.toThrow('gzip data decompresses to more than the 1000-byte limit');
    expect((await gzipDecompress(bomb)).length).toBe(1024 * 1024);
  });
});

describe('kafka codec context', () => {
  const { CODECS } = createKafkaCodecs(libraries().libs);

  it('throws a non-retriable CompressedBatchError naming the codec where no consumer context is active', async () => {
    const error: unknown = await CODECS.lz4.decompress(Buffer.from('garbage')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompressedBatchError);
    const failure = (error as CompressedBatchError).failure;
    expect(failure).toMatchObject({ codec: 'lz4', reason: 'corrupt', compressedBytes: 7, limit: DEFAULT_MAX_DECOMPRESSED_BYTES });
    expect((error as CompressedBatchError).retriable).toBe(false);
  });

  it('reports to the consumer context, applies its limit and throws what kafkajs reads as a partial message', async () => {
    const reported: CompressedBatchFailure[] = [];
    const gzipped = gzipSync(Buffer.alloc(5000));
    const error: unknown = await runWithCodecContext({ maxDecompressedBytes: 100, report: (f) => reported.push(f) }, () =>
      CODECS.gzip.decompress(gzipped).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ name: 'KafkaJSPartialMessageError' });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ codec: 'gzip', reason: 'too-large', limit: 100 });
    // control: the same bytes under the default limit decode
    expect((await CODECS.gzip.decompress(gzipped)).length).toBe(5000);
  });

  it('passes a context explicitly to the codecs called synchronously inside callWithCodecContext, ahead of the store', async () => {
    const reported: CompressedBatchFailure[] = [];
    const gzipped = gzipSync(Buffer.alloc(5000));
    const explicit = { maxDecompressedBytes: 100, report: (f: CompressedBatchFailure) => reported.push(f) };
    const roomy = { maxDecompressedBytes: 1_000_000, report: () => undefined };
    const error: unknown = await runWithCodecContext(roomy, () => callWithCodecContext(explicit, () => CODECS.gzip.decompress(gzipped).catch((e: unknown) => e)));
    expect(error).toMatchObject({ name: 'KafkaJSPartialMessageError' });
    expect(reported).toMatchObject([{ codec: 'gzip', reason: 'too-large', limit: 100 }]);
    // Control: a codec called after the call returned (an await later) has no explicit context: the default limit.
    const later = callWithCodecContext(explicit, async () => {
      await Promise.resolve();
      return CODECS.gzip.decompress(gzipped);
    });
    expect((await later).length).toBe(5000);
    expect(reported).toHaveLength(1);
  });

  it('describes a failure with its offsets, size and reason', () => {
    const failure: CompressedBatchFailure = {
      codec: 'lz4',
      reason: 'corrupt',
      baseOffset: 3,
      lastOffset: 4,
      compressedBytes: 43,
      limit: 100,
      detail: 'content checksum mismatch',
      cause: undefined,
    };
    expect(describeFailure(failure)).toBe(
      'the lz4-compressed record batch at offsets 3-4 (43 compressed bytes) is corrupt: content checksum mismatch',
    );
    expect(describeFailure({ ...failure, lastOffset: 3, reason: 'too-large' })).toBe(
      'the lz4-compressed record batch at offset 3 (43 compressed bytes) is too large: content checksum mismatch',
    );
  });
});

describe(registerKafkaCodecs, () => {
  const types = { GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 };
  const { CODECS } = createKafkaCodecs(libraries().libs);

  it('fills placeholders, replaces kafkajs gzip and keeps a codec registered by someone else', () => {
    const theirs = { compress: async () => Buffer.alloc(0), decompress: async () => Buffer.alloc(0) };
    const registry: Record<number, () => unknown> = {
      // stands for kafkajs's own gzip factory: working, and its source text names require('./gzip') (a
      // parameter named require would be renamed by the test transform, so the text is in a key)
      1: () => ({ ...theirs, "require('./gzip')": true }),
      2: () => {
        throw new Error('KafkaJSNotImplemented');
      },
      3: () => theirs,
    };
    registerKafkaCodecs(registry, types, CODECS);
    expect(registry[1]!()).toBe(CODECS.gzip);
    expect(registry[2]!()).toBe(CODECS.snappy);
    expect(registry[3]!()).toBe(theirs);
    expect(registry[4]!()).toBe(CODECS.zstd);
  });
});
