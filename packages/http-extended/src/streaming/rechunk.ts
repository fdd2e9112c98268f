import { asUint8Array } from '../internal/to-bytes.js';

/**
 * Re-slices a byte stream into chunks of exactly `size` bytes (the last may be shorter).
 * Whole chunks inside a source chunk are yielded as views (no copy); only chunks that straddle
 * two source chunks are copied. Pulls from `source` only when the consumer asks for more.
 */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array, void, undefined> {
  let pending: Uint8Array | undefined;
  let filled = 0;
  for await (const raw of source) {
    const chunk = asUint8Array(raw);
    let offset = 0;
    if (pending !== undefined) {
      const take = Math.min(size - filled, chunk.byteLength);
      pending.set(chunk.subarray(0, take), filled);
      filled += take;
      offset = take;
      if (filled < size) continue;
      const full = pending;
      pending = undefined;
      filled = 0;
      yield full;
    }
    while (chunk.byteLength - offset >= size) {
      yield chunk.subarray(offset, offset + size);
      offset += size;
    }
    if (offset < chunk.byteLength) {
      pending = new Uint8Array(size);
      pending.set(chunk.subarray(offset));
      filled = chunk.byteLength - offset;
    }
  }
  if (pending !== undefined && filled > 0) yield pending.subarray(0, filled);
}
