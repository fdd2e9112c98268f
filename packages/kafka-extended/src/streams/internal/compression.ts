// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declarations are a script (ambient modules); a reference lets every project that compiles this file from source (e2e, interop) see them
/// <reference path="./compression-libraries.d.ts" />
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import snappy from 'snappyjs';
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

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_BYTES = 0x10000;
// Block format limits: the last 5 bytes are literals and the last match starts 12 bytes before the end.
const LZ4_LAST_LITERALS = 5;
const LZ4_MATCH_START_LIMIT = 12;
const lz4Table = new Int32Array(1 << 14);

/** Writes a length's continuation bytes (the part from 15 on) at `at`; returns the next offset. */
function writeLz4Length(output: Buffer, at: number, length: number): number {
  let rest = length - 15;
  for (; rest >= 255; rest -= 255) output[at++] = 255;
  output[at] = rest;
  return at + 1;
}

/**
 * Encodes `block` as one LZ4 block at `output[at]` (greedy, one hash probe per position); returns the
 * end offset, or -1 when the block did not get smaller. lz4js's block encoder is not used: it starts
 * matches inside the last 12 bytes, which liblz4 rejects.
 */
function lz4CompressBlock(block: Buffer, output: Buffer, at: number): number {
  const n = block.length;
  let out = at;
  let anchor = 0;
  const sequence = (literalEnd: number, matchLength: number, offset: number): void => {
    const literals = literalEnd - anchor;
    output[out++] = ((literals < 15 ? literals : 15) << 4) | (matchLength < 0 ? 0 : matchLength < 15 ? matchLength : 15);
    if (literals >= 15) out = writeLz4Length(output, out, literals);
    block.copy(output, out, anchor, literalEnd);
    out += literals;
    if (matchLength < 0) return;
    output[out++] = offset & 0xff;
    output[out++] = offset >> 8;
    if (matchLength >= 15) out = writeLz4Length(output, out, matchLength);
  };
  if (n > LZ4_MATCH_START_LIMIT) {
    lz4Table.fill(0);
    const lastStart = n - LZ4_MATCH_START_LIMIT;
    const matchEnd = n - LZ4_LAST_LITERALS;
    for (let i = 0; i <= lastStart; ) {
      const word = block.readUInt32LE(i);
      const slot = Math.imul(word, 2654435761) >>> 18;
      const candidate = (lz4Table[slot] ?? 0) - 1;
      lz4Table[slot] = i + 1;
      if (candidate >= 0 && i - candidate <= 0xffff && block.readUInt32LE(candidate) === word) {
        let end = i + 4;
        for (let c = candidate + 4; end < matchEnd && block[end] === block[c]; c++) end++;
        sequence(i, end - i - 4, i - candidate);
        anchor = i = end;
        if (out - at >= n) return -1;
      } else {
        i += 1 + ((i - anchor) >> 6); // skip faster through data that does not match
      }
    }
  }
  sequence(n, -1, 0);
  return out - at >= n ? -1 : out;
}

/**
 * Compresses to one LZ4 frame of independent 64 KiB blocks, as Java and librdkafka write them (the
 * broker's Java reader refuses dependent blocks, which lz4js's own frame writer produces).
 */
export function lz4Compress(buffer: Buffer): Buffer {
  const blockCount = Math.ceil(buffer.length / LZ4_BLOCK_BYTES);
  // A block that does not shrink is stored raw, so no block takes more than its size plus 4 bytes;
  // the encoder may write up to a 255th of a block (length bytes) and a few more past that before it gives up.
  const output = Buffer.allocUnsafe(7 + blockCount * (4 + LZ4_BLOCK_BYTES) + 4 + 512);
  output.writeUInt32LE(LZ4_MAGIC, 0);
  output[4] = 0x60; // version 01, block independence
  output[5] = 4 << 4; // 64 KiB maximum block size
  output[6] = (xxh32.hash(0, output, 4, 2) >> 8) & 0xff;
  let offset = 7;
  for (let start = 0; start < buffer.length; start += LZ4_BLOCK_BYTES) {
    const block = buffer.subarray(start, start + LZ4_BLOCK_BYTES);
    const end = lz4CompressBlock(block, output, offset + 4);
    if (end >= 0) {
      output.writeUInt32LE(end - offset - 4, offset);
      offset = end;
    } else {
      output.writeUInt32LE((0x80000000 | block.length) >>> 0, offset);
      block.copy(output, offset + 4);
      offset += 4 + block.length;
    }
  }
  output.writeUInt32LE(0, offset);
  return Buffer.from(output.subarray(0, offset + 4));
}

const LZ4_BLOCK_SIZES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

/**
 * Decodes the LZ4 block `input[start, end)` into `output` from `at`, writing below `limit` and copying
 * matches from no earlier than `floor`; returns the end of what it wrote.
 * @throws through `fail` on a sequence that runs past the block, the limit or the window
 */
function lz4DecompressBlock(input: Buffer, start: number, end: number, output: Buffer, at: number, limit: number, floor: number, fail: (what: string) => never): number {
  let i = start;
  let o = at;
  const length = (initial: number): number => {
    let total = initial;
    if (initial !== 15) return total;
    for (let byte = 255; byte === 255; total += byte) {
      if (i >= end) fail(`a length runs past the block ending at byte ${end}`);
      byte = input.readUInt8(i++);
    }
    return total;
  };
  for (;;) {
    if (i >= end) fail(`block ending at byte ${end} stops inside a sequence`);
    const token = input.readUInt8(i++);
    const literals = length(token >> 4);
    if (i + literals > end) fail(`literals run past the block ending at byte ${end}`);
    if (o + literals > limit) fail('a block decodes to more than its size limit or the declared content size');
    input.copy(output, o, i, i + literals);
    i += literals;
    o += literals;
    if (i === end) return o; // the last sequence has literals only
    if (i + 2 > end) fail(`match offset runs past the block ending at byte ${end}`);
    const offset = input.readUInt16LE(i);
    i += 2;
    if (offset === 0 || o - offset < floor) fail(`match offset ${offset} at output byte ${o} reaches outside the window`);
    const matchLength = length(token & 15) + 4;
    if (o + matchLength > limit) fail('a block decodes to more than its size limit or the declared content size');
    // An overlapping match (offset < length) repeats the last `offset` bytes: copy the pattern in
    // doubling chunks, each a whole number of periods, so no copy overlaps its source.
    const from = o - offset;
    for (const stop = o + matchLength; o < stop; ) {
      const chunk = Math.min(o - from, stop - o);
      output.copy(output, o, from, from + chunk);
      o += chunk;
    }
  }
}

/**
 * Decompresses one LZ4 frame, verifying block and content checksums when the frame has them.
 * Frame and blocks are decoded here, with bounds checks: lz4js's frame reader misplaces block
 * checksums, and its block decoder drops writes past its buffer and reads zeros before it.
 * @throws {RangeError} on a malformed or corrupt frame
 */
export function lz4Decompress(buffer: Buffer): Buffer {
  const fail = (what: string): never => {
    throw new RangeError(`invalid LZ4 frame (${buffer.length} bytes): ${what}`);
  };
  if (buffer.length < 7 || buffer.readUInt32LE(0) !== LZ4_MAGIC) fail('no LZ4 frame magic number');
  const flags = buffer.readUInt8(4);
  if ((flags & 0xc0) !== 0x40) fail(`unsupported frame version ${(flags >> 6) & 3}`);
  const independent = (flags & 0x20) !== 0;
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
      // Independent blocks may not reach back before their own start; linked ones may reach the whole output.
      const limit = Math.min(output.length, written + maxBlockSize);
      written = lz4DecompressBlock(buffer, block.start, block.start + block.length, output, written, limit, independent ? written : 0, fail);
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
