import { crc32c } from './crc32c.js';

/** One record as the producer holds it. */
export interface BatchRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer> | undefined;
  /** Epoch milliseconds, a non-negative safe integer. */
  readonly timestamp: number;
}

/**
 * Bytes of a v2 RecordBatch before its records: base offset (8), length (4), partition leader epoch (4),
 * magic (1), CRC (4), attributes (2), last offset delta (4), first and max timestamp (8 + 8), producer
 * id (8), producer epoch (2), base sequence (4), record count (4).
 */
export const RECORD_BATCH_HEADER_BYTES = 61;
/** Offset of the first byte the CRC covers (the attributes). */
const CRC_START = 21;
const TRANSACTIONAL_ATTRIBUTE = 0x10;
const COMPRESSION_MASK = 0x07;

/**
 * A partition's records encoded once, in the v2 record format, behind room for the batch header.
 * The header (producer id, epoch and base sequence, known only when the request is sent) is written
 * by `recordBatch`, so a resend with new sequence numbers re-encodes nothing.
 */
export class EncodedRecords {
  /** Compressed records section per compression type, computed on first use. */
  readonly #compressed = new Map<number, Promise<Buffer>>();
  constructor(
    /** `RECORD_BATCH_HEADER_BYTES` of room, then the records. */
    readonly buffer: Buffer,
    readonly count: number,
    readonly firstTimestamp: number,
    readonly maxTimestamp: number,
  ) {}

  /** The records without the header room (what a codec compresses). */
  get records(): Buffer {
    return this.buffer.subarray(RECORD_BATCH_HEADER_BYTES);
  }

  /** The compressed records section for `type`, compressed once and reused by resends. */
  compressed(type: number, compress: (records: Buffer) => Promise<Buffer>): Promise<Buffer> {
    let compressed = this.#compressed.get(type);
    if (compressed === undefined) {
      compressed = compress(this.records);
      this.#compressed.set(type, compressed);
      // A failed compression is not cached: the next encode tries again.
      compressed.catch(() => this.#compressed.delete(type));
    }
    return compressed;
  }
}

/** What only the request knows: the producer's identity and the partition's sequence. */
export interface BatchHeader {
  /** The kafkajs compression type (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  readonly compression: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly transactional: boolean;
}

const TWO_POW_31 = 2 ** 31;
/** Above this a zigzag number (2n) would no longer be exact in a double. */
const ZIGZAG_EXACT = 2 ** 51;

function sizeOfUnsigned(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = value < TWO_POW_31 ? value >>> 7 : Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeUnsigned(buffer: Buffer, offset: number, value: number): number {
  while (value >= 128) {
    // `& 127` keeps the low bits exactly even above 2^31 (ToInt32 is modulo 2^32).
    buffer[offset++] = (value & 127) | 128;
    value = value < TWO_POW_31 ? value >>> 7 : Math.floor(value / 128);
  }
  buffer[offset++] = value;
  return offset;
}

/** Zigzag of a signed integer (|n| < 2^51); larger values take `writeBigVarLong`. */
const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);

function sizeOfBigVarLong(n: number): number {
  let v = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);
  let size = 1;
  while (v >= 128n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function writeBigVarLong(buffer: Buffer, offset: number, n: number): number {
  let v = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));
  while (v >= 128n) {
    buffer[offset++] = Number(v & 127n) | 128;
    v >>= 7n;
  }
  buffer[offset++] = Number(v);
  return offset;
}

const sizeOfVarLong = (n: number): number => (Math.abs(n) < ZIGZAG_EXACT ? sizeOfUnsigned(zigzag(n)) : sizeOfBigVarLong(n));
const writeVarLong = (buffer: Buffer, offset: number, n: number): number =>
  Math.abs(n) < ZIGZAG_EXACT ? writeUnsigned(buffer, offset, zigzag(n)) : writeBigVarLong(buffer, offset, n);

/** Size of a record after its length prefix. */
function sizeOfRecordBody(record: BatchRecord, offsetDelta: number, timestampDelta: number): number {
  const { key, value, headers } = record;
  let size = 1 + sizeOfVarLong(timestampDelta) + sizeOfUnsigned(offsetDelta * 2);
  size += key === null ? 1 : sizeOfUnsigned(key.length * 2) + key.length;
  size += value === null ? 1 : sizeOfUnsigned(value.length * 2) + value.length;
  if (headers === undefined) return size + 1;
  const names = Object.keys(headers);
  for (const name of names) {
    const nameBytes = Buffer.byteLength(name);
    const headerValue = headers[name]!;
    size += sizeOfUnsigned(nameBytes * 2) + nameBytes + sizeOfUnsigned(headerValue.length * 2) + headerValue.length;
  }
  return size + sizeOfUnsigned(names.length * 2);
}

/**
 * Encodes records in the Kafka v2 record format (offset deltas from 0, timestamp deltas from the
 * smallest timestamp), in one pass into one buffer sized up front.
 */
export function encodeRecords(records: readonly BatchRecord[]): EncodedRecords {
  const count = records.length;
  let firstTimestamp = Number.POSITIVE_INFINITY;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const t = records[i]!.timestamp;
    if (t < firstTimestamp) firstTimestamp = t;
    if (t > maxTimestamp) maxTimestamp = t;
  }
  if (count === 0) firstTimestamp = maxTimestamp = Date.now();
  const bodySizes = new Int32Array(count);
  let total = RECORD_BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const body = sizeOfRecordBody(r, i, r.timestamp - firstTimestamp);
    bodySizes[i] = body;
    total += sizeOfUnsigned(body * 2) + body;
  }
  const buffer = Buffer.allocUnsafe(total);
  let o = RECORD_BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const { key, value, headers, timestamp } = records[i]!;
    o = writeUnsigned(buffer, o, bodySizes[i]! * 2);
    buffer[o++] = 0; // record attributes: none are defined
    o = writeVarLong(buffer, o, timestamp - firstTimestamp);
    o = writeUnsigned(buffer, o, i * 2);
    if (key === null) buffer[o++] = 1; // zigzag(-1): null
    else {
      o = writeUnsigned(buffer, o, key.length * 2);
      o += key.copy(buffer, o);
    }
    if (value === null) buffer[o++] = 1;
    else {
      o = writeUnsigned(buffer, o, value.length * 2);
      o += value.copy(buffer, o);
    }
    if (headers === undefined) buffer[o++] = 0;
    else {
      const names = Object.keys(headers);
      o = writeUnsigned(buffer, o, names.length * 2);
      for (const name of names) {
        const nameBytes = Buffer.byteLength(name);
        o = writeUnsigned(buffer, o, nameBytes * 2);
        o += buffer.write(name, o, nameBytes, 'utf8');
        const headerValue = headers[name]!;
        o = writeUnsigned(buffer, o, headerValue.length * 2);
        o += headerValue.copy(buffer, o);
      }
    }
  }
  if (o !== total) throw new Error(`record encoding wrote ${o} bytes where ${total} were sized (a bug in record-batch.ts)`);
  return new EncodedRecords(buffer, count, firstTimestamp, maxTimestamp);
}

/** Writes the v2 RecordBatch header (and its CRC-32C) in front of a records section. */
function writeHeader(batch: Buffer, encoded: EncodedRecords, header: BatchHeader): Buffer {
  const attributes = (header.compression & COMPRESSION_MASK) | (header.transactional ? TRANSACTIONAL_ATTRIBUTE : 0);
  batch.writeBigInt64BE(0n, 0); // base offset: the broker assigns it
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(0, 12); // partition leader epoch: the broker sets it (kafkajs writes 0 too)
  batch.writeInt8(2, 16); // magic
  batch.writeInt16BE(attributes, CRC_START);
  batch.writeInt32BE(encoded.count - 1, 23);
  batch.writeBigInt64BE(BigInt(encoded.firstTimestamp), 27);
  batch.writeBigInt64BE(BigInt(encoded.maxTimestamp), 35);
  batch.writeBigInt64BE(header.producerId, 43);
  batch.writeInt16BE(header.producerEpoch, 51);
  batch.writeInt32BE(header.firstSequence, 53);
  batch.writeInt32BE(encoded.count, 57);
  batch.writeUInt32BE(crc32c(batch, CRC_START), 17);
  return batch;
}

/**
 * The complete v2 RecordBatch of `encoded` under `header`. Uncompressed, the header is written into
 * the room in front of the records, so the returned buffer is `encoded.buffer` itself (valid until the
 * next call for the same records).
 */
export async function recordBatch(encoded: EncodedRecords, header: BatchHeader, compress?: (records: Buffer) => Promise<Buffer>): Promise<Buffer> {
  const type = header.compression & COMPRESSION_MASK;
  if (type === 0) return writeHeader(encoded.buffer, encoded, header);
  if (compress === undefined) throw new Error(`no codec for compression type ${type}`);
  const compressed = await encoded.compressed(type, compress);
  const batch = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES + compressed.length);
  compressed.copy(batch, RECORD_BATCH_HEADER_BYTES);
  return writeHeader(batch, encoded, header);
}
