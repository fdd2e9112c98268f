import { kMaxLength } from 'node:buffer';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { LiteralCompressionType } from '@onex/spi-types';
import { CompressionError } from '../errors/compression-error.js';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotliCompress = promisify(zlib.brotliCompress);
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Largest number of content codings decoded for one response (more is treated as an attack). */
export const MAX_CONTENT_CODINGS = 5;

/** True when `bytes` start with a zlib (RFC 1950) header rather than raw deflate data. */
export function hasZlibHeader(bytes: Uint8Array): boolean {
  const cmf = bytes[0];
  const flg = bytes[1];
  if (cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

/** Compresses bytes with one coding. @throws CompressionError `COMPRESSION_FAILED` */
export async function compressBytes(bytes: Uint8Array, type: LiteralCompressionType): Promise<Uint8Array> {
  try {
    switch (type) {
      case 'none':
        return bytes;
      case 'gzip':
        return plain(await gzip(bytes));
      case 'deflate':
        return plain(await deflate(bytes));
      case 'brotli':
        return plain(
          await brotliCompress(bytes, { params: { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } }),
        );
    }
  } catch (error) {
    throw new CompressionError('COMPRESSION_FAILED', `${type} compression failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Decompresses bytes with one coding, stopping as soon as the output passes `maxBytes`.
 * `deflate` accepts both zlib-wrapped and raw deflate data.
 * @throws CompressionError `DECOMPRESSION_TOO_LARGE` or `DECOMPRESSION_FAILED`
 */
export async function decompressBytes(
  bytes: Uint8Array,
  type: LiteralCompressionType,
  maxBytes: number,
): Promise<Uint8Array> {
  if (type === 'none') return checkSize(bytes, maxBytes, type);
  const options = { maxOutputLength: Math.max(1, Math.min(maxBytes, kMaxLength)) };
  try {
    switch (type) {
      case 'gzip':
        return plain(await gunzip(bytes, options));
      case 'deflate':
        return plain(await (hasZlibHeader(bytes) ? inflate(bytes, options) : inflateRaw(bytes, options)));
      case 'brotli':
        return plain(await brotliDecompress(bytes, options));
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(type, maxBytes, error);
    }
    throw new CompressionError('DECOMPRESSION_FAILED', `${type} data is corrupt: ${(error as Error).message}`, {
      cause: error,
      details: { type },
    });
  }
}

/** The error raised when decoded output passes the cap. */
export function tooLarge(type: string, maxBytes: number, cause?: unknown): CompressionError {
  return new CompressionError(
    'DECOMPRESSION_TOO_LARGE',
    `${type} data decompresses to more than maxDecompressedBytes (${maxBytes} bytes)`,
    { cause, details: { type, maxBytes } },
  );
}

function checkSize(bytes: Uint8Array, maxBytes: number, type: string): Uint8Array {
  if (bytes.byteLength > maxBytes) throw tooLarge(type, maxBytes);
  return bytes;
}

function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
