import { PassThrough, Readable, pipeline, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { LiteralCompressionType } from '@onex/spi-types';
import { CompressionError } from '../errors/compression-error.js';
import { MAX_CONTENT_CODINGS, decompressBytes, hasZlibHeader } from './codec.js';

const CODINGS: Readonly<Record<string, LiteralCompressionType>> = {
  identity: 'none',
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'brotli',
};

/**
 * Parses a `Content-Encoding` header into the codings to undo, in the order they must be undone
 * (the last applied first); `identity` is dropped.
 * @throws CompressionError `COMPRESSION_UNSUPPORTED` for an unknown coding or more than 5 codings
 */
export function parseContentEncoding(header: string | readonly string[] | undefined): LiteralCompressionType[] {
  if (header === undefined) return [];
  const names = (Array.isArray(header) ? header.join(',') : (header as string))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  if (names.length > MAX_CONTENT_CODINGS) {
    throw new CompressionError(
      'COMPRESSION_UNSUPPORTED',
      `Content-Encoding lists ${names.length} codings; at most ${MAX_CONTENT_CODINGS} are decoded`,
      { details: { contentEncoding: names.join(', ') } },
    );
  }
  const codings: LiteralCompressionType[] = [];
  for (const name of names) {
    const coding = CODINGS[name];
    if (coding === undefined) {
      throw new CompressionError('COMPRESSION_UNSUPPORTED', `Content-Encoding '${name}' is not supported`, {
        details: { contentEncoding: name },
      });
    }
    if (coding !== 'none') codings.push(coding);
  }
  return codings.reverse();
}

/** Decodes a whole body by its `Content-Encoding` header, with the cap applied to every step. */
export async function decodeContentEncoding(
  bytes: Uint8Array,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Uint8Array> {
  let out = bytes;
  for (const coding of parseContentEncoding(contentEncoding)) {
    out = await decompressBytes(out, coding, maxBytes);
  }
  return out;
}

/** Undoes the codings of a streamed body; errors and early `return()` destroy the whole chain. */
export function decodeStream(
  source: AsyncIterable<Uint8Array>,
  codings: readonly LiteralCompressionType[],
): AsyncIterable<Uint8Array> {
  let current = source;
  for (const coding of codings) current = decodeOne(current, coding);
  return current;
}

function decodeOne(source: AsyncIterable<Uint8Array>, coding: LiteralCompressionType): AsyncIterable<Uint8Array> {
  if (coding === 'none') return source;
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = source[Symbol.asyncIterator]();
      const decoded = (async function* () {
        const first = await iterator.next();
        if (first.done) return;
        const decoder = createDecoder(coding, first.value);
        const input = Readable.from(
          (async function* () {
            yield first.value;
            for (;;) {
              const next = await iterator.next();
              if (next.done) return;
              yield next.value;
            }
          })(),
        );
        const output = pipeline(input, decoder, () => undefined);
        try {
          for await (const chunk of output as AsyncIterable<Buffer>) yield chunk as Uint8Array;
        } catch (error) {
          throw new CompressionError('DECOMPRESSION_FAILED', `${coding} response body is corrupt: ${(error as Error).message}`, {
            cause: error,
            details: { type: coding },
          });
        } finally {
          input.destroy();
          await iterator.return?.();
        }
      })();
      return decoded;
    },
  };
}

function createDecoder(coding: LiteralCompressionType, first: Uint8Array): Transform {
  // Servers in the wild send raw deflate under `deflate`; sniff the zlib header like browsers do.
  switch (coding) {
    case 'gzip':
      return zlib.createGunzip();
    case 'deflate':
      return hasZlibHeader(first) ? zlib.createInflate() : zlib.createInflateRaw();
    case 'brotli':
      return zlib.createBrotliDecompress();
    case 'none':
      return new PassThrough();
  }
}
