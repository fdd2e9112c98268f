import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import lz4js from 'lz4js';
import fc from 'fast-check';
import { CODECS, lz4Compress, lz4Decompress, registerCompressionCodecs, snappyCompress, snappyDecompress, zstdCompress, zstdDecompress, zstdImplementation } from './compression.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** A JSON-ish batch body of about `bytes` bytes. */
const jsonish = (bytes: number): Buffer => {
  const rows: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const row = JSON.stringify({ id: i, user: `user-${i % 977}`, event: i % 3 ? 'click' : 'view', at: 1_700_000_000_000 + i * 37, tags: ['a', 'b', String(i % 11)] });
    rows.push(row);
    size += row.length + 1;
  }
  return Buffer.from(rows.join('\n')).subarray(0, bytes);
};

const CASES: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([7])],
  ['tiny text', Buffer.from('hello')],
  ['64 KiB + 1 of zeros', Buffer.alloc(65_537)],
  ['2 MiB incompressible', randomBytes(2 * 1024 * 1024)],
  ['5 MiB JSON-ish', jsonish(5 * 1024 * 1024)],
];

/** Java's SnappyOutputStream framing (xerial): magic, version 1, compatible version 1, then [int32 length][raw snappy]. */
const xerialFrame = (chunks: Buffer[]): Buffer => {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const blocks = chunks.flatMap((chunk) => {
    const raw = snappyCompress(chunk);
    const length = Buffer.alloc(4);
    length.writeInt32BE(raw.length);
    return [length, raw];
  });
  return Buffer.concat([header, ...blocks]);
};

describe('compression codecs', () => {
  describe.each(Object.keys(CODECS) as (keyof typeof CODECS)[])('%s', (name) => {
    const codec = CODECS[name];
    it.each(CASES)('round-trips %s through the kafkajs codec contract', async (_label, input) => {
      const compressed = await codec.compress({ buffer: input });
      expect(Buffer.isBuffer(compressed)).toBe(true);
      const output = await codec.decompress(compressed);
      expect(Buffer.isBuffer(output)).toBe(true);
      expect(output.equals(input)).toBe(true);
    });

    it('round-trips generated buffers', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 70_000 }), async (bytes) => {
          const input = Buffer.from(bytes);
          expect((await codec.decompress(await codec.compress({ buffer: input }))).equals(input)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });

    it('compresses a JSON-ish batch to well under its size', async () => {
      const input = jsonish(256 * 1024);
      expect((await codec.compress({ buffer: input })).length).toBeLessThan(input.length / 3);
    });
  });

  it('writes raw snappy (no xerial header), as librdkafka does for record batches', () => {
    const out = snappyCompress(Buffer.from('abc'));
    expect(out.subarray(0, 4).equals(Buffer.from([0x82, 0x53, 0x4e, 0x41]))).toBe(false);
    expect([...out]).toEqual([3, 8, 0x61, 0x62, 0x63]); // varint length 3, literal tag, "abc"
  });

  it('reads xerial-framed snappy (Java clients) with one, several and no blocks', () => {
    const a = jsonish(40_000);
    const b = randomBytes(33_333);
    expect(snappyDecompress(xerialFrame([a])).equals(a)).toBe(true);
    expect(snappyDecompress(xerialFrame([a, b, a])).equals(Buffer.concat([a, b, a]))).toBe(true);
    expect(snappyDecompress(xerialFrame([])).length).toBe(0);
  });

  it('rejects a truncated xerial frame with a message that says where', () => {
    const framed = xerialFrame([jsonish(10_000)]);
    expect(() => snappyDecompress(framed.subarray(0, framed.length - 5))).toThrow(/overruns the \d+-byte buffer/);
  });

  it('writes LZ4 frames that the lz4 CLI (liblz4) reads, and reads the frames it writes', () => {
    const input = jsonish(3 * 1024 * 1024);
    const frame = lz4Compress(input);
    expect(frame.readUInt8(4) & 0x20).toBe(0x20); // independent blocks: the broker's Java reader refuses dependent ones
    expect(execFileSync('lz4', ['-d', '-c'], { input: frame, maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    for (const flags of [['-BD'], ['-BX'], ['-B4', '--no-frame-crc'], ['-B5', '-BD', '-BX']]) {
      const fromCli = execFileSync('lz4', ['-c', ...flags], { input, maxBuffer: 64 << 20 });
      expect(lz4Decompress(fromCli).equals(input)).toBe(true);
    }
  });

  it('writes LZ4 blocks that liblz4 accepts for generated inputs (matches near block ends, long runs, 64 KiB boundaries)', () => {
    const chunk = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 5_000 })).map(([unit, times]) => Buffer.concat(Array.from({ length: times }, () => Buffer.from(unit)))),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 60 }), (chunks) => {
        const input = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        expect(execFileSync('lz4', ['-d', '-c'], { input: lz4Compress(input), maxBuffer: 64 << 20 }).equals(input)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('reads LZ4 frames with a content size, and rejects corrupt or truncated frames with a message', () => {
    const input = jsonish(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'lz4-'));
    try {
      writeFileSync(join(dir, 'in'), input);
      const sized = execFileSync('lz4', ['-c', '--content-size', '-B4', '-BX', join(dir, 'in')], { maxBuffer: 64 << 20 });
      expect(sized[4]! & 0x08).toBe(0x08); // the content-size flag
      expect(lz4Decompress(sized).equals(input)).toBe(true);
      const corrupt = Buffer.from(sized);
      corrupt.writeUInt8(corrupt.readUInt8(sized.length >> 1) ^ 0x55, sized.length >> 1);
      expect(() => lz4Decompress(corrupt)).toThrow(/invalid LZ4 frame .*(checksum mismatch|exceeds|declares)/);
      expect(() => lz4Decompress(sized.subarray(0, sized.length - 9))).toThrow(/invalid LZ4 frame/);
      expect(() => lz4Decompress(Buffer.from('not lz4 at all'))).toThrow('invalid LZ4 frame (14 bytes): no LZ4 frame magic number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Node < 22.15 has no zlib zstd: there only the WASM + fzstd fallback runs (CI runs both Nodes).
  it('rejects LZ4 blocks whose matches reach before the output or past the declared size, where lz4js returns wrong bytes', () => {
    const frame = (block: number[], contentSize?: number): Buffer => {
      const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, contentSize === undefined ? 0x60 : 0x68, 0x40]);
      const size = Buffer.alloc(contentSize === undefined ? 0 : 8);
      if (contentSize !== undefined) size.writeBigUInt64LE(BigInt(contentSize));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(block.length);
      // The header checksum byte is not checked (old Kafka clients wrote it wrongly).
      return Buffer.concat([header, size, Buffer.from([0]), length, Buffer.from(block), Buffer.alloc(4)]);
    };
    // "A", then a 4-byte match 5 bytes back (before the output starts), then the literals "BCDEF".
    const reachesBack = frame([0x10, 0x41, 0x05, 0x00, 0x50, 0x42, 0x43, 0x44, 0x45, 0x46]);
    expect(() => lz4Decompress(reachesBack)).toThrow('match offset 5 at output byte 1 reaches outside the window');
    // Control: lz4js's own reader returns the block with zeros where the match pointed (it also sizes its buffer from the frame).
    expect(Buffer.from(lz4js.decompress(reachesBack)).toString('latin1')).toBe('A\0\0\0\0BCDEF');
    // A valid block that decodes to 10 bytes where the frame declares 6.
    const valid = [0x10, 0x41, 0x01, 0x00, 0x50, 0x42, 0x43, 0x44, 0x45, 0x46];
    expect(lz4Decompress(frame(valid)).toString()).toBe('AAAAABCDEF');
    expect(() => lz4Decompress(frame(valid, 6))).toThrow('a block decodes to more than its size limit or the declared content size');
    expect(() => lz4Decompress(frame(valid.slice(0, 7)))).toThrow('literals run past the block');
  });

  it.each(zstdImplementation === 'node:zlib' ? (['node:zlib', 'wasm+fzstd'] as const) : (['wasm+fzstd'] as const))('writes zstd frames that the zstd CLI (libzstd) reads, and reads its frames, with %s', async (implementation) => {
    const input = jsonish(3 * 1024 * 1024);
    expect(execFileSync('zstd', ['-d', '-c'], { input: await zstdCompress(input, implementation), maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    // Streamed input has no content size in the frame header, as librdkafka's streaming compressor writes.
    const streamed = execFileSync('sh', ['-c', 'cat | zstd -c -q'], { input, maxBuffer: 64 << 20 });
    expect((await zstdDecompress(streamed, implementation)).equals(input)).toBe(true);
    const twoFrames = Buffer.concat([await zstdCompress(input.subarray(0, 1000), implementation), await zstdCompress(input.subarray(1000), implementation)]);
    expect((await zstdDecompress(twoFrames, implementation)).equals(input)).toBe(true);
  });

  it('registers snappy, lz4 and zstd with kafkajs and keeps a codec registered before it', () => {
    const registry = CompressionCodecs as Record<number, (() => unknown) | undefined>;
    const saved = registry[CompressionTypes.ZSTD];
    const theirs = { compress: async () => Buffer.alloc(0), decompress: async () => Buffer.alloc(0) };
    try {
      registry[CompressionTypes.ZSTD] = () => theirs;
      registerCompressionCodecs();
      registerCompressionCodecs();
      expect(registry[CompressionTypes.Snappy]!()).toBe(CODECS.snappy);
      expect(registry[CompressionTypes.LZ4]!()).toBe(CODECS.lz4);
      expect(registry[CompressionTypes.ZSTD]!()).toBe(theirs);
    } finally {
      registry[CompressionTypes.ZSTD] = saved;
    }
  });
});
