import { gzipSync, unzipSync } from 'node:zlib';
import kafkajs from 'kafkajs';
import lz4js from 'lz4js';
import snappy from 'snappyjs';
import { decompress as fzstdDecompress } from 'fzstd';
import {
  CODECS,
  CompressedBatchError,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressionLimitError,
  gzipDecompress,
  lz4Compress,
  lz4Decompress,
  registerCompressionCodecs,
  runWithCodecContext,
  snappyCompress,
  snappyDecompress,
  zstdDecompress,
  zstdImplementation,
} from './compression.js';
import { zstdRleFrame } from '../../test/zstd-frames.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const MiB = 1024 * 1024;

const zstdImplementations =
  zstdImplementation === 'node:zlib' ? (['node:zlib', 'wasm+fzstd'] as const) : (['wasm+fzstd'] as const);

describe('decompression limits', () => {
  it("defaults to librdkafka's receive.message.max.bytes (100,000,000 bytes)", () => {
    expect(DEFAULT_MAX_DECOMPRESSED_BYTES).toBe(100_000_000);
  });

  it('stops snappy at the limit, and refuses a declared length above it without allocating it', () => {
    const bomb = snappyCompress(Buffer.alloc(8 * MiB));
    expect(() => snappyDecompress(bomb, MiB)).toThrow(DecompressionLimitError);
    expect(() => snappyDecompress(bomb, MiB)).toThrow(
      `snappy data declares 8388608 bytes, more than the 1048576-byte limit`,
    );
    expect(snappyDecompress(bomb, 8 * MiB).length).toBe(8 * MiB); // exactly at the limit is fine
    // Control: without a limit the same 384-byte input becomes 8 MiB.
    expect(bomb.length).toBeLessThan(500_000);
    expect(snappy.uncompress(bomb).length).toBe(8 * MiB);
    // A raw block that declares 2^31 - 1 bytes from 6 bytes of input.
    const declared = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07, 0x00]);
    expect(() => snappyDecompress(declared, MiB)).toThrow(
      'snappy data declares 2147483647 bytes, more than the 1048576-byte limit',
    );
  });

  it('counts xerial snappy blocks together against the limit', () => {
    const block = snappyCompress(Buffer.alloc(600 * 1024));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    const framed = Buffer.concat([
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
      length,
      block,
      length,
      block,
    ]);
    expect(snappyDecompress(framed, 2 * MiB).length).toBe(1200 * 1024);
    expect(() => snappyDecompress(framed, MiB)).toThrow(
      'snappy data declares 1228800 bytes, more than the 1048576-byte limit',
    );
  });

  it('stops LZ4 at the limit, and refuses a declared content size above it without allocating it', () => {
    const bomb = lz4Compress(Buffer.alloc(8 * MiB));
    expect(() => lz4Decompress(bomb, MiB)).toThrow(DecompressionLimitError);
    expect(() => lz4Decompress(bomb, MiB)).toThrow(
      'LZ4 data decompresses to more than the 1048576-byte limit',
    );
    expect(lz4Decompress(bomb, 8 * MiB).length).toBe(8 * MiB);
    // Control: lz4js (and the uncapped decoder) inflate the same ~33 KiB to 8 MiB.
    expect(bomb.length).toBeLessThan(40_000);
    expect(lz4js.decompress(bomb).length).toBe(8 * MiB);
    const declared = Buffer.from(lz4Compress(Buffer.from('tiny')));
    const sized = Buffer.concat([
      declared.subarray(0, 4),
      Buffer.from([declared[4]! | 0x08, declared[5]!]),
      Buffer.alloc(8),
      declared.subarray(6),
    ]);
    sized.writeBigUInt64LE(3n * 1024n * 1024n * 1024n, 6);
    expect(() => lz4Decompress(sized, MiB)).toThrow(
      'LZ4 data declares 3221225472 bytes, more than the 1048576-byte limit',
    );
  });

  it.each(zstdImplementations)(
    'stops zstd at the limit with %s, and refuses a declared content size above it',
    async (implementation) => {
      const bomb = zstdRleFrame(Buffer.from('head'), 16 * MiB, Buffer.from('tail'));
      expect(bomb.length).toBeLessThan(5_000);
      await expect(zstdDecompress(bomb, implementation, MiB)).rejects.toThrow(DecompressionLimitError);
      await expect(zstdDecompress(bomb, implementation, MiB)).rejects.toThrow(
        'zstd data decompresses to more than the 1048576-byte limit',
      );
      const small = zstdRleFrame(Buffer.from('head'), 300_000, Buffer.from('tail'));
      expect(
        (await zstdDecompress(small, implementation, MiB)).equals(
          Buffer.concat([Buffer.from('head'), Buffer.alloc(300_000), Buffer.from('tail')]),
        ),
      ).toBe(true);
      const declared = zstdRleFrame(Buffer.from('x'), 0, Buffer.alloc(0), 1n << 40n);
      await expect(zstdDecompress(declared, implementation, MiB)).rejects.toThrow(
        'zstd data declares 1099511627776 bytes, more than the 1048576-byte limit',
      );
      // Control: fzstd alone inflates the 1.5 KiB bomb to 16 MiB.
      expect(fzstdDecompress(bomb).length).toBe(16 * MiB + 8);
    },
  );

  it('stops gzip at the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * MiB));
    await expect(gzipDecompress(bomb, MiB)).rejects.toThrow(DecompressionLimitError);
    await expect(gzipDecompress(bomb, MiB)).rejects.toThrow(
      'gzip data decompresses to more than the 1048576-byte limit',
    );
    expect((await gzipDecompress(bomb, 8 * MiB)).length).toBe(8 * MiB);
    // Control: what kafkajs's own gzip codec does (zlib.unzip, no limit) inflates the ~8 KiB to 8 MiB.
    expect(bomb.length).toBeLessThan(10_000);
    expect(unzipSync(bomb).length).toBe(8 * MiB);
  });

  /** `records` behind a v2 record batch header, as kafkajs hands them to a codec (a view of the fetch response). */
  const inBatch = (
    records: Buffer,
    baseOffset: bigint,
    lastOffsetDelta: number,
    attributes: number,
  ): Buffer => {
    const header = Buffer.alloc(61);
    header.writeBigInt64BE(baseOffset, 0);
    header.writeInt32BE(49 + records.length, 8);
    header.writeInt8(2, 16);
    header.writeInt16BE(attributes, 21);
    header.writeInt32BE(lastOffsetDelta, 23);
    return Buffer.concat([Buffer.alloc(7), header, records]).subarray(68);
  };

  it('names the codec, the offsets from the batch header and the reason when a batch fails outside a consumer', async () => {
    const corrupt = inBatch(Buffer.from('not lz4 at all'), 41n, 2, 3);
    const error = await CODECS.lz4.decompress(corrupt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompressedBatchError);
    expect((error as Error).message).toBe(
      'the lz4-compressed record batch at offsets 41-43 (14 compressed bytes) is corrupt: invalid LZ4 frame (14 bytes): no LZ4 frame magic number',
    );
    expect((error as CompressedBatchError).failure).toMatchObject({
      codec: 'lz4',
      reason: 'corrupt',
      baseOffset: 41,
      lastOffset: 43,
      limit: DEFAULT_MAX_DECOMPRESSED_BYTES,
    });
    // Without a consistent header in front (a plain buffer), no offsets are claimed.
    const plain = await CODECS.lz4.decompress(Buffer.from('not lz4 at all')).catch((e: unknown) => e);
    expect((plain as CompressedBatchError).failure.baseOffset).toBeUndefined();
  });

  it("applies a consumer context's limit, reports the failure to it and lets kafkajs keep the batches before it", async () => {
    const reported: unknown[] = [];
    const bomb = inBatch(snappyCompress(Buffer.alloc(2 * MiB)), 7n, 0, 2);
    const error = await runWithCodecContext(
      { maxDecompressedBytes: MiB, report: (f) => reported.push(f) },
      () => CODECS.snappy.decompress(bomb),
    ).catch((e: unknown) => e);
    // kafkajs's fetch decoder stops at a KafkaJSPartialMessageError and returns the batches decoded so far.
    expect((error as Error).name).toBe('KafkaJSPartialMessageError');
    expect(reported).toEqual([
      expect.objectContaining({
        codec: 'snappy',
        reason: 'too-large',
        baseOffset: 7,
        lastOffset: 7,
        limit: MiB,
        detail: 'snappy data declares 2097152 bytes, more than the 1048576-byte limit',
      }),
    ]);
    // Control: the same bytes under the default limit decompress.
    expect((await CODECS.snappy.decompress(bomb)).length).toBe(2 * MiB);
  });

  it('registers bounded codecs with kafkajs, gzip included, that refuse more than the default limit', async () => {
    registerCompressionCodecs();
    const registry = CompressionCodecs as Record<number, () => { decompress(b: Buffer): Promise<Buffer> }>;
    expect(registry[CompressionTypes.GZIP]!()).toBe(CODECS.gzip);
    const bomb = zstdRleFrame(Buffer.alloc(0), DEFAULT_MAX_DECOMPRESSED_BYTES + 1);
    await expect(registry[CompressionTypes.ZSTD]!().decompress(bomb)).rejects.toThrow(
      /zstd data decompresses to more than the 100000000-byte limit/,
    );
  });
});
