import { SerdeInvalidPayloadError, SerdeUnknownMagicByteError } from '../errors/schema-registry-errors.js';

/** First byte of every Confluent-framed message. */
export const MAGIC_BYTE = 0;
/** Magic byte plus the 4-byte big-endian schema id. */
export const HEADER_SIZE = 5;

/** Views bytes as a Buffer without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes magic byte and big-endian schema id at `offset` (default 0) of `target`, which must have room. */
export function writeHeader(target: Uint8Array, id: number, offset = 0): void {
  // Plain byte stores: cheaper than Buffer#writeUInt32BE's argument checks on the hot path.
  target[offset] = MAGIC_BYTE;
  target[offset + 1] = id >>> 24;
  target[offset + 2] = id >>> 16;
  target[offset + 3] = id >>> 8;
  target[offset + 4] = id;
}

/**
 * Reads the schema id of a framed message.
 * @throws {SerdeUnknownMagicByteError} when the first byte is not 0
 * @throws {SerdeInvalidPayloadError} when fewer than 5 bytes are given
 */
export function readSchemaId(bytes: Uint8Array): number {
  // The hot path stays small enough for V8 to inline; the error messages are built out of line.
  if (bytes instanceof Uint8Array && bytes.length >= HEADER_SIZE && bytes[0] === MAGIC_BYTE) {
    return ((bytes[1]! << 24) >>> 0) + (bytes[2]! << 16) + (bytes[3]! << 8) + bytes[4]!;
  }
  throw frameError(bytes);
}

function frameError(bytes: Uint8Array): Error {
  if (!(bytes instanceof Uint8Array)) {
    return new SerdeInvalidPayloadError(`bytes to deserialize must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  if (bytes.length < HEADER_SIZE) {
    return new SerdeInvalidPayloadError(`a Confluent-framed message has at least ${HEADER_SIZE} bytes, got ${bytes.length}`);
  }
  return new SerdeUnknownMagicByteError(`unknown magic byte ${bytes[0]}, expected ${MAGIC_BYTE}`, { details: { magicByte: bytes[0] } });
}

function zigzag(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Appends `value` (unsigned 32-bit) to `out` as a base-128 varint. */
export function writeVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** Confluent's Protobuf message-index array: zigzag varint count then indexes; `[0]` is the single byte 0. */
export function encodeMessageIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return Uint8Array.of(0);
  const out: number[] = [];
  writeVarint(out, zigzag(indexes.length));
  for (const index of indexes) writeVarint(out, zigzag(index));
  return Uint8Array.from(out);
}

function readVarint(bytes: Uint8Array, offset: number): { value: number; offset: number } {
  let result = 0;
  let shift = 0;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length || shift > 28) throw new SerdeInvalidPayloadError(`truncated or oversized varint in the message-index array at byte ${pos}`);
    const byte = bytes[pos++]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  const unsigned = result >>> 0;
  return { value: (unsigned >>> 1) ^ -(unsigned & 1), offset: pos };
}

/**
 * Reads the message-index array that follows the header of a Protobuf message.
 * @throws {SerdeInvalidPayloadError} when it is truncated or absurd
 */
export function decodeMessageIndexes(bytes: Uint8Array, offset: number): { indexes: number[]; offset: number } {
  const count = readVarint(bytes, offset);
  if (count.value === 0) return { indexes: [0], offset: count.offset };
  if (count.value < 0 || count.value > 64) throw new SerdeInvalidPayloadError(`invalid message-index count ${count.value}`);
  const indexes: number[] = [];
  let pos = count.offset;
  for (let i = 0; i < count.value; i++) {
    const index = readVarint(bytes, pos);
    if (index.value < 0) throw new SerdeInvalidPayloadError(`invalid message index ${index.value}`);
    indexes.push(index.value);
    pos = index.offset;
  }
  return { indexes, offset: pos };
}
