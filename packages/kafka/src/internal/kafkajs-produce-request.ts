// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declarations are a script (ambient modules); a reference lets every project that compiles this file from source see them
/// <reference path="./kafkajs-internals.d.ts" />
import produceRequests from 'kafkajs/src/protocol/requests/produce/index.js';
import KafkaJsEncoder from 'kafkajs/src/protocol/encoder.js';
import kafkajsCompression from 'kafkajs/src/protocol/message/compression/index.js';
import { encodeRecords, recordBatch, type BatchRecord, type EncodedRecords } from './record-batch.js';

/**
 * Below kafkajs's producer, on its protocol layer (kafkajs 2.2.4, pinned): kafkajs builds every Produce
 * request through `requests.Produce.protocol`, reading it at each call. This module wraps it once so
 * that a partition whose messages carry records we encoded ourselves (`attachEncodedRecords`) is written
 * from those bytes; kafkajs still groups, assigns sequence numbers, retries, takes its broker lock and
 * parses the response. Any other request, and every request of a version below 3 (no v2 record
 * batches), is kafkajs's own, byte for byte. kafkajs-produce-request.spec.ts fails when the shapes used
 * here change.
 */

/** The arguments kafkajs's broker passes to a Produce request of version 3 or later. */
interface ProduceArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly compression?: number;
  readonly transactionalId?: string | null;
  readonly producerId?: { toString(): string } | number;
  readonly producerEpoch?: number;
  readonly topicData: readonly { readonly topic: string; readonly partitions: readonly { partition: number; firstSequence?: number; messages: readonly object[] }[] }[];
}

/** Pre-encoded records of one partition request, keyed by its first kafkajs message object. */
interface Attached {
  readonly encoded: EncodedRecords;
  readonly last: object;
  /** Set when a broker's response acknowledged these records (no error on any partition of that response). */
  written?: WrittenBatch;
}

/** Where a broker wrote one partition's records: the partition entry of its Produce response. */
export interface WrittenBatch {
  readonly baseOffset: string;
  readonly logAppendTime: string;
}

/** Thrown instead of sending records a broker already acknowledged again (not retriable: kafkajs gives up). */
export class AlreadyWrittenError extends Error {
  override readonly name = 'OnexAlreadyWrittenError';
  readonly retriable = false;
}

const attached = new WeakMap<object, Attached>();

/** Produce requests written from attached records so far (what tests count to see this path taken). */
export const preEncodedStats = { requests: 0, groupedAtOnce: 0 };
const INSTALLED = Symbol.for('onex.kafka.preEncodedProduce');
const FIRST_VERSION = 3;

/**
 * Encodes `records` once and ties the result to `messages` (the same records as kafkajs messages, in
 * the same order), so that the Produce request of exactly these messages uses the encoded bytes.
 * Returns false (and attaches nothing) when the hook could not be installed: kafkajs then encodes the
 * messages itself. With `start`, the records are `messages` from that index on (one partition's run at
 * the end of a multi-partition list).
 */
export function attachEncodedRecords(messages: readonly object[], records: readonly BatchRecord[], start = 0): boolean {
  if (!preEncodedProduceInstalled || messages.length <= start || messages.length - start !== records.length) return false;
  attached.set(messages[start]!, { encoded: encodeRecords(records), last: messages[messages.length - 1]! });
  return true;
}

/**
 * The broker's acknowledgement of the messages attached from `first` on (with {@link attachEncodedRecords}),
 * if a Produce response without errors carried it. This is what a multi-partition send relies on: kafkajs
 * 2.2.4 advances a partition's sequence number only for a broker whose whole response had no error, and
 * its retries can lose such a partition from the result it returns (when the partition's new leader had
 * already answered) — the response itself cannot.
 */
export function writtenBatch(first: object): WrittenBatch | undefined {
  return attached.get(first)?.written;
}

/**
 * The messages of one partition request. kafkajs's sendMessages groups a request's messages by partition
 * with `messages.reduce`, copying the partition's array for every message (quadratic in the batch size);
 * all of these messages name the same partition, so this `reduce` calls kafkajs's grouping step once, for
 * the first message (its partitioner returns a message's own partition), and hands that partition all
 * messages at once. Anything else (mixed or missing partitions, an unexpected grouping) is the ordinary
 * `reduce`. Derived arrays (`slice`, `map`, …) are plain arrays.
 */
export class PartitionMessages<T extends { partition?: number }> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  override reduce<U>(callback: (previous: U, current: T, index: number, array: T[]) => U, initial?: U): U;
  override reduce(callback: (previous: T, current: T, index: number, array: T[]) => T): T;
  override reduce(...args: unknown[]): unknown {
    const [callback, initial] = args as [(previous: unknown, current: T, index: number, array: T[]) => unknown, unknown];
    const ordinary = (): unknown =>
      // Not kafkajs's grouping: start over with the ordinary reduce (kafkajs's initial value is a fresh `{}`).
      (super.reduce as (...a: unknown[]) => unknown)(callback, typeof initial === 'object' && initial !== null ? {} : initial);
    if (args.length < 2 || this.length === 0) return (super.reduce as (...a: unknown[]) => unknown)(...args);
    // Runs of one partition each, every partition in one run only (how a send of several partitions lays them out).
    const runs: { partition: number; start: number; end: number }[] = [];
    const seen = new Set<number>();
    let start = 0;
    for (let i = 1; i <= this.length; i++) {
      if (i < this.length && this[i]!.partition === this[start]!.partition) continue;
      const partition = this[start]!.partition;
      if (partition === undefined || !Number.isInteger(partition) || seen.has(partition)) return (super.reduce as (...a: unknown[]) => unknown)(...args);
      seen.add(partition);
      runs.push({ partition, start, end: i });
      start = i;
    }
    let grouped = initial as Record<number, T[]> | undefined;
    for (const run of runs) grouped = callback(grouped, this[run.start]!, run.start, this) as Record<number, T[]> | undefined;
    if (typeof grouped !== 'object' || grouped === null || Object.keys(grouped).length !== runs.length) return ordinary();
    for (const run of runs) {
      const group = grouped[run.partition];
      if (group === undefined || group.length !== 1 || group[0] !== this[run.start]) return ordinary();
    }
    preEncodedStats.groupedAtOnce++;
    for (const run of runs) grouped[run.partition] = this.slice(run.start, run.end);
    return grouped;
  }
}

/** An empty `PartitionMessages` when the hook is installed (a plain array otherwise). */
export function partitionMessages<T extends { partition?: number }>(): T[] {
  return preEncodedProduceInstalled ? new PartitionMessages<T>() : [];
}

/** What a Produce response's parse gives (v3 and later). */
interface ProduceResponse {
  readonly topics?: readonly { readonly topicName: string; readonly partitions?: readonly { partition: number; baseOffset: unknown; logAppendTime: unknown }[] }[];
}

/** The attached records of a partition entry, if they are exactly its messages (same objects, same count). */
function attachedFor(messages: readonly object[]): Attached | undefined {
  const first = messages[0];
  if (first === undefined) return undefined;
  const entry = attached.get(first);
  if (entry === undefined || entry.encoded.count !== messages.length || messages[messages.length - 1] !== entry.last) return undefined;
  return entry;
}

function writeString(value: string | null | undefined): Buffer {
  if (value === null || value === undefined) {
    const nullString = Buffer.allocUnsafe(2);
    nullString.writeInt16BE(-1);
    return nullString;
  }
  const bytes = Buffer.byteLength(value);
  const out = Buffer.allocUnsafe(2 + bytes);
  out.writeInt16BE(bytes);
  out.write(value, 2, 'utf8');
  return out;
}

const int32 = (value: number): Buffer => {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(value);
  return out;
};

/** The Produce v3–v8 request body (the same layout for all of them), from the encoded records. */
async function encodeProduce(args: ProduceArgs, encodedPerPartition: EncodedRecords[][]): Promise<InstanceType<typeof KafkaJsEncoder>> {
  const compression = args.compression ?? 0;
  const codec = compression === 0 ? undefined : kafkajsCompression.lookupCodec(compression);
  const compress = codec === undefined || codec === null ? undefined : (records: Buffer): Promise<Buffer> => codec.compress({ buffer: records });
  const producerId = BigInt((args.producerId ?? -1).toString());
  const producerEpoch = args.producerEpoch ?? 0;
  const transactionalId = args.transactionalId ?? null;
  const head = Buffer.allocUnsafe(6);
  head.writeInt16BE(args.acks, 0);
  head.writeInt32BE(args.timeout, 2);
  const parts: Buffer[] = [writeString(transactionalId), head, int32(args.topicData.length)];
  for (let t = 0; t < args.topicData.length; t++) {
    const { topic, partitions } = args.topicData[t]!;
    parts.push(writeString(topic), int32(partitions.length));
    for (let p = 0; p < partitions.length; p++) {
      const entry = partitions[p]!;
      const batch = await recordBatch(
        encodedPerPartition[t]![p]!,
        { compression, producerId, producerEpoch, firstSequence: entry.firstSequence ?? 0, transactional: Boolean(transactionalId) },
        compress,
      );
      parts.push(int32(entry.partition), int32(batch.length), batch);
    }
  }
  preEncodedStats.requests++;
  let size = 0;
  for (const part of parts) size += part.length;
  const encoder = new KafkaJsEncoder(size);
  // Copied now: an uncompressed batch is the encoded records' own buffer, rewritten by a resend.
  for (const part of parts) encoder.writeBuffer(part);
  return encoder;
}

function install(): boolean {
  const target = produceRequests as typeof produceRequests & { [INSTALLED]?: true };
  if (target[INSTALLED]) return true;
  if (typeof target.protocol !== 'function' || !Array.isArray(target.versions)) return false;
  const original = target.protocol;
  target.protocol = ({ version }) => {
    const make = original({ version });
    if (make === undefined || version < FIRST_VERSION) return make;
    return (args) => {
      const built = make(args);
      const encodedPerPartition: EncodedRecords[][] = [];
      const entries = new Map<string, Attached>();
      for (const { topic, partitions } of (args as ProduceArgs).topicData) {
        const row: EncodedRecords[] = [];
        for (const { partition, messages } of partitions) {
          const entry = attachedFor(messages);
          // All partitions of the request or none: a mixed request is kafkajs's own.
          if (entry === undefined) return built;
          // kafkajs's retries resend a partition whose leader moved even when an earlier broker already wrote
          // it, with the next sequence number: the broker would write it twice. Refused here instead.
          if (entry.written !== undefined) throw new AlreadyWrittenError(`${topic}/${partition}: these records were already acknowledged by a broker`);
          row.push(entry.encoded);
          entries.set(`${topic}\u0000${partition}`, entry);
        }
        encodedPerPartition.push(row);
      }
      const encodePreEncoded = (): Promise<InstanceType<typeof KafkaJsEncoder>> => encodeProduce(args as ProduceArgs, encodedPerPartition);
      const parse = async (data: unknown): Promise<unknown> => {
        // kafkajs's parse throws on any partition error; past it, every partition of the response is written.
        const parsed = (await built.response.parse(data)) as ProduceResponse;
        for (const { topicName, partitions } of parsed?.topics ?? []) {
          for (const { partition, baseOffset, logAppendTime } of partitions ?? []) {
            const entry = entries.get(`${topicName}\u0000${partition}`);
            if (entry !== undefined) entry.written = { baseOffset: String(baseOffset), logAppendTime: String(logAppendTime) };
          }
        }
        return parsed;
      };
      return { ...built, request: { ...built.request, encode: encodePreEncoded }, response: { ...built.response, parse } };
    };
  };
  target[INSTALLED] = true;
  return true;
}

/** True when kafkajs's Produce requests use attached records (the hook is in place). */
export const preEncodedProduceInstalled: boolean = install();
