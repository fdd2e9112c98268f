/** Wraps bytes or UTF-8 text as a Buffer without copying bytes. */
export function toBuffer(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Converts a kafkajs int64 string to a number, refusing values above 2^53. */
export function toSafeNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${value} does not fit in a JavaScript number`);
  return n;
}
