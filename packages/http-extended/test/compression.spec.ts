import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { HttpExtended, CompressionError } from '../src/index.js';

const text = 'The quick brown fox jumps over the lazy dog. '.repeat(2000);

describe('HttpExtended compression', () => {
  let client: HttpExtended;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-httpx-'));
    fs.writeFileSync(path.join(dir, 'plain.txt'), text);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    client = new HttpExtended({ maxDecompressedBytes: 1024 * 1024 });
  });
  afterEach(async () => {
    await client.close();
  });

  it.each(['none', 'gzip', 'deflate', 'brotli'] as const)('round-trips strings, bytes and JSON through %s', async (type) => {
    for (const value of [text, new Uint8Array([0, 1, 2, 255]), { a: 1, list: ['x', null, true] }]) {
      const packed = await client.compressRequest(value, type);
      const unpacked = await client.decompressResponse(packed, type);
      const expected = typeof value === 'string' ? Buffer.from(value) : value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(JSON.stringify(value));
      expect(Buffer.from(unpacked).equals(expected)).toBe(true);
    }
    if (type !== 'none') expect((await client.compressRequest(text, type)).byteLength).toBeLessThan(text.length / 10);
  });

  it('decompresses files made by the gzip command-line tool, and gzip -d reads ours', async () => {
    execFileSync('gzip', ['-k', '-9', path.join(dir, 'plain.txt')]);
    const fromCli = fs.readFileSync(path.join(dir, 'plain.txt.gz'));
    expect(Buffer.from(await client.decompressResponse(fromCli, 'gzip')).toString()).toBe(text);
    fs.writeFileSync(path.join(dir, 'ours.gz'), await client.compressRequest(text, 'gzip'));
    expect(execFileSync('gzip', ['-dc', path.join(dir, 'ours.gz')]).toString()).toBe(text);
  });

  it('decompresses files made by the brotli command-line tool, and brotli -d reads ours', async () => {
    execFileSync('brotli', ['-k', '-f', '-o', path.join(dir, 'plain.txt.br'), path.join(dir, 'plain.txt')]);
    const fromCli = fs.readFileSync(path.join(dir, 'plain.txt.br'));
    expect(Buffer.from(await client.decompressResponse(fromCli, 'brotli')).toString()).toBe(text);
    fs.writeFileSync(path.join(dir, 'ours.br'), await client.compressRequest(text, 'brotli'));
    expect(execFileSync('brotli', ['-dc', path.join(dir, 'ours.br')]).toString()).toBe(text);
  });

  it('accepts both zlib-wrapped and raw deflate', async () => {
    expect(Buffer.from(await client.decompressResponse(zlib.deflateSync(text), 'deflate')).toString()).toBe(text);
    expect(Buffer.from(await client.decompressResponse(zlib.deflateRawSync(text), 'deflate')).toString()).toBe(text);
  });

  it('stops a gzip bomb made by the gzip tool at maxDecompressedBytes instead of inflating it', async () => {
    // 64 MiB of zeros compresses to ~64 KiB; the cap is 1 MiB.
    const bomb = execFileSync('sh', ['-c', 'head -c 67108864 /dev/zero | gzip -c'], { maxBuffer: 16 * 1024 * 1024 });
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const error = await client.decompressResponse(bomb, 'gzip').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompressionError);
    expect(error).toMatchObject({ code: 'DECOMPRESSION_TOO_LARGE', details: { maxBytes: 1024 * 1024 } });
    const brBomb = zlib.brotliCompressSync(Buffer.alloc(8 * 1024 * 1024));
    await expect(client.decompressResponse(brBomb, 'brotli')).rejects.toMatchObject({ code: 'DECOMPRESSION_TOO_LARGE' });
  });

  it('decodes stacked Content-Encoding values, last applied first, and refuses more than five', async () => {
    const stacked = zlib.brotliCompressSync(zlib.deflateSync(zlib.gzipSync(text)));
    expect(Buffer.from(await client.decodeContentEncoding(stacked, 'gzip, deflate, br')).toString()).toBe(text);
    expect(Buffer.from(await client.decodeContentEncoding(Buffer.from('x'), 'identity')).toString()).toBe('x');
    await expect(client.decodeContentEncoding(stacked, 'gzip, gzip, gzip, gzip, gzip, gzip')).rejects.toMatchObject({
      code: 'COMPRESSION_UNSUPPORTED',
    });
    await expect(client.decodeContentEncoding(stacked, 'zstd')).rejects.toMatchObject({ code: 'COMPRESSION_UNSUPPORTED' });
  });

  it('reports corrupt input and unknown types with typed errors', async () => {
    await expect(client.decompressResponse(new Uint8Array([1, 2, 3, 4]), 'gzip')).rejects.toMatchObject({ code: 'DECOMPRESSION_FAILED' });
    await expect(client.compressRequest('x', 'lz4' as never)).rejects.toMatchObject({ code: 'COMPRESSION_UNSUPPORTED' });
  });
});
