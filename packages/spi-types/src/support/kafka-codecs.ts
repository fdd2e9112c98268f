/**
 * The Kafka record-batch codecs both Kafka adapters give kafkajs, written once: snappy (raw and xerial-framed),
 * LZ4 frames of independent blocks, zstd with a frame and block header walk, gzip, each capped in what it
 * decompresses. The codec libraries are parameters (structural types): each adapter passes its own imports, so this
 * module stays dependency-free; kafkajs's registry is a parameter of {@link registerKafkaCodecs} likewise.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

/** The pieces of the codec libraries the codecs call: pass `{ snappy, xxh32, fzstdDecompress, zstdWasm }`. */
export interface KafkaCodecLibraries {
  /** `snappyjs`: raw snappy blocks. */
  readonly snappy: {
    compress(input: Uint8Array): Uint8Array;
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  };
  /** `lz4js/xxh32.js`: XXH32 of `src[index, index + length)`, unsigned. */
  readonly xxh32: { hash(seed: number, src: Uint8Array, index: number, length: number): number };
  /** `fzstd`'s `decompress`, used where node:zlib has no zstd. */
  readonly fzstdDecompress: (input: Uint8Array) => Uint8Array;
  /** `@bokuweb/zstd-wasm`, used to compress where node:zlib has no zstd. */
  readonly zstdWasm: { init(): Promise<void>; compress(input: Uint8Array, level?: number): Uint8Array };
}

/** The contract kafkajs expects of a codec: `compress` gets its Encoder, `decompress` a record batch's records. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * The most bytes one record batch may decompress to, unless a consumer sets another limit: librdkafka's
 * `receive.message.max.bytes` default, with which it caps its zstd output (Java inflates record by record).
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 100_000_000;

/** Compressed data that decompresses (or declares it would) to more than the limit; nothing that large was allocated. */
export class DecompressionLimitError extends RangeError {
  override readonly name = 'DecompressionLimitError';
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

const declaresTooMuch = (codec: string, declared: number | bigint, limit: number): DecompressionLimitError =>
  new DecompressionLimitError(
    `${codec} data declares ${declared} bytes, more than the ${limit}-byte limit`,
    limit,
  );
const inflatesTooMuch = (codec: string, limit: number): DecompressionLimitError =>
  new DecompressionLimitError(`${codec} data decompresses to more than the ${limit}-byte limit`, limit);

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// Java clients (SnappyOutputStream) frame snappy the xerial way: this 8-byte magic, two int32
// versions, then [int32 length][raw snappy block] repeated. librdkafka writes raw snappy.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function isXerial(buffer: Buffer): boolean {
  return buffer.length >= XERIAL_HEADER_BYTES && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** The uncompressed length a raw snappy block starts with (a varint of at most 5 bytes). */
function snappyDeclaredLength(block: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 1; i < 5; i++, shift *= 128) {
    const byte = block[i];
    if (byte === undefined) break;
    length += (byte & 0x7f) * shift;
    if (byte < 0x80) return length;
  }
  throw new RangeError(`invalid snappy data (${block.length} bytes): no uncompressed length`);
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
    output[out++] =
      ((literals < 15 ? literals : 15) << 4) | (matchLength < 0 ? 0 : matchLength < 15 ? matchLength : 15);
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
    for (let i = 0; i <= lastStart;) {
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

const LZ4_BLOCK_SIZES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

/**
 * Decodes the LZ4 block `input[start, end)` into `output` from `at`, writing below `limit` and copying
 * matches from no earlier than `floor`; returns the end of what it wrote.
 * @throws through `fail` on a sequence that runs past the block or the window, through `overflow` past the limit
 */
function lz4DecompressBlock(
  input: Buffer,
  start: number,
  end: number,
  output: Buffer,
  at: number,
  limit: number,
  floor: number,
  fail: (what: string) => never,
  overflow: () => never,
): number {
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
    if (o + literals > limit) overflow();
    input.copy(output, o, i, i + literals);
    i += literals;
    o += literals;
    if (i === end) return o; // the last sequence has literals only
    if (i + 2 > end) fail(`match offset runs past the block ending at byte ${end}`);
    const offset = input.readUInt16LE(i);
    i += 2;
    if (offset === 0 || o - offset < floor)
      fail(`match offset ${offset} at output byte ${o} reaches outside the window`);
    const matchLength = length(token & 15) + 4;
    if (o + matchLength > limit) overflow();
    // An overlapping match (offset < length) repeats the last `offset` bytes: copy the pattern in
    // doubling chunks, each a whole number of periods, so no copy overlaps its source.
    const from = o - offset;
    for (const stop = o + matchLength; o < stop;) {
      const chunk = Math.min(o - from, stop - o);
      output.copy(output, o, from, from + chunk);
      o += chunk;
    }
  }
}

type ZstdZlib = {
  zstdCompress(buffer: Buffer, callback: (error: Error | null, result: Buffer) => void): void;
  zstdDecompress(
    buffer: Buffer,
    options: { maxOutputLength: number },
    callback: (error: Error | null, result: Buffer) => void,
  ): void;
};
// Node >= 22.15 (and 23.8) has zstd in zlib; older Nodes use the WASM build of libzstd to compress and
// fzstd (pure JS) to decompress, since the WASM build's one-shot decompress needs the content size.
const nativeZstd =
  typeof (zlib as Partial<ZstdZlib>).zstdCompress === 'function' ? (zlib as unknown as ZstdZlib) : undefined;
const nativeZstdCompress = nativeZstd ? promisify(nativeZstd.zstdCompress.bind(nativeZstd)) : undefined;

/** A zstd implementation: `'node:zlib'` (Node >= 22.15) or `'wasm+fzstd'`. */
export type ZstdImplementation = 'node:zlib' | 'wasm+fzstd';

/** Which zstd implementation this Node uses. */
export const zstdImplementation: ZstdImplementation = nativeZstd ? 'node:zlib' : 'wasm+fzstd';

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_MAX_BLOCK_BYTES = 128 * 1024;

/**
 * Walks the frames and block headers of zstd data without decoding them: what the frames declare, an
 * upper bound of what they decode to, and the largest window a decoder would allocate.
 * @throws {RangeError} on malformed framing
 */
function zstdBounds(buffer: Buffer): { declared: bigint; bound: number; window: number } {
  const fail = (what: string): never => {
    throw new RangeError(`invalid zstd data (${buffer.length} bytes): ${what}`);
  };
  let declared = 0n;
  let bound = 0;
  let window = 0;
  for (let at = 0; at < buffer.length;) {
    if (at + 4 > buffer.length) fail(`truncated frame at byte ${at}`);
    const magic = buffer.readUInt32LE(at);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (at + 8 > buffer.length) fail(`truncated skippable frame at byte ${at}`);
      at += 8 + buffer.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) fail(`no zstd frame magic number at byte ${at}`);
    const descriptor = buffer[at + 4] ?? fail('truncated frame header');
    if (descriptor & 0x08) fail('reserved frame header bit set');
    const singleSegment = (descriptor & 0x20) !== 0;
    const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6]!;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
    let p = at + 5;
    let frameWindow = 0;
    if (!singleSegment) {
      const w = buffer[p++] ?? fail('truncated frame header');
      const base = 2 ** (10 + (w >> 3));
      frameWindow = base + (base / 8) * (w & 7);
    }
    p += dictionaryBytes;
    if (p + sizeBytes > buffer.length) fail('truncated frame header');
    if (sizeBytes > 0) {
      const size =
        sizeBytes === 8
          ? buffer.readBigUInt64LE(p)
          : BigInt(buffer.readUIntLE(p, sizeBytes) + (sizeBytes === 2 ? 256 : 0));
      declared += size;
      if (singleSegment) frameWindow = Number(size);
    }
    p += sizeBytes;
    window = Math.max(window, frameWindow);
    const blockLimit = Math.min(frameWindow, ZSTD_MAX_BLOCK_BYTES);
    for (let last = false; !last;) {
      if (p + 3 > buffer.length) fail(`truncated block header at byte ${p}`);
      const header = buffer.readUIntLE(p, 3);
      p += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) fail(`reserved block type at byte ${p - 3}`);
      bound += type === 2 ? blockLimit : size;
      p += type === 1 ? 1 : size;
      if (p > buffer.length) fail(`block at byte ${p - 3} overruns the data`);
    }
    at = p + (descriptor & 0x04 ? 4 : 0);
  }
  return { declared, bound, window };
}

type ZlibCallback = (error: Error | null, result: Buffer) => void;

/** Runs a node:zlib inflate with its output capped at `maxBytes`; past the cap it rejects with a DecompressionLimitError. */
function inflateBounded(
  codec: string,
  maxBytes: number,
  inflate: (options: { maxOutputLength: number }, callback: ZlibCallback) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    inflate({ maxOutputLength: Math.max(1, maxBytes) }, (error, result) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ERR_BUFFER_TOO_LARGE') reject(inflatesTooMuch(codec, maxBytes));
      else if (error) reject(error);
      else resolve(result);
    }),
  );
}

const gzip = promisify(zlib.gzip);

/**
 * Decompresses gzip (or zlib) data as kafkajs's own gzip codec does, stopping at `maxBytes`.
 * @throws {DecompressionLimitError} when the data decompresses to more than `maxBytes`
 */
export function gzipDecompress(buffer: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<Buffer> {
  return inflateBounded('gzip', maxBytes, (options, callback) => zlib.unzip(buffer, options, callback));
}

/** The codecs whose record batches this module decompresses. */
export type CodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** A record batch a codec could not decompress, with what its header says about it. */
export interface CompressedBatchFailure {
  readonly codec: CodecName;
  /** `'too-large'`: it decompresses, or declares it would, to more than `limit` bytes; `'corrupt'`: it does not decode. */
  readonly reason: 'corrupt' | 'too-large';
  /** First and last offset of the batch, when its header could be read. */
  readonly baseOffset: number | undefined;
  readonly lastOffset: number | undefined;
  readonly compressedBytes: number;
  readonly limit: number;
  /** What the codec found wrong. */
  readonly detail: string;
  readonly cause: unknown;
}

/** What a consumer tells the codecs while its fetches are decoded (see {@link runWithCodecContext}). */
export interface CodecContext {
  readonly maxDecompressedBytes: number;
  /** Receives each batch that fails; the codec then lets kafkajs keep the batches before it. */
  report(failure: CompressedBatchFailure): void;
}

// One store per process, shared by every copy of this file (each installed copy of `@onex/spi-types` has one,
// and whichever adapter registers its codecs first decodes for both Kafka adapters).
const CONTEXT_KEY = Symbol.for('@onex/kafka:codec-context');
const contexts = ((globalThis as Record<symbol, unknown>)[CONTEXT_KEY] ??=
  new AsyncLocalStorage<CodecContext>()) as AsyncLocalStorage<CodecContext>;

/** Runs `run` (a kafkajs consumer's `run()`) so that every fetch it decodes uses `context`. */
export function runWithCodecContext<T>(context: CodecContext, run: () => T): T {
  return contexts.run(context, run);
}

// The context of the codec calls made synchronously inside callWithCodecContext, also one per process. A decoder that
// knows whose fetch it decodes passes the context this way: no AsyncLocalStorage, whose promise hooks, once a store is
// entered, cost every promise of the process on Node 20.
const CALL_KEY = Symbol.for('@onex/kafka:codec-context-call');
const callContext = ((globalThis as Record<symbol, unknown>)[CALL_KEY] ??= { current: undefined }) as { current: CodecContext | undefined };

/**
 * Calls `call` with `context` as the context of the codecs it calls before its first `await` (a codec reads its context
 * when called), ahead of any {@link runWithCodecContext} store.
 */
export function callWithCodecContext<T>(context: CodecContext, call: () => T): T {
  const previous = callContext.current;
  callContext.current = context;
  try {
    return call();
  } finally {
    callContext.current = previous;
  }
}

/** A record batch that could not be decompressed, thrown to kafkajs where no consumer context is active. */
export class CompressedBatchError extends Error {
  override readonly name = 'CompressedBatchError';
  /** Refetching gives the same bytes: kafkajs stops the consumer instead of retrying. */
  readonly retriable = false;
  constructor(readonly failure: CompressedBatchFailure) {
    super(describeFailure(failure), { cause: failure.cause });
  }
}

/** "the lz4-compressed record batch at offsets 3-4 (43 bytes): …" */
export function describeFailure(failure: CompressedBatchFailure): string {
  const at =
    failure.baseOffset === undefined
      ? ''
      : failure.lastOffset === failure.baseOffset
        ? ` at offset ${failure.baseOffset}`
        : ` at offsets ${failure.baseOffset}-${failure.lastOffset}`;
  return `the ${failure.codec}-compressed record batch${at} (${failure.compressedBytes} compressed bytes) ${failure.reason === 'too-large' ? 'is too large' : 'is corrupt'}: ${failure.detail}`;
}

// A v2 record batch header is 61 bytes; kafkajs hands a codec the bytes after it, as a view of the fetch response.
const BATCH_HEADER_BYTES = 61;

/** First and last offset from the batch header before `records`, if that header is there and consistent. */
function batchOffsets(records: Buffer): { baseOffset: number; lastOffset: number } | undefined {
  const at = records.byteOffset - BATCH_HEADER_BYTES;
  if (at < 0 || !(records.buffer instanceof ArrayBuffer)) return undefined;
  const header = Buffer.from(records.buffer, at, BATCH_HEADER_BYTES);
  if (
    header.readInt8(16) !== 2 ||
    header.readInt32BE(8) !== BATCH_HEADER_BYTES - 12 + records.length ||
    (header.readInt16BE(21) & 7) === 0
  )
    return undefined;
  const baseOffset = Number(header.readBigInt64BE(0));
  return { baseOffset, lastOffset: baseOffset + header.readInt32BE(23) };
}

const codec = (
  name: CodecName,
  compress: (buffer: Buffer) => Buffer | Promise<Buffer>,
  decompress: (buffer: Buffer, maxBytes: number) => Buffer | Promise<Buffer>,
): KafkaCodec => ({
  compress: async (encoder) => compress(encoder.buffer),
  decompress: async (buffer) => {
    const context = callContext.current ?? contexts.getStore();
    const limit = context?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    try {
      return await decompress(buffer, limit);
    } catch (error) {
      const offsets = batchOffsets(buffer);
      const failure: CompressedBatchFailure = {
        codec: name,
        reason: error instanceof DecompressionLimitError ? 'too-large' : 'corrupt',
        baseOffset: offsets?.baseOffset,
        lastOffset: offsets?.lastOffset,
        compressedBytes: buffer.length,
        limit,
        detail: error instanceof Error ? error.message : String(error),
        cause: error,
      };
      if (context === undefined) throw new CompressedBatchError(failure);
      context.report(failure);
      // kafkajs stops decoding a partition at a "partial message" and keeps the batches before it;
      // the consumer that reported the failure raises it once those are delivered.
      throw Object.assign(new Error(describeFailure(failure)), { name: 'KafkaJSPartialMessageError' });
    }
  },
});

/** What {@link createKafkaCodecs} makes of one set of libraries. */
export interface KafkaCodecs {
  /** The codecs to give kafkajs: snappy, lz4 and zstd, and gzip bounded like them. */
  readonly CODECS: Readonly<Record<CodecName, KafkaCodec>>;
  snappyDecompress(buffer: Buffer, maxBytes?: number): Buffer;
  snappyCompress(buffer: Buffer): Buffer;
  lz4Compress(buffer: Buffer): Buffer;
  lz4Decompress(buffer: Buffer, maxBytes?: number): Buffer;
  zstdCompress(buffer: Buffer, implementation?: ZstdImplementation): Promise<Buffer>;
  zstdDecompress(buffer: Buffer, implementation?: ZstdImplementation, maxBytes?: number): Promise<Buffer>;
}

/** Makes the codecs from the adapter's own imports of the codec libraries. */
export function createKafkaCodecs(libraries: KafkaCodecLibraries): KafkaCodecs {
  const { snappy, xxh32, fzstdDecompress, zstdWasm } = libraries;
  /**
   * Decompresses raw snappy or xerial-framed snappy; the declared lengths are checked against `maxBytes` before anything is allocated.
   * @throws {DecompressionLimitError} when the data declares more than `maxBytes`
   * @throws {RangeError} on malformed data
   */
  function snappyDecompress(buffer: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    if (!isXerial(buffer)) {
      const declared = snappyDeclaredLength(buffer);
      if (declared > maxBytes) throw declaresTooMuch('snappy', declared, maxBytes);
      return toBuffer(snappy.uncompress(buffer, maxBytes));
    }
    const blocks: Buffer[] = [];
    let declared = 0;
    let offset = XERIAL_HEADER_BYTES;
    while (offset < buffer.length) {
      if (offset + 4 > buffer.length)
        throw new RangeError(`xerial snappy block header truncated at byte ${offset} of ${buffer.length}`);
      const length = buffer.readInt32BE(offset);
      offset += 4;
      if (length < 0 || offset + length > buffer.length) {
        throw new RangeError(
          `xerial snappy block of ${length} bytes at byte ${offset} overruns the ${buffer.length}-byte buffer`,
        );
      }
      const block = buffer.subarray(offset, offset + length);
      declared += snappyDeclaredLength(block);
      blocks.push(block);
      offset += length;
    }
    if (declared > maxBytes) throw declaresTooMuch('snappy', declared, maxBytes);
    return Buffer.concat(blocks.map((block) => toBuffer(snappy.uncompress(block, maxBytes))));
  }

  /** Compresses to raw snappy, the framing librdkafka writes for record batches. */
  function snappyCompress(buffer: Buffer): Buffer {
    return toBuffer(snappy.compress(buffer));
  }
  /**
   * Compresses to one LZ4 frame of independent 64 KiB blocks, as Java and librdkafka write them (the
   * broker's Java reader refuses dependent blocks, which lz4js's own frame writer produces).
   */
  function lz4Compress(buffer: Buffer): Buffer {
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

  /**
   * Decompresses one LZ4 frame, verifying block and content checksums when the frame has them.
   * Frame and blocks are decoded here, with bounds checks: lz4js's frame reader misplaces block
   * checksums, and its block decoder drops writes past its buffer and reads zeros before it.
   * At most `maxBytes` are allocated, whatever the frame declares.
   * @throws {DecompressionLimitError} when the frame declares or decodes to more than `maxBytes`
   * @throws {RangeError} on a malformed or corrupt frame
   */
  function lz4Decompress(buffer: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
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
      if (size > BigInt(maxBytes)) throw declaresTooMuch('LZ4', size, maxBytes);
      if (size > BigInt(buffer.length) * 255n + 64n)
        fail(`content size ${size} cannot come from ${buffer.length} bytes`);
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
      if (length > maxBlockSize)
        fail(`block of ${length} bytes exceeds the frame's ${maxBlockSize}-byte blocks`);
      if (offset + length + (blockChecksums ? 4 : 0) > buffer.length)
        fail(`block of ${length} bytes at byte ${offset} is truncated`);
      if (blockChecksums && xxh32.hash(0, buffer, offset, length) !== buffer.readUInt32LE(offset + length))
        fail(`block checksum mismatch at byte ${offset}`);
      blocks.push({ start: offset, length, raw });
      bound += raw ? length : maxBlockSize;
      offset += length + (blockChecksums ? 4 : 0);
    }
    const capped = contentSize === undefined && bound > maxBytes;
    const output = Buffer.allocUnsafe(capped ? maxBytes : (contentSize ?? bound));
    const overflow = (): never => {
      if (capped) throw inflatesTooMuch('LZ4', maxBytes);
      return fail('a block decodes to more than its size limit or the declared content size');
    };
    let written = 0;
    for (const block of blocks) {
      if (block.raw) {
        if (written + block.length > output.length) {
          if (capped) overflow();
          fail('content exceeds its declared size');
        }
        buffer.copy(output, written, block.start, block.start + block.length);
        written += block.length;
      } else {
        // Independent blocks may not reach back before their own start; linked ones may reach the whole output.
        const limit = Math.min(output.length, written + maxBlockSize);
        written = lz4DecompressBlock(
          buffer,
          block.start,
          block.start + block.length,
          output,
          written,
          limit,
          independent ? written : 0,
          fail,
          () =>
            // Past the block's own size limit the frame is corrupt; past the allocation only when that is the cap.
            capped && written + maxBlockSize > output.length
              ? overflow()
              : fail('a block decodes to more than its size limit or the declared content size'),
        );
      }
    }
    if (contentSize !== undefined && written !== contentSize)
      fail(`content is ${written} bytes, the frame declares ${contentSize}`);
    if (contentChecksum) {
      if (offset + 4 > buffer.length) fail('missing content checksum');
      if (xxh32.hash(0, output, 0, written) !== buffer.readUInt32LE(offset)) fail('content checksum mismatch');
    }
    return written === output.length ? output : output.subarray(0, written);
  }


  let wasmReady: Promise<void> | undefined;

  /** Compresses to one zstd frame (level 3, the default of libzstd and librdkafka). */
  async function zstdCompress(buffer: Buffer, implementation = zstdImplementation): Promise<Buffer> {
    if (implementation === 'node:zlib' && nativeZstdCompress) return nativeZstdCompress(buffer);
    wasmReady ??= zstdWasm.init();
    await wasmReady;
    return toBuffer(zstdWasm.compress(buffer, 3));
  }

  /**
   * Decompresses one or more zstd frames. The frames' headers are checked against `maxBytes` before
   * decoding, so neither a declared content size nor a window larger than the limit is allocated.
   * @throws {DecompressionLimitError} when the data declares, or may decode to, more than `maxBytes`
   * @throws {RangeError} on malformed data
   */
  async function zstdDecompress(
    buffer: Buffer,
    implementation = zstdImplementation,
    maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
  ): Promise<Buffer> {
    const { declared, bound, window } = zstdBounds(buffer);
    if (declared > BigInt(maxBytes)) throw declaresTooMuch('zstd', declared, maxBytes);
    if (bound > maxBytes) throw inflatesTooMuch('zstd', maxBytes);
    if (window > maxBytes)
      throw new DecompressionLimitError(
        `zstd data asks for a ${window}-byte window, more than the ${maxBytes}-byte limit`,
        maxBytes,
      );
    if (implementation === 'node:zlib' && nativeZstd) {
      return inflateBounded('zstd', maxBytes, (options, callback) =>
        nativeZstd.zstdDecompress(buffer, options, callback),
      );
    }
    return toBuffer(fzstdDecompress(buffer));
  }

  /** The codecs an adapter gives kafkajs: snappy, lz4 and zstd, and gzip bounded like them. */
  const CODECS: Readonly<Record<CodecName, KafkaCodec>> = {
    gzip: codec('gzip', (buffer) => gzip(buffer), gzipDecompress),
    snappy: codec('snappy', snappyCompress, snappyDecompress),
    lz4: codec('lz4', lz4Compress, lz4Decompress),
    zstd: codec(
      'zstd',
      (buffer) => zstdCompress(buffer),
      (buffer, maxBytes) => zstdDecompress(buffer, zstdImplementation, maxBytes),
    ),
  };

  return { CODECS, snappyDecompress, snappyCompress, lz4Compress, lz4Decompress, zstdCompress, zstdDecompress };
}

/** The compression type numbers of kafkajs's `CompressionTypes`. */
export interface KafkaCompressionTypesLike {
  readonly GZIP: number;
  readonly Snappy: number;
  readonly LZ4: number;
  readonly ZSTD: number;
}

/**
 * Registers snappy, lz4 and zstd in kafkajs's global `CompressionCodecs`, so every kafkajs producer
 * compresses and every consumer decompresses them, and replaces kafkajs's own gzip codec by the bounded
 * one; idempotent, and a codec someone else registered first is kept.
 */
export function registerKafkaCodecs(
  compressionCodecs: object,
  compressionTypes: KafkaCompressionTypesLike,
  codecs: Readonly<Record<CodecName, KafkaCodec>>,
): void {
  const registry = compressionCodecs as Record<number, (() => unknown) | undefined>;
  const types: Record<CodecName, number> = {
    gzip: compressionTypes.GZIP,
    snappy: compressionTypes.Snappy,
    lz4: compressionTypes.LZ4,
    zstd: compressionTypes.ZSTD,
  };
  for (const name of Object.keys(types) as CodecName[]) {
    const type = types[name];
    if (hasWorkingFactory(registry[type]) && !isKafkaJsGzip(registry[type])) continue;
    const implementation = codecs[name];
    registry[type] = () => implementation;
  }
}

/** kafkajs's built-in gzip factory (`() => require('./gzip')`), which inflates without a limit. */
function isKafkaJsGzip(factory: (() => unknown) | undefined): boolean {
  return (
    factory !== undefined && /require\(['"]\.\/gzip['"]\)/.test(Function.prototype.toString.call(factory))
  );
}

function hasWorkingFactory(factory: (() => unknown) | undefined): boolean {
  if (factory === undefined) return false;
  try {
    return factory() !== undefined;
  } catch {
    return false; // kafkajs's placeholders throw KafkaJSNotImplemented
  }
}
