import type { ContextValue } from '@onex/spi-types';

const encoder = new TextEncoder();

/** Serialises a value for the wire: strings as UTF-8, bytes as they are, anything else as JSON. */
export function toBytes(data: ContextValue): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  return encoder.encode(JSON.stringify(data, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  ));
}

/** A plain `Uint8Array` view of a Buffer (no copy), so callers never depend on Buffer-only methods. */
export function asUint8Array(chunk: Uint8Array): Uint8Array {
  return Buffer.isBuffer(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk;
}
