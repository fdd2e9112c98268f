// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declarations are a script (ambient modules); a reference lets every project that compiles this file from source see them
/// <reference path="./kafkajs-fetch-internals.d.ts" />
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- kafkajs's compression module is declared there (one declaration per module)
/// <reference path="./kafkajs-internals.d.ts" />
import type { ISocketFactory } from 'kafkajs';
import KafkaJsConnection from 'kafkajs/src/network/connection.js';
import kafkajsSocketFactory from 'kafkajs/src/network/socketFactory.js';
import KafkaJsDecoder from 'kafkajs/src/protocol/decoder.js';
import fetchRequests from 'kafkajs/src/protocol/requests/fetch/index.js';
import kafkajsDecodeMessages from 'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js';
import kafkajsRecordBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
import kafkajsRecord from 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js';
import kafkajsCompression from 'kafkajs/src/protocol/message/compression/index.js';
import { callWithCodecContext, runWithCodecContext, type CodecContext } from './compression.js';

/**
 * Below kafkajs's consumer, on its connection and protocol layers (kafkajs 2.2.4, pinned): the Fetch v11 response of a
 * consumer that asked for it ({@link fetchContextSocketFactory}) is decoded here instead of by kafkajs, into exactly the objects
 * kafkajs makes (its Batch then filters by offset, aborted transactions and control records as always), without a
 * Long per offset and timestamp, a Buffer and a kafkajs Decoder per record, or a copied headers object per header.
 * Compressed batches go through kafkajs's codec registry (our codecs, their limits and failure reports), a partial
 * trailing batch ends the partition's records as in kafkajs, and anything unusual (message sets v0/v1, a record
 * or batch that does not parse cleanly, offsets or timestamps beyond 2^53) is decoded by kafkajs's own code.
 * Every other consumer in the process (and every other version) keeps kafkajs's decode. kafkajs-fetch-response.spec.ts
 * compares both decodes field by field on real fetch responses and fails when the kafkajs shapes used here change.
 *
 * The consumer's codec context (its decompression limit and failure report) is found through the connection the
 * response came on, and handed to the codecs it calls explicitly: no AsyncLocalStorage, whose promise hooks would
 * tax every promise of the process on Node 20 once its store is entered. Only kafkajs's own decode of another Fetch
 * version or of a legacy message set, whose codec calls come after awaits, runs in the store of runWithCodecContext.
 */

/** Fetch responses decoded here so far (what tests count to see this path taken). */
export const fastFetchStats = { responses: 0, fallbackBatches: 0, fallbackRecords: 0 };

const INSTALLED = Symbol.for('onex.kafka.fastFetchDecode');
/** On a kafkajs socket factory: the slot of the codec context its connections' Fetch responses are decoded in. */
const FETCH_CONTEXT = Symbol.for('onex.kafka.fetchContext');
const FETCH_API_KEY = 1;
const FAST_VERSION = 11;
/** kafkajs reads record batches while this many bytes are left. */
const RECORD_BATCH_OVERHEAD = 49;
/** Batch bytes after the length field up to the first record (the record count included). */
const BATCH_HEAD = 49;
/** kafkajs's codec registry by batch attributes (the codecs registered by compression.ts, with their limits). */
const lookupCodecByAttributes = (kafkajsCompression as unknown as { lookupCodecByAttributes(attributes: number): { decompress(buffer: Buffer): Promise<Buffer> } | null })
  .lookupCodecByAttributes;
const TIMESTAMP_TYPE_FLAG = 0x8;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;

/** The codec context a consumer's Fetch responses are decoded in; undefined: kafkajs's own decode. */
export interface FetchContextSlot {
  current: CodecContext | undefined;
}

type TaggedSocketFactory = ISocketFactory & { [FETCH_CONTEXT]?: FetchContextSlot };

/**
 * kafkajs's own socket factory, for one consumer's kafkajs instance: the Fetch v11 responses on its connections are
 * decoded here in `slot.current` (when set), other Fetch versions by kafkajs in that context.
 */
export function fetchContextSocketFactory(slot: FetchContextSlot): ISocketFactory {
  const create = kafkajsSocketFactory();
  const factory: TaggedSocketFactory = (options) => create(options);
  factory[FETCH_CONTEXT] = slot;
  return factory;
}

interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte: number;
}

/** A record as kafkajs decodes it (recordBatch/record/v0/decoder.js). */
interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

/** A read position in `buf` that never passes `end`. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    /** Set per record by decodeRecords, so one cursor serves a whole batch. */
    public end: number,
  ) {}

  /** A zigzag varint of at most 4 bytes (28 bits; lengths and offset deltas), or NaN. */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) return Number.NaN;
      const byte = buf[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return (result >>> 1) ^ -(result & 1);
    }
    return Number.NaN;
  }

  /** A zigzag varlong below 2^49 in magnitude (7 bytes), or NaN. */
  varlong(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) return Number.NaN;
      const byte = buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result % 2 === 1 ? -(result + 1) / 2 : result / 2;
      scale *= 128;
    }
    return Number.NaN;
  }

  /** Bytes of a varint length (-1: null), or undefined when they do not fit before `end`. */
  bytes(): Buffer | null | undefined {
    const length = this.varint();
    if (length === -1) return null;
    if (!(length >= 0) || this.pos + length > this.end) return undefined;
    const start = this.pos;
    this.pos += length;
    return this.buf.subarray(start, this.pos);
  }
}

/** base + delta as text, or undefined beyond 2^53 (kafkajs's 64-bit arithmetic decodes that record). */
const sum = (base: number, delta: number): string | undefined => {
  const value = base + delta;
  return Number.isSafeInteger(base) && Number.isSafeInteger(value) ? String(value) : undefined;
};

/** One record in [cursor.pos, end), or undefined when it is not the plain case (kafkajs decodes it then). */
function fastRecord(c: Cursor, ctx: BatchContext, firstOffset: number, firstTimestamp: number): DecodedRecord | undefined {
  if (c.pos >= c.end) return undefined;
  const attributes = c.buf.readInt8(c.pos++);
  const timestampDelta = c.varlong();
  const offsetDelta = c.varint();
  if (Number.isNaN(timestampDelta) || Number.isNaN(offsetDelta)) return undefined;
  const key = c.bytes();
  if (key === undefined) return undefined;
  const value = c.bytes();
  if (value === undefined) return undefined;
  const count = c.varint();
  const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
  if (count !== -1) {
    if (!(count >= 0)) return undefined;
    for (let i = 0; i < count; i++) {
      const name = c.bytes();
      if (name === undefined || name === null) return undefined;
      const text = name.toString('utf8');
      const headerValue = c.bytes();
      if (headerValue === undefined) return undefined;
      if (!Object.hasOwn(headers, text)) {
        // A name Object.prototype answers for (`constructor`, `__proto__`, …) is kafkajs's own case.
        if (text in headers) return undefined;
        headers[text] = headerValue;
      } else {
        const previous = headers[text];
        headers[text] = Array.isArray(previous) ? previous.concat([headerValue]) : [previous as Buffer | null, headerValue];
      }
    }
  }
  const timestamp = ctx.timestampType === LOG_APPEND_TIME && ctx.maxTimestamp ? ctx.maxTimestamp : sum(firstTimestamp, timestampDelta);
  const offset = sum(firstOffset, offsetDelta);
  if (timestamp === undefined || offset === undefined) return undefined;
  return {
    magicByte: ctx.magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: ctx.isControlBatch,
    batchContext: ctx,
  };
}

/**
 * `count` length-prefixed records from `buf` at `at` (up to `end`), as kafkajs's readVarIntBytes + record decoder
 * would, appended to `out`.
 */
function decodeRecords(buf: Buffer, at: number, end: number, count: number, ctx: BatchContext, out: DecodedRecord[]): void {
  const firstOffset = Number(ctx.firstOffset);
  const firstTimestamp = Number(ctx.firstTimestamp);
  const c = new Cursor(buf, end);
  let pos = at;
  for (let i = 0; i < count; i++) {
    c.pos = pos;
    c.end = end;
    const length = c.varint();
    const recordEnd = c.pos + length;
    let record: DecodedRecord | undefined;
    if (length >= 0 && recordEnd <= end) {
      // The same cursor, bounded by this record.
      c.end = recordEnd;
      record = fastRecord(c, ctx, firstOffset, firstTimestamp);
    }
    if (record === undefined) {
      // Whatever kafkajs makes of these bytes (its slices clamp to the buffer, its errors propagate).
      fastFetchStats.fallbackRecords++;
      const decoder = new KafkaJsDecoder(buf.subarray(0, end));
      decoder.offset = pos;
      record = kafkajsRecord(new KafkaJsDecoder(decoder.readVarIntBytes() as Buffer), ctx) as DecodedRecord;
      pos = decoder.offset;
    } else pos = recordEnd;
    out.push(record);
  }
}

const int64Text = (buf: Buffer, at: number): string => buf.readBigInt64BE(at).toString();

/**
 * The record batch at `pos` of `messages`: its records are appended to `out`; returns the position after it, or -1
 * for a partial batch (the end of this partition's records, as in kafkajs).
 */
async function decodeBatch(messages: Buffer, pos: number, out: DecodedRecord[], context: CodecContext): Promise<number> {
  const length = messages.readInt32BE(pos + 8);
  const start = pos + 12;
  const next = start + length;
  if (length < BATCH_HEAD) {
    // Not a batch kafkajs reads without surprises: its own decoder, from the same position.
    fastFetchStats.fallbackBatches++;
    const decoder = new KafkaJsDecoder(messages);
    decoder.offset = pos;
    // Its codec call comes before its first await.
    const batch = await callWithCodecContext(context, () => kafkajsRecordBatch(decoder));
    for (const record of batch.records) out.push(record as DecodedRecord);
    return decoder.offset;
  }
  if (next > messages.length) return -1;
  const attributes = messages.readInt16BE(start + 9);
  const ctx: BatchContext = {
    firstOffset: int64Text(messages, pos),
    firstTimestamp: int64Text(messages, start + 15),
    partitionLeaderEpoch: messages.readInt32BE(start),
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: messages.readInt32BE(start + 11),
    producerId: int64Text(messages, start + 31),
    producerEpoch: messages.readInt16BE(start + 39),
    firstSequence: messages.readInt32BE(start + 41),
    maxTimestamp: int64Text(messages, start + 23),
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
    magicByte: messages.readInt8(start + 4),
  };
  const count = messages.readInt32BE(start + 45);
  const codec = lookupCodecByAttributes(attributes);
  // A batch is whole or not at all: records of a batch whose decode fails are taken back, as kafkajs drops them.
  const mark = out.length;
  try {
    if (codec === null) {
      if (count !== -1) decodeRecords(messages, start + BATCH_HEAD, next, count, ctx, out);
    } else if (count > 0) {
      // A view of the response, as kafkajs passes it: the codecs read the batch header before it to report offsets.
      const decompressed = await callWithCodecContext(context, () => codec.decompress(messages.subarray(start + BATCH_HEAD, next)));
      decodeRecords(decompressed, 0, decompressed.length, count, ctx, out);
    }
  } catch (error) {
    out.length = mark;
    throw error;
  }
  return next;
}

/** kafkajs's decodeMessages (fetch/v4/decodeMessages.js) for record batches; anything else is kafkajs's own. */
async function decodeMessages(decoder: KafkaJsDecoder, context: CodecContext): Promise<object[]> {
  const at = decoder.offset;
  const size = decoder.buffer.readInt32BE(at);
  if (size <= 0 || !decoder.canReadBytes(4 + size)) {
    // No records (a partition with nothing new), as kafkajs: past the size only, nothing decoded.
    decoder.offset = at + 4;
    return [];
  }
  // kafkajs's decode of a message set calls the codecs after awaits: in the store of runWithCodecContext.
  if (size < 17 || decoder.buffer[at + 4 + 16] !== 2) return runWithCodecContext(context, () => kafkajsDecodeMessages(decoder));
  const messages = decoder.buffer.subarray(at + 4, at + 4 + size);
  decoder.offset = at + 4 + size;
  const records: DecodedRecord[] = [];
  let pos = 0;
  while (messages.length - pos >= RECORD_BATCH_OVERHEAD) {
    try {
      const next = await decodeBatch(messages, pos, records, context);
      if (next < 0) break;
      pos = next;
    } catch (error) {
      // A trailing batch cut by maxBytes, or a batch the codecs refused (they report it to the consumer).
      if ((error as { name?: unknown } | null)?.name === 'KafkaJSPartialMessageError') break;
      throw error;
    }
  }
  return records;
}

const decodeAbortedTransaction = (decoder: KafkaJsDecoder): { producerId: string; firstOffset: string } => ({
  producerId: decoder.readInt64().toString(),
  firstOffset: decoder.readInt64().toString(),
});

const decodePartition = async (decoder: KafkaJsDecoder, context: CodecContext): Promise<object> => ({
  partition: decoder.readInt32(),
  errorCode: decoder.readInt16(),
  highWatermark: decoder.readInt64().toString(),
  lastStableOffset: decoder.readInt64().toString(),
  lastStartOffset: decoder.readInt64().toString(),
  abortedTransactions: decoder.readArray(decodeAbortedTransaction),
  preferredReadReplica: decoder.readInt32(),
  messages: await decodeMessages(decoder, context),
});

const decodeTopic = async (decoder: KafkaJsDecoder, context: CodecContext): Promise<object> => ({
  topicName: decoder.readString(),
  partitions: await decoder.readArrayAsync((d) => decodePartition(d, context)),
});

/** A Fetch v11 response, decoded into the object kafkajs's fetch/v11/response.js makes; its codecs run in `context`. */
export async function decodeFetchV11(rawData: Buffer, context: CodecContext): Promise<object> {
  fastFetchStats.responses++;
  const decoder = new KafkaJsDecoder(rawData);
  const clientSideThrottleTime = decoder.readInt32();
  const errorCode = decoder.readInt16();
  const sessionId = decoder.readInt32();
  const responses = await decoder.readArrayAsync((d) => decodeTopic(d, context));
  // As kafkajs: the broker did not throttle; a positive clientSideThrottleTime asks the client to wait.
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}

interface ProtocolRequest {
  request: { apiKey: number; apiVersion: number };
  response: { decode(rawData: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
}

function install(): boolean {
  const connection = KafkaJsConnection.prototype as { send?: unknown; [INSTALLED]?: true };
  if (connection[INSTALLED]) return true;
  if (typeof connection.send !== 'function' || typeof kafkajsSocketFactory !== 'function') return false;
  if (!Array.isArray(fetchRequests.versions) || !fetchRequests.versions.map(Number).includes(FAST_VERSION)) return false;
  const send = connection.send as (this: unknown, protocol: ProtocolRequest) => Promise<unknown>;
  connection.send = function (this: { socketFactory?: TaggedSocketFactory }, protocol: ProtocolRequest): Promise<unknown> {
    const context = this.socketFactory?.[FETCH_CONTEXT]?.current;
    if (context === undefined || protocol?.request?.apiKey !== FETCH_API_KEY) return send.call(this, protocol);
    if (protocol.request.apiVersion !== FAST_VERSION) return runWithCodecContext(context, () => send.call(this, protocol));
    return send.call(this, { ...protocol, response: { ...protocol.response, decode: (rawData: Buffer) => decodeFetchV11(rawData, context) } });
  };
  connection[INSTALLED] = true;
  return true;
}

/** True when Fetch v11 responses of consumers that asked for it are decoded here. */
export const fastFetchInstalled: boolean = install();
