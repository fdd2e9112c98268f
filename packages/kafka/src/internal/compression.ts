import zlib from 'node:zlib';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import snappy from 'snappyjs';
import lz4 from 'lz4js';
import xxh32 from 'lz4js/xxh32.js';
import { decompress as fzstdDecompress } from 'fzstd';
import * as zstdWasm from '@bokuweb/zstd-wasm';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** The contract kafkajs expects of a codec: `compress` gets its Encoder, `decompress` a record batch's records. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const toBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

// Java clients (SnappyOutputStream) frame snappy the xerial way: this 8-byte magic, two int32
// versions, then [int32 length][raw snappy block] repeated. librdkafka writes raw snappy.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function isXerial(buffer: Buffer): boolean {
  return buffer.length >= XERIAL_HEADER_BYTES && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** Decompresses raw snappy or xerial-framed snappy. */
export function snappyDecompress(buffer: Buffer): Buffer {
  if (!isXerial(buffer)) return toBuffer(snappy.uncompress(buffer));
  const blocks: Buffer[] = [];
  let offset = XERIAL_HEADER_BYTES;
  while (offset < buffer.length) {
    if (offset + 4 > buffer.length) throw new RangeError(`xerial snappy block header truncated at byte ${offset} of ${buffer.length}`);
    const length = buffer.readInt32BE(offset);
    offset += 4;
    if (length < 0 || offset + length > buffer.length) {
      throw new RangeError(`xerial snappy block of ${length} bytes at byte ${offset} overruns the ${buffer.length}-byte buffer`);
    }
    blocks.push(toBuffer(snappy.uncompress(buffer.subarray(offset, offset + length))));
    offset += length;
  }
  return Buffer.concat(blocks);
}

/** Compresses to raw snappy, the framing librdkafka writes for record batches. */
export function snappyCompress(buffer: Buffer): Buffer {
  return toBuffer(snappy.compress(buffer));
}

/** Compresses to one LZ4 frame (the format Kafka uses from message format v1 on). */
export function lz4Compress(buffer: Buffer): Buffer {
  return toBuffer(lz4.compress(buffer));
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_SIZES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

/**
 * Decompresses one LZ4 frame, verifying block and content checksums when the frame has them.
 * The frame is parsed here (lz4js only decodes the blocks): lz4js's own frame reader misplaces block
 * checksums and writes past its buffer silently.
 * @throws {RangeError} on a malformed or corrupt frame
 */
export function lz4Decompress(buffer: Buffer): Buffer {
  const fail = (what: string): never => {
    throw new RangeError(`invalid LZ4 frame (${buffer.length} bytes): ${what}`);
  };
  if (buffer.length < 7 || buffer.readUInt32LE(0) !== LZ4_MAGIC) fail('no LZ4 frame magic number');
  const flags = buffer.readUInt8(4);
  if ((flags & 0xc0) !== 0x40) fail(`unsupported frame version ${(flags >> 6) & 3}`);
  const blockChecksums = (flags & 0x10) !== 0;
  const hasContentSize = (flags & 0x08) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  const blockSizeCode = (buffer.readUInt8(5) >> 4) & 7;
  const maxBlockSize = LZ4_BLOCK_SIZES[blockSizeCode] ?? fail(`invalid block size code ${blockSizeCode}`);
  let offset = 6;
  let contentSize: number | undefined;
  if (hasContentSize) {
    if (buffer.length < offset + 8) fail('truncated content size');
    const size = buffer.readBigUInt64LE(offset);
    if (size > BigInt(buffer.length) * 255n + 64n) fail(`content size ${size} cannot come from ${buffer.length} bytes`);
    contentSize = Number(size);
    offset += 8;
  }
  offset += 1; // header checksum (old Kafka clients computed it wrongly, so it is not checked)
  // First pass: find the blocks and bound the output, so dependent blocks decode into one buffer.
  const blocks: { start: number; length: number; raw: boolean }[] = [];
  let bound = 0;
  for (;;) {
    if (offset + 4 > buffer.length) fail('missing end mark');
    const word = buffer.readUInt32LE(offset);
    offset += 4;
    if (word === 0) break;
    const raw = (word & 0x80000000) !== 0;
    const length = word & 0x7fffffff;
    if (length > maxBlockSize) fail(`block of ${length} bytes exceeds the frame's ${maxBlockSize}-byte blocks`);
    if (offset + length + (blockChecksums ? 4 : 0) > buffer.length) fail(`block of ${length} bytes at byte ${offset} is truncated`);
    if (blockChecksums && xxh32.hash(0, buffer, offset, length) !== buffer.readUInt32LE(offset + length)) fail(`block checksum mismatch at byte ${offset}`);
    blocks.push({ start: offset, length, raw });
    bound += raw ? length : maxBlockSize;
    offset += length + (blockChecksums ? 4 : 0);
  }
  const output = Buffer.allocUnsafe(contentSize ?? bound);
  let written = 0;
  for (const block of blocks) {
    if (block.raw) {
      if (written + block.length > output.length) fail('content exceeds its declared size');
      buffer.copy(output, written, block.start, block.start + block.length);
      written += block.length;
    } else {
      const end = lz4.decompressBlock(buffer, output, block.start, block.length, written);
      // lz4js drops writes past the end of the buffer: an end beyond it means lost bytes.
      if (end > output.length) fail('content exceeds its declared size');
      if (end - written > maxBlockSize) fail(`a block decoded to more than ${maxBlockSize} bytes`);
      written = end;
    }
  }
  if (contentSize !== undefined && written !== contentSize) fail(`content is ${written} bytes, the frame declares ${contentSize}`);
  if (contentChecksum) {
    if (offset + 4 > buffer.length) fail('missing content checksum');
    if (xxh32.hash(0, output, 0, written) !== buffer.readUInt32LE(offset)) fail('content checksum mismatch');
  }
  return written === output.length ? output : output.subarray(0, written);
}

type ZstdZlib = {
  zstdCompress(buffer: Buffer, callback: (error: Error | null, result: Buffer) => void): void;
  zstdDecompress(buffer: Buffer, callback: (error: Error | null, result: Buffer) => void): void;
};
// Node >= 22.15 (and 23.8) has zstd in zlib; older Nodes use the WASM build of libzstd to compress and
// fzstd (pure JS) to decompress, since the WASM build's one-shot decompress needs the content size.
const nativeZstd = typeof (zlib as Partial<ZstdZlib>).zstdCompress === 'function' ? (zlib as unknown as ZstdZlib) : undefined;
const nativeZstdCompress = nativeZstd ? promisify(nativeZstd.zstdCompress.bind(nativeZstd)) : undefined;
const nativeZstdDecompress = nativeZstd ? promisify(nativeZstd.zstdDecompress.bind(nativeZstd)) : undefined;

/** Which zstd implementation this Node uses: `'node:zlib'` or `'wasm+fzstd'`. */
export const zstdImplementation: 'node:zlib' | 'wasm+fzstd' = nativeZstd ? 'node:zlib' : 'wasm+fzstd';

let wasmReady: Promise<void> | undefined;

/** Compresses to one zstd frame (level 3, the default of libzstd and librdkafka). */
export async function zstdCompress(buffer: Buffer, implementation = zstdImplementation): Promise<Buffer> {
  if (implementation === 'node:zlib' && nativeZstdCompress) return nativeZstdCompress(buffer);
  wasmReady ??= zstdWasm.init();
  await wasmReady;
  return toBuffer(zstdWasm.compress(buffer, 3));
}

/** Decompresses one or more zstd frames. */
export async function zstdDecompress(buffer: Buffer, implementation = zstdImplementation): Promise<Buffer> {
  if (implementation === 'node:zlib' && nativeZstdDecompress) return nativeZstdDecompress(buffer);
  return toBuffer(fzstdDecompress(buffer));
}

const codec = (compress: (buffer: Buffer) => Buffer | Promise<Buffer>, decompress: (buffer: Buffer) => Buffer | Promise<Buffer>): KafkaCodec => ({
  compress: async (encoder) => compress(encoder.buffer),
  decompress: async (buffer) => decompress(buffer),
});

/** The codecs this package adds to kafkajs (gzip is kafkajs's own). */
export const CODECS: Readonly<Record<'snappy' | 'lz4' | 'zstd', KafkaCodec>> = {
  snappy: codec(snappyCompress, snappyDecompress),
  lz4: codec(lz4Compress, lz4Decompress),
  zstd: codec((buffer) => zstdCompress(buffer), (buffer) => zstdDecompress(buffer)),
};

/**
 * Registers snappy, lz4 and zstd in kafkajs's global `CompressionCodecs`, so every kafkajs producer
 * compresses and every consumer decompresses them; idempotent, and a codec someone else registered first is kept.
 */
export function registerCompressionCodecs(): void {
  const registry = CompressionCodecs as Record<number, (() => unknown) | undefined>;
  const types: Record<keyof typeof CODECS, number> = { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };
  for (const name of Object.keys(types) as (keyof typeof CODECS)[]) {
    const type = types[name];
    if (hasWorkingFactory(registry[type])) continue;
    const implementation = CODECS[name];
    registry[type] = () => implementation;
  }
}

function hasWorkingFactory(factory: (() => unknown) | undefined): boolean {
  if (factory === undefined) return false;
  try {
    return factory() !== undefined;
  } catch {
    return false; // kafkajs's placeholders throw KafkaJSNotImplemented
  }
}
