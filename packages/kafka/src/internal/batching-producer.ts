import { backoffDelay, classifyKafkaFailure, describeValue, kafkaErrorChain } from '@onex/spi-types/support';
import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import type { ProtocolKafkaProduceOptions, ProtocolKafkaProduceResult } from '@onex/spi-types';
import { fromKafkaJsError, rootKafkaJsError } from '../errors/from-kafkajs-error.js';
import type { KafkaError } from '../errors/kafka-error.js';
import {
  KafkaArgumentError,
  KafkaBufferFullError,
  KafkaClosedError,
  KafkaDeliveryTimeoutError,
  KafkaMessageTooLargeError,
  KafkaProduceError,
  KafkaTopicNotFoundError,
  KafkaUnknownPartitionError,
} from '../errors/kafka-errors.js';
import { channels } from './channels.js';
import { LazyAdmin } from './lazy-admin.js';
import type { ClientMetrics } from './client-metrics.js';
import { attachEncodedRecords, partitionMessages, preEncodedProduceInstalled, writtenBatch, type WrittenBatch } from './kafkajs-produce-request.js';
import { partitionForKey } from './murmur2.js';
import type { ResolvedProducerConfig } from './resolve-config.js';
import { toBuffer, toSafeNumber } from './to-buffer.js';
import { assertTopicName } from './topic-name.js';

/** One message waiting for its batch, with the caller's promise. */
interface PendingRecord {
  readonly topic: string;
  partition: number;
  readonly explicitPartition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer> | undefined;
  readonly timestamp: number;
  readonly size: number;
  /** What the record counts against `bufferMemoryBytes`. */
  readonly cost: number;
  readonly enqueuedAt: number;
  readonly resolve: (result: ProtocolKafkaProduceResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Records of one topic-partition in send order. */
class PartitionQueue {
  records: PendingRecord[] = [];
  head = 0;
  /** A batch of this partition is in flight (one at a time keeps the partition's order and sequences). */
  sending = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
  get length(): number {
    return this.records.length - this.head;
  }
  /** Removes the records at the head that were queued at or before `cutoff` (call order is queue order). */
  takeQueuedBefore(cutoff: number): PendingRecord[] {
    let count = 0;
    while (this.head + count < this.records.length && this.records[this.head + count]!.enqueuedAt <= cutoff) count++;
    return count === 0 ? [] : this.take(count, Number.POSITIVE_INFINITY);
  }
  /** Removes up to `count` records or `maxBytes` (at least one record). */
  take(count: number, maxBytes: number): PendingRecord[] {
    let end = this.head;
    let bytes = 0;
    while (end < this.records.length && end - this.head < count) {
      const size = this.records[end]!.size;
      if (end > this.head && bytes + size > maxBytes) break;
      bytes += size;
      end++;
    }
    const taken = this.records.slice(this.head, end);
    this.head = end;
    if (this.head === this.records.length) {
      // Drained (always so for sequential callers): reuse the array instead of growing it.
      this.records.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    return taken;
  }
}

/** What a producer knows about a topic. */
interface TopicState {
  partitionCount: number;
  available: number[];
  /** Leader node id by partition at the last metadata read (-1: none): partitions of one leader share a request. */
  leaders: number[];
  fetchedAt: number;
  sticky: number;
  /** Records that arrived while the partition count was unknown, in call order. */
  waiting: PendingRecord[] | null;
  /** Fires when the oldest waiting record reaches `deliveryTimeoutMs`. */
  waitTimer: NodeJS.Timeout | undefined;
  refreshing: boolean;
  /** Queues by partition, created on first use. */
  readonly queues: (PartitionQueue | undefined)[];
}

/**
 * A `produce` call waiting for room in the buffer until `deadline` (`maxBlockMs` after the call). Every
 * call waits as long, so deadlines rise in call order and one timer, for the oldest, serves them all.
 */
interface BlockedSend {
  /** Cleared once admitted or expired, so a parked entry holds no message bytes. */
  record: PendingRecord | undefined;
  readonly deadline: number;
}

/**
 * Bookkeeping counted per message on top of its key, value and headers (the pending record, its
 * promise and callbacks), so that empty messages cannot fill memory for free either.
 */
export const RECORD_OVERHEAD_BYTES = 128;

type ProducerState = { readonly kind: 'open' } | { readonly kind: 'closing' } | { readonly kind: 'closed' };

const NO_HEADERS: { headers: undefined; size: 0 } = { headers: undefined, size: 0 };

/** Header values must be bytes or strings. */
function toHeaders(headers: ProtocolKafkaProduceOptions['headers']): { headers: Record<string, Buffer> | undefined; size: number } {
  if (headers === undefined) return NO_HEADERS;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new KafkaArgumentError(`\`headers\` must be an object of names to bytes or strings, got ${describeValue(headers)}`);
  }
  // No prototype: a header named `__proto__` (an own property of an object from JSON.parse) is a header, not a prototype.
  const out = Object.create(null) as Record<string, Buffer>;
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw new KafkaArgumentError(`\`headers.${name}\` must be a Uint8Array or a string, got ${describeValue(value)}`);
    }
    const bytes = toBuffer(value);
    out[name] = bytes;
    size += Buffer.byteLength(name) + bytes.length;
  }
  return { headers: out, size };
}

/** A failed metadata read worth asking again while records wait: a timeout or lost connection, not an unknown topic. */
function isRetriableMetadataFailure(error: unknown): boolean {
  const { kind, retriable } = classifyKafkaFailure(error);
  return retriable && kind !== 'topic-not-found';
}

/** Pause between two resends of a batch whose outcome is unknown (kafkajs has backed off within each). */
const RESEND_BACKOFF_MS = 100;

/** Sequence state the broker and kafkajs disagree on: only a new producer id gets past it. */
const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/**
 * True when kafkajs gave up on a request the broker may have written (it retries only such errors). The
 * whole chain counts: when a request's connection closes, kafkajs's sendMessages reconnects at once, and a
 * failed reconnect (a retriable connection error inside the broker pool's own retrier) reaches the caller
 * wrapped in a non-retriable KafkaJSNonRetriableError, although the request itself may have been written.
 */
export function outcomeUnknown(error: unknown): boolean {
  return kafkaErrorChain(error).some((link) => link.name === 'KafkaJSNumberOfRetriesExceeded' || link.retriable === true);
}

/**
 * Appends one partition's records to `messages` as kafkajs messages and encodes them here, once (resends
 * reuse the bytes; kafkajs still sends the request); returns their size in bytes.
 */
function toEncodedMessages(records: readonly PendingRecord[], messages: Message[]): number {
  const start = messages.length;
  let bytes = 0;
  for (const r of records) {
    bytes += r.size;
    const message: Message = { key: r.key, value: r.value, partition: r.partition, timestamp: String(r.timestamp) };
    if (r.headers !== undefined) message.headers = r.headers;
    messages.push(message);
  }
  attachEncodedRecords(messages, records, start);
  return bytes;
}

/**
 * A kafkajs producer behind a per-partition auto-batcher: concurrent `produce` calls are queued per
 * topic-partition, and each partition has at most one batch (at most `batchSize` records /
 * `maxBatchBytes` bytes) in flight, so each caller still learns its own offset. An idempotent producer
 * sends the partitions of one leader that are ready at once in one request (up to `maxBatchBytes`), through
 * the least busy of up to `maxInFlightRequests` kafkajs producers. kafkajs 2.2.4's multi-partition retry
 * path is not trusted with the outcome: an error on one partition rolls back the sequence numbers of all
 * partitions of the request, and a partition whose new leader had already answered is not sent again.
 * So each partition is acknowledged from the broker response that carried it, a partition no error-free
 * response acknowledged is sent again on its own with the same producer id and sequence numbers (the
 * broker drops a copy it already has), and records a broker acknowledged are never sent again
 * (kafkajs-produce-request.ts). Without idempotence each partition is its own request.
 */
export class BatchingProducer {
  readonly id: string;
  readonly #config: ResolvedProducerConfig;
  readonly #kafka: Kafka;
  readonly #metrics: ClientMetrics;
  readonly #metadataMaxAgeMs: number;
  /** Queues with records waiting, in the order they became non-empty. */
  #ready: PartitionQueue[] = [];
  readonly #topics = new Map<string, TopicState>();
  /**
   * kafkajs producers, each with its own connections and producer id, connected on first use: kafkajs's
   * idempotent producer sends one request per broker at a time (its broker lock), so partitions spread
   * over `maxInFlightRequests` of them have up to that many requests per broker in flight.
   */
  #members: (Producer | undefined)[] = [];
  /** Connects under way, by slot, shared by the partitions waiting for them. */
  #memberConnects: (Promise<Producer> | undefined)[] = [];
  /** Bumped by every reset: a member whose connect began before it is not kept. */
  #generation = 0;
  /** Disconnects of the members a reset replaced, awaited before new members connect. */
  #retiring: Promise<unknown> = Promise.resolve();
  /** Requests in flight per pool member: a dispatch takes the least busy one. */
  readonly #slotLoad: number[] = [];
  readonly #admin: LazyAdmin;
  /** Set after an unknown outcome or a sequence error: the next dispatch, once nothing is in flight, takes a new producer id. */
  #needsReset = false;
  /** Partition requests in flight (including resends waiting for their backoff). */
  #sending = 0;
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Fires when the oldest queued (never sent) record reaches `deliveryTimeoutMs`. */
  #expiryTimer: NodeJS.Timeout | undefined;
  #microtaskQueued = false;
  #drainWaiters: (() => void)[] = [];
  #state: ProducerState = { kind: 'open' };
  /** Bytes held by accepted records until they are acknowledged or fail; shared with the metrics. */
  readonly #buffer: { used: number; limit: number };
  /** Calls waiting for room, in call order (entries that timed out are skipped lazily). */
  #blocked: BlockedSend[] = [];
  #blockedHead = 0;
  #blockedCount = 0;
  #blockTimer: NodeJS.Timeout | undefined;
  #admitting = false;

  constructor(id: string, config: ResolvedProducerConfig, kafka: Kafka, metrics: ClientMetrics, metadataMaxAgeMs: number) {
    this.id = id;
    this.#config = config;
    this.#kafka = kafka;
    this.#metrics = metrics;
    this.#metadataMaxAgeMs = metadataMaxAgeMs;
    this.#admin = new LazyAdmin(kafka);
    this.#buffer = { used: 0, limit: config.bufferMemoryBytes };
    metrics.bufferByMember.set(id, this.#buffer);
  }

  /** Client id of this producer. */
  get clientId(): string {
    return this.#config.connection.clientId;
  }

  /** Connects the kafkajs producer. */
  async connect(): Promise<void> {
    this.#metrics.setConnection(this.id, 'connecting');
    try {
      await this.#member(0);
      this.#metrics.setConnection(this.id, 'connected');
    } catch (error) {
      this.#metrics.setConnection(this.id, 'disconnected');
      throw this.#fail(fromKafkaJsError(error, 'produce', 'could not connect the producer'), 1);
    }
  }

  /**
   * Queues one message; resolves with its partition and offset once the broker acknowledged it.
   * @throws {KafkaArgumentError} on a bad topic, key, value, header, partition or timestamp
   * @throws {KafkaMessageTooLargeError} when the message exceeds `maxMessageBytes` or the broker limit
   */
  produce(
    topic: string,
    key: Uint8Array | string | null | undefined,
    value: Uint8Array | string | null,
    options?: ProtocolKafkaProduceOptions,
  ): Promise<ProtocolKafkaProduceResult> {
    if (this.#state.kind !== 'open') {
      return Promise.reject(new KafkaClosedError(`producer ${JSON.stringify(this.id)} is closed`, { details: { producerId: this.id } }));
    }
    assertTopicName(topic);
    if (key !== null && key !== undefined && typeof key !== 'string' && !(key instanceof Uint8Array)) {
      throw new KafkaArgumentError(`\`key\` must be a Uint8Array, a string or null, got ${describeValue(key)}`);
    }
    if (value !== null && typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw new KafkaArgumentError(`\`value\` must be a Uint8Array, a string or null, got ${describeValue(value)}`);
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new KafkaArgumentError(`\`options\` must be an object, got ${describeValue(options)}`);
    }
    const partition = options?.partition;
    const timestamp = options?.timestamp;
    if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) {
      throw new KafkaArgumentError(`\`partition\` must be a non-negative integer, got ${describeValue(partition)}`);
    }
    if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
      throw new KafkaArgumentError(`\`timestamp\` must be a non-negative integer (epoch ms), got ${describeValue(timestamp)}`);
    }
    const keyBytes = key === null || key === undefined ? null : toBuffer(key);
    const valueBytes = value === null ? null : toBuffer(value);
    const { headers, size: headerSize } = toHeaders(options?.headers);
    const size = (keyBytes?.length ?? 0) + (valueBytes?.length ?? 0) + headerSize;
    if (size > this.#config.maxMessageBytes) {
      throw this.#fail(
        new KafkaMessageTooLargeError(`message of ${size} bytes exceeds \`maxMessageBytes\` (${this.#config.maxMessageBytes})`, {
          details: { topic, size, maxMessageBytes: this.#config.maxMessageBytes },
        }),
        1,
      );
    }
    const cost = size + RECORD_OVERHEAD_BYTES;
    if (cost > this.#buffer.limit) {
      throw this.#fail(
        new KafkaMessageTooLargeError(
          `message of ${size} bytes (+${RECORD_OVERHEAD_BYTES} bytes of bookkeeping) can never fit \`bufferMemoryBytes\` (${this.#buffer.limit})`,
          { details: { topic, size, bufferMemoryBytes: this.#buffer.limit } },
        ),
        1,
      );
    }
    return new Promise<ProtocolKafkaProduceResult>((resolve, reject) => {
      const record: PendingRecord = {
        topic,
        partition: -1,
        explicitPartition: partition,
        key: keyBytes,
        value: valueBytes,
        headers,
        timestamp: timestamp ?? Date.now(),
        size,
        cost,
        enqueuedAt: performance.now(),
        resolve,
        reject,
      };
      if (this.#blockedCount === 0 && this.#buffer.used + cost <= this.#buffer.limit) {
        this.#buffer.used += cost;
        this.#enqueue(record);
      } else {
        this.#block(record);
      }
    });
  }

  /** Parks a call until earlier records leave the buffer, for at most `maxBlockMs`. */
  #block(record: PendingRecord): void {
    this.#metrics.blockedSends++;
    this.#blockedCount++;
    if (this.#config.maxBlockMs === 0) {
      this.#expireBlocked(record);
      return;
    }
    this.#blocked.push({ record, deadline: performance.now() + this.#config.maxBlockMs });
    if (this.#blockTimer === undefined) this.#armBlockTimer();
  }

  /** One timer for the oldest waiting call (deadlines rise in call order). */
  #armBlockTimer(): void {
    this.#blockTimer = undefined;
    while (this.#blockedHead < this.#blocked.length && this.#blocked[this.#blockedHead]!.record === undefined) this.#blockedHead++;
    const head = this.#blocked[this.#blockedHead];
    if (head === undefined) return;
    this.#blockTimer = setTimeout(() => this.#expireDue(), Math.max(0, head.deadline - performance.now()));
  }

  /** Rejects the waiting calls whose `maxBlockMs` has passed, oldest first. */
  #expireDue(): void {
    this.#blockTimer = undefined;
    const now = performance.now();
    while (this.#blockedHead < this.#blocked.length) {
      const entry = this.#blocked[this.#blockedHead]!;
      if (entry.record !== undefined) {
        if (entry.deadline > now) break;
        const record = entry.record;
        entry.record = undefined;
        this.#expireBlocked(record);
      }
      this.#blockedHead++;
    }
    this.#compactBlocked();
    this.#armBlockTimer();
  }

  #expireBlocked(record: PendingRecord): void {
    this.#blockedCount--;
    this.#metrics.bufferFullErrors++;
    const { used, limit } = this.#buffer;
    const maxBlockMs = this.#config.maxBlockMs;
    record.reject(
      this.#fail(
        new KafkaBufferFullError(
          `message to ${JSON.stringify(record.topic)} was not sent: no room in the producer's buffer within \`maxBlockMs\` (${maxBlockMs} ms); ${used} of ${limit} bytes (\`bufferMemoryBytes\`) are held by messages not yet acknowledged and this one needs ${record.cost}`,
          { details: { producerId: this.id, topic: record.topic, size: record.size, bufferUsedBytes: used, bufferMemoryBytes: limit, maxBlockMs } },
        ),
        1,
      ),
    );
    this.#notifyDrain();
  }

  #compactBlocked(): void {
    if (this.#blockedHead === this.#blocked.length) {
      this.#blocked = [];
      this.#blockedHead = 0;
    } else if (this.#blockedHead > 1024 && this.#blockedHead * 2 > this.#blocked.length) {
      this.#blocked = this.#blocked.slice(this.#blockedHead);
      this.#blockedHead = 0;
    }
  }

  /** Gives the bytes of settled records back and admits waiting calls, oldest first, while they fit. */
  #release(bytes: number): void {
    this.#buffer.used -= bytes;
    if (this.#blockedCount === 0 || this.#admitting) return;
    this.#admitting = true;
    try {
      while (this.#blockedHead < this.#blocked.length) {
        const entry = this.#blocked[this.#blockedHead]!;
        const waiting = entry.record;
        if (waiting !== undefined) {
          if (this.#buffer.used + waiting.cost > this.#buffer.limit) break;
          entry.record = undefined;
          this.#blockedCount--;
          this.#buffer.used += waiting.cost;
          this.#enqueue(waiting);
        }
        this.#blockedHead++;
      }
      this.#compactBlocked();
      if (this.#blockedCount === 0) {
        clearTimeout(this.#blockTimer);
        this.#blockTimer = undefined;
      }
    } finally {
      this.#admitting = false;
    }
  }

  /** Sends everything queued, then disconnects; later calls reject with `KAFKA_CLOSED`. */
  async close(): Promise<void> {
    if (this.#state.kind !== 'open') return;
    this.#state = { kind: 'closing' };
    while (this.#queued > 0 || this.#sending > 0 || this.#blockedCount > 0) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
    this.#clearTimer();
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#state = { kind: 'closed' };
    // A member still connecting (for a metadata lookup) is kept when it is done, then disconnected here.
    await Promise.allSettled([this.#retiring, ...this.#memberConnects]);
    await Promise.allSettled([...this.#members.map((member) => member?.disconnect()), this.#admin.close()]);
    this.#metrics.removeMember(this.id);
  }

  #enqueue(record: PendingRecord): void {
    this.#queued++;
    const state = this.#topics.get(record.topic);
    if (state === undefined || state.waiting !== null) {
      this.#waitForMetadata(record);
      return;
    }
    if (Date.now() - state.fetchedAt > this.#metadataMaxAgeMs && !state.refreshing) this.#refresh(record.topic, state);
    this.#place(record, state);
  }

  #place(record: PendingRecord, state: TopicState): void {
    let partition: number;
    if (record.explicitPartition !== undefined) {
      if (record.explicitPartition >= state.partitionCount) {
        this.#settleFailure(
          [record],
          new KafkaUnknownPartitionError(
            `\`partition\` ${record.explicitPartition} does not exist: topic ${JSON.stringify(record.topic)} has ${state.partitionCount} partitions`,
            { details: { topic: record.topic, partition: record.explicitPartition, partitionCount: state.partitionCount } },
          ),
        );
        return;
      }
      partition = record.explicitPartition;
    } else if (record.key !== null) {
      partition = partitionForKey(record.key, state.partitionCount);
    } else {
      partition = state.sticky;
    }
    record.partition = partition;
    let queue = state.queues[partition];
    if (queue === undefined) {
      state.queues[partition] = queue = new PartitionQueue(record.topic, partition);
    }
    if (queue.length === 0) this.#ready.push(queue);
    queue.records.push(record);
    this.#schedule(queue.length >= this.#config.batchSize);
    if (this.#expiryTimer === undefined && this.#config.resendUntilDeliveryTimeout) this.#armExpiry();
  }

  /** Sets the expiry timer for the oldest record still queued, if any. */
  #armExpiry(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const queue of this.#ready) if (queue.length > 0) oldest = Math.min(oldest, queue.records[queue.head]!.enqueuedAt);
    if (oldest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, oldest + this.#config.deliveryTimeoutMs - performance.now());
    this.#expiryTimer = setTimeout(() => this.#expireQueued(), delay);
    this.#expiryTimer.unref();
  }

  /**
   * As the Java client expires batches in its accumulator: records still queued (behind a request of
   * their partition that is being resent) when their own `deliveryTimeoutMs` has passed were never
   * sent, so they are rejected as not written. Records in a request keep the unknown-outcome rule.
   */
  #expireQueued(): void {
    this.#expiryTimer = undefined;
    const cutoff = performance.now() - this.#config.deliveryTimeoutMs;
    let emptied = false;
    for (const queue of this.#ready) {
      const expired = queue.takeQueuedBefore(cutoff);
      if (expired.length === 0) continue;
      if (queue.length === 0) emptied = true;
      const { topic, partition } = queue;
      const count = expired.length;
      this.#metrics.deliveryTimeouts += count;
      this.#settleFailure(
        expired,
        new KafkaDeliveryTimeoutError(
          `not sent, so not written: ${count} message(s) to ${topic}/${partition} waited \`deliveryTimeoutMs\` (${this.#config.deliveryTimeoutMs} ms) behind a request to the same partition whose outcome is not known yet, and were never sent`,
          { details: { producerId: this.id, topic, partition, messages: count, deliveryTimeoutMs: this.#config.deliveryTimeoutMs, requests: 0 } },
        ),
      );
    }
    // An emptied queue leaves the ready list; a call admitted while settling may have added it again.
    if (emptied) this.#ready = [...new Set(this.#ready)].filter((queue) => queue.length > 0);
    // Settling admits blocked calls, whose #place may have armed the timer already.
    if (this.#expiryTimer === undefined) this.#armExpiry();
  }

  #waitForMetadata(record: PendingRecord): void {
    let state = this.#topics.get(record.topic);
    if (state === undefined) {
      state = { partitionCount: 0, available: [], leaders: [], fetchedAt: 0, sticky: 0, waiting: [], waitTimer: undefined, refreshing: false, queues: [] };
      this.#topics.set(record.topic, state);
      this.#refresh(record.topic, state);
    }
    state.waiting ??= [];
    state.waiting.push(record);
    if (state.waitTimer === undefined) this.#armMetadataWait(record.topic, state);
  }

  /**
   * As the Java client bounds the wait for a topic's metadata: records still waiting for it when their own
   * `deliveryTimeoutMs` has passed were never sent, so they are rejected as not written (a broker that never
   * answers would otherwise hold them as long as kafkajs retries the metadata request).
   */
  #armMetadataWait(topic: string, state: TopicState): void {
    const first = state.waiting?.[0];
    if (first === undefined) return;
    const delay = Math.max(0, first.enqueuedAt + this.#config.deliveryTimeoutMs - performance.now());
    state.waitTimer = setTimeout(() => {
      state.waitTimer = undefined;
      const waiting = state.waiting;
      if (waiting === null) return;
      const cutoff = performance.now() - this.#config.deliveryTimeoutMs;
      let count = 0;
      while (count < waiting.length && waiting[count]!.enqueuedAt <= cutoff) count++;
      if (count > 0) {
        const expired = waiting.splice(0, count);
        const deliveryTimeoutMs = this.#config.deliveryTimeoutMs;
        this.#metrics.deliveryTimeouts += count;
        this.#settleFailure(
          expired,
          new KafkaDeliveryTimeoutError(
            `not sent, so not written: ${count} message(s) to ${JSON.stringify(topic)} waited \`deliveryTimeoutMs\` (${deliveryTimeoutMs} ms) for the topic's metadata (its partitions and their leaders), which did not arrive`,
            { details: { producerId: this.id, topic, messages: count, deliveryTimeoutMs, requests: 0 } },
          ),
        );
      }
      this.#armMetadataWait(topic, state);
    }, delay);
    state.waitTimer.unref();
  }

  #refresh(topic: string, state: TopicState): void {
    state.refreshing = true;
    this.#loadMetadata(topic).then(
      ({ count, available, leaders }) => {
        clearTimeout(state.waitTimer);
        state.waitTimer = undefined;
        state.partitionCount = Math.max(count, state.partitionCount);
        state.leaders = leaders;
        state.available = available.length > 0 ? available : Array.from({ length: count }, (_, i) => i);
        state.fetchedAt = Date.now();
        state.refreshing = false;
        if (state.sticky >= state.partitionCount || state.waiting !== null) state.sticky = this.#pickSticky(state);
        const waiting = state.waiting;
        state.waiting = null;
        for (const record of waiting ?? []) this.#place(record, state);
      },
      (error: unknown) => {
        state.refreshing = false;
        if (state.waiting !== null && state.waiting.length > 0 && this.#state.kind === 'open' && this.#config.resendUntilDeliveryTimeout && isRetriableMetadataFailure(error)) {
          // As the Java client: the metadata is asked for again until the records' own deliveryTimeoutMs (the
          // wait timer rejects them then); a broker that does not answer now may answer before that.
          // The state keeps waiting !== null meanwhile, so the records of new calls join the next request; with no
          // record left waiting by then, that request's failure ends the loop below.
          setTimeout(() => {
            if (!state.refreshing && this.#topics.get(topic) === state) this.#refresh(topic, state);
          }, RESEND_BACKOFF_MS).unref();
          return;
        }
        clearTimeout(state.waitTimer);
        state.waitTimer = undefined;
        const waiting = state.waiting ?? [];
        if (state.partitionCount === 0) this.#topics.delete(topic);
        else state.waiting = null;
        this.#settleFailure(waiting, fromKafkaJsError(error, 'admin', `could not load metadata of topic ${JSON.stringify(topic)}`, topic));
      },
    );
  }

  #pickSticky(state: TopicState): number {
    const choices = state.available.length > 0 ? state.available : [0];
    // Not security relevant: Math.random is enough to spread null-key batches and costs less than crypto.
    return choices[Math.floor(Math.random() * choices.length)] ?? 0;
  }

  async #loadMetadata(topic: string): Promise<{ count: number; available: number[]; leaders: number[] }> {
    const admin = await this.#admin.get();
    const read = async (): Promise<{ count: number; available: number[]; leaders: number[] } | undefined> => {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length === 0) return undefined;
        const leaders: number[] = [];
        for (const p of partitions) leaders[p.partitionId] = p.leader;
        return { count: partitions.length, available: partitions.filter((p) => p.leader >= 0).map((p) => p.partitionId), leaders };
      } catch (error) {
        const type = rootKafkaJsError(error).type;
        if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE') return undefined;
        throw error;
      }
    };
    const known = await read();
    if (known) return known;
    // A producer's metadata request is what makes brokers auto-create a topic (when they allow it).
    // The current producer, even when a new producer id is due: that waits until no request is in flight.
    const producer = this.#members[0] ?? (await this.#member(0));
    await producer.send({ topic, messages: [], acks: this.#config.acks });
    for (let attempt = 0; attempt < 50; attempt++) {
      const created = await read();
      if (created) return created;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new KafkaTopicNotFoundError(topic);
  }

  /** The producer of pool slot `slot`, connected on first use. */
  #member(slot: number): Promise<Producer> {
    const member = this.#members[slot];
    if (member !== undefined) return Promise.resolve(member);
    let connecting = this.#memberConnects[slot];
    if (connecting === undefined) {
      connecting = this.#connectMember(slot).finally(() => {
        if (this.#memberConnects[slot] === connecting) this.#memberConnects[slot] = undefined;
      });
      this.#memberConnects[slot] = connecting;
    }
    return connecting;
  }

  async #connectMember(slot: number): Promise<Producer> {
    const generation = this.#generation;
    await this.#retiring;
    const producer = this.#kafka.producer({
      idempotent: this.#config.idempotent,
      allowAutoTopicCreation: true,
      retry: { retries: this.#config.retries },
      ...(this.#config.idempotent ? { maxInFlightRequests: 1 } : {}),
    });
    await producer.connect();
    if (generation !== this.#generation) {
      // A reset came while this one connected: its producer id may predate it.
      await producer.disconnect().catch(() => undefined);
      return this.#member(slot);
    }
    this.#members[slot] = producer;
    return producer;
  }

  /**
   * After a send with an unknown outcome or a sequence error, with nothing in flight: every member is
   * replaced, so fresh producer ids keep the idempotent sequence numbers from colliding with batches the
   * broker may have written.
   */
  #resetMembers(): void {
    this.#needsReset = false;
    this.#generation++;
    const old = this.#members.filter((member): member is Producer => member !== undefined);
    this.#members = [];
    this.#memberConnects = [];
    const previous = this.#retiring;
    this.#retiring = Promise.allSettled([previous, ...old.map((member) => member.disconnect())]);
  }

  #schedule(urgent: boolean): void {
    if (this.#microtaskQueued) return;
    if (urgent || this.#config.lingerMs === 0 || this.#state.kind !== 'open') {
      this.#clearTimer();
      // A microtask still lets every call made in the same synchronous run join the batch.
      this.#microtaskQueued = true;
      queueMicrotask(() => {
        this.#microtaskQueued = false;
        this.#flush();
      });
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), this.#config.lingerMs);
    }
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    this.#clearTimer();
    // A new producer id restarts every partition's sequence numbers, so it waits until no partition
    // has a request in flight; the last one to settle flushes again.
    if (this.#needsReset && this.#sending > 0) return;
    if (this.#needsReset) this.#resetMembers();
    const ready = this.#ready;
    const stillReady: PartitionQueue[] = [];
    const dispatch: [PartitionQueue, PendingRecord[]][] = [];
    for (const queue of ready) {
      if (queue.length === 0) continue;
      if (queue.sending) {
        stillReady.push(queue);
        continue;
      }
      dispatch.push([queue, queue.take(this.#config.batchSize, this.#config.maxBatchBytes)]);
      if (queue.length > 0) stillReady.push(queue);
      const state = this.#topics.get(queue.topic);
      // Sticky partitioning for null keys moves on once the sticky partition's batch leaves.
      if (state !== undefined && state.sticky === queue.partition) state.sticky = this.#pickSticky(state);
    }
    this.#ready = stillReady;
    if (dispatch.length === 0) {
      this.#notifyDrain();
      return;
    }
    if (dispatch.length > 1 && this.#config.idempotent && this.#config.acks === -1 && preEncodedProduceInstalled) {
      this.#dispatchGrouped(dispatch);
      return;
    }
    for (const entry of dispatch) void this.#dispatch([entry], this.#pickSlot());
  }

  /**
   * The pool member with the fewest requests in flight (the first of those, so a light load keeps to one
   * member and its connections). A partition has one request in flight at a time whichever member sends
   * it, which keeps its order; a resend goes through the member of the first attempt, with its producer
   * id and sequence numbers.
   */
  #pickSlot(): number {
    if (!this.#config.idempotent) return 0;
    let best = 0;
    for (let slot = 1; slot < this.#config.maxInFlightRequests; slot++) {
      if ((this.#slotLoad[slot] ?? 0) < (this.#slotLoad[best] ?? 0)) best = slot;
    }
    return best;
  }

  /**
   * The ready partitions of one leader go out in one request, as the Java client drains all ready
   * partitions of a node into one request, up to `maxBatchBytes` per request: a request per partition
   * costs a broker round trip and kafkajs's per-request work each.
   */
  #dispatchGrouped(dispatch: [PartitionQueue, PendingRecord[]][]): void {
    // By leader at the last metadata read: a request waits for all its brokers, so partitions of a
    // leader that went away do not hold up the others' acknowledgements.
    const byLeader = new Map<number, [PartitionQueue, PendingRecord[]][]>();
    for (const entry of dispatch) {
      const leader = this.#topics.get(entry[0].topic)?.leaders[entry[0].partition] ?? -1;
      if (leader < 0) {
        void this.#dispatch([entry], this.#pickSlot());
        continue;
      }
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [entry]);
      else list.push(entry);
    }
    for (const entries of byLeader.values()) {
      let group: [PartitionQueue, PendingRecord[]][] = [];
      let bytes = 0;
      const send = (): void => {
        if (group.length > 0) void this.#dispatch(group, this.#pickSlot());
        group = [];
        bytes = 0;
      };
      for (const entry of entries) {
        let size = 0;
        for (const r of entry[1]) size += r.size;
        if (group.length > 0 && bytes + size > this.#config.maxBatchBytes) send();
        group.push(entry);
        bytes += size;
      }
      send();
    }
  }

  /**
   * One request per broker for several partitions of one member. Each partition is acknowledged from the
   * broker response that carried it (see `writtenBatch`), never from kafkajs's merged result. A partition
   * no response acknowledged was not counted by kafkajs either (its sequence numbers are where they were),
   * so it goes on alone through {@link #send}: resent with the same producer id and sequence numbers (the
   * broker drops a copy it has), or failed with its own error (one partition's refusal, a record too large
   * say, does not fail the others).
   */
  async #sendGroup(slot: number, group: [PartitionQueue, PendingRecord[]][]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    // Each partition's run of messages goes straight into its topic's list; its first message keys the
    // acknowledgement (writtenBatch).
    const parts: { queue: PartitionQueue; records: PendingRecord[]; first: Message; bytes: number }[] = [];
    let count = 0;
    let bytes = 0;
    for (const [queue, records] of group) {
      let list = byTopic.get(queue.topic);
      if (list === undefined) byTopic.set(queue.topic, (list = partitionMessages<Message>()));
      const start = list.length;
      const partBytes = toEncodedMessages(records, list);
      parts.push({ queue, records, first: list[start]!, bytes: partBytes });
      count += records.length;
      bytes += partBytes;
    }
    let producer: Producer;
    try {
      producer = this.#members[slot] ?? (await this.#member(slot));
    } catch (error) {
      const typed = fromKafkaJsError(error, 'produce', `could not produce ${count} message(s): no producer connection`);
      for (const part of parts) this.#settleFailure(part.records, typed);
      return;
    }
    const started = performance.now();
    let failure: unknown;
    let failed = false;
    try {
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: this.#config.acks,
        timeout: this.#config.connection.requestTimeout,
        compression: this.#config.compression,
      });
    } catch (error) {
      failure = error;
      failed = true;
    }
    const rest: typeof parts = [];
    for (const part of parts) {
      const written = writtenBatch(part.first);
      if (written === undefined) rest.push(part);
      else this.#acknowledgeWritten(part.queue.topic, part.queue.partition, part.records, written, part.bytes, started);
    }
    if (rest.length === 0) return;
    const typed = fromKafkaJsError(failed ? failure : new Error('no acknowledgement'), 'produce', `could not produce ${count} message(s) to ${rest.length} partition(s)`);
    if (channels.produceBatch.hasSubscribers) {
      channels.produceBatch.publish({ clientId: this.clientId, producerId: this.id, records: count, bytes, durationMs: performance.now() - started, error: typed });
    }
    // Success without some partition is kafkajs losing it in a retry (see writtenBatch): sent again below.
    const unknown = failed && outcomeUnknown(failure);
    if (unknown && !this.#config.resendUntilDeliveryTimeout) {
      // As #send: kafkajs's retries are spent, the outcome is unknown, and the next batches take a new producer id.
      if (this.#config.idempotent) this.#needsReset = true;
      if (typed.code === 'KAFKA_CONNECTION') this.#metrics.setConnection(this.id, 'connecting');
      for (const part of rest) this.#settleFailure(part.records, typed);
      return;
    }
    if (unknown) {
      this.#metrics.unknownOutcomeResends++;
      await new Promise((resolve) => setTimeout(resolve, RESEND_BACKOFF_MS));
    }
    await Promise.all(rest.map((part) => this.#send(part.queue.topic, part.queue.partition, slot, part.records)));
  }

  /** Sends one partition's batch, or several partitions' in one request, through pool member `slot`. */
  async #dispatch(group: [PartitionQueue, PendingRecord[]][], slot: number): Promise<void> {
    this.#slotLoad[slot] = (this.#slotLoad[slot] ?? 0) + 1;
    for (const [queue] of group) {
      queue.sending = true;
      this.#sending++;
    }
    try {
      if (group.length === 1) await this.#send(group[0]![0].topic, group[0]![0].partition, slot, group[0]![1]);
      else await this.#sendGroup(slot, group);
    } finally {
      this.#slotLoad[slot]! -= 1;
      for (const [queue] of group) {
        queue.sending = false;
        this.#sending--;
      }
      if (this.#ready.length > 0) this.#schedule(true);
      else this.#notifyDrain();
    }
  }

  #notifyDrain(): void {
    if (this.#queued > 0 || this.#sending > 0 || this.#blockedCount > 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Sends one partition's records as their own request. A request whose outcome is unknown (kafkajs
   * gave up on a retriable error) is sent again by the same kafkajs producer: kafkajs rolled its
   * sequence numbers back, so the resend carries the same producer id and sequences and the broker
   * drops it if it already has it. Without `retries` set this goes on until `deliveryTimeoutMs` after
   * the oldest record's call; only then is the outcome reported as unknown.
   */
  async #send(topic: string, partition: number, slot: number, records: PendingRecord[]): Promise<void> {
    const count = records.length;
    // One partition's messages: kafkajs groups them by partition in one step instead of one copy per message.
    const messages = partitionMessages<Message>();
    const bytes = toEncodedMessages(records, messages);
    let producer: Producer;
    try {
      // The connected member is used directly: awaiting #member() would add microtask hops to every send.
      producer = this.#members[slot] ?? (await this.#member(slot));
    } catch (error) {
      this.#settleFailure(records, fromKafkaJsError(error, 'produce', `could not produce ${count} message(s): no producer connection`));
      return;
    }
    const oldest = records[0]?.enqueuedAt ?? performance.now();
    let resends = 0;
    for (;;) {
      const started = performance.now();
      let metadata: RecordMetadata[];
      try {
        metadata = await producer.sendBatch({
          topicMessages: [{ topic, messages }],
          acks: this.#config.acks,
          timeout: this.#config.connection.requestTimeout,
          compression: this.#config.compression,
        });
      } catch (error) {
        // A broker's error-free response acknowledged these records though kafkajs then failed the call
        // (its retry was refused as a second write of them, see writtenBatch): they are written.
        const written = writtenBatch(messages[0]!);
        if (written !== undefined) {
          this.#acknowledgeWritten(topic, partition, records, written, bytes, started);
          return;
        }
        const typed = fromKafkaJsError(error, 'produce', `could not produce ${count} message(s) to ${topic}/${partition}`);
        channels.produceBatch.publish({ clientId: this.clientId, producerId: this.id, records: count, bytes, durationMs: performance.now() - started, error: typed });
        if (typed.code === 'KAFKA_MESSAGE_TOO_LARGE' && count > 1) {
          // The broker rejected the whole request: isolate the offending record, keeping order.
          const half = Math.ceil(count / 2);
          await this.#send(topic, partition, slot, records.slice(0, half));
          await this.#send(topic, partition, slot, records.slice(half));
          return;
        }
        const unknown = outcomeUnknown(error);
        if (typed.code === 'KAFKA_CONNECTION') this.#metrics.setConnection(this.id, 'connecting');
        const elapsed = performance.now() - oldest;
        if (unknown && this.#config.resendUntilDeliveryTimeout && elapsed < this.#config.deliveryTimeoutMs) {
          resends++;
          this.#metrics.unknownOutcomeResends++;
          const delayMs = backoffDelay(1, { initialDelayMs: RESEND_BACKOFF_MS, maxDelayMs: this.#config.deliveryTimeoutMs - elapsed });
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          continue;
        }
        // The broker may hold the batch (unknown outcome) or disagrees with the sequence numbers: a new
        // producer id keeps later batches of this partition from colliding with what it has.
        const sequenceError = SEQUENCE_ERRORS.has(rootKafkaJsError(error).type ?? '');
        if (this.#config.idempotent && (unknown || sequenceError)) this.#needsReset = true;
        let failure: KafkaError = typed;
        if (unknown && this.#config.resendUntilDeliveryTimeout) {
          this.#metrics.deliveryTimeouts += count;
          failure = new KafkaDeliveryTimeoutError(
            `outcome unknown: the message may have been written. ${count} message(s) to ${topic}/${partition} were not acknowledged within \`deliveryTimeoutMs\` (${this.#config.deliveryTimeoutMs} ms) after ${resends + 1} request(s) with the same producer id and sequence numbers; last error: ${typed.message}`,
            { cause: error, details: { producerId: this.id, topic, partition, messages: count, deliveryTimeoutMs: this.#config.deliveryTimeoutMs, requests: resends + 1, lastCode: typed.code } },
          );
        }
        this.#settleFailure(records, failure);
        return;
      }
      this.#acknowledge(topic, partition, records, metadata, bytes, started);
      return;
    }
  }

  #acknowledge(topic: string, partition: number, records: PendingRecord[], metadata: RecordMetadata[], bytes: number, started: number): void {
    const meta = metadata.find((m) => m.topicName === topic && m.partition === partition);
    if (meta === undefined && this.#config.acks !== 0) {
      this.#metrics.setConnection(this.id, 'connected');
      this.#settleFailure(records, new KafkaProduceError(`no acknowledgement for ${topic}/${partition}`));
      return;
    }
    this.#acknowledgeWritten(topic, partition, records, meta === undefined ? undefined : { baseOffset: meta.baseOffset ?? '-1', logAppendTime: meta.logAppendTime ?? '-1' }, bytes, started);
  }

  #acknowledgeWritten(topic: string, partition: number, records: PendingRecord[], meta: WrittenBatch | undefined, bytes: number, started: number): void {
    this.#metrics.setConnection(this.id, 'connected');
    const now = performance.now();
    const base = meta === undefined ? -1 : toSafeNumber(meta.baseOffset, 'offset');
    const appendTime = meta !== undefined && meta.logAppendTime !== '-1' ? Number(meta.logAppendTime) : undefined;
    this.#metrics.batchesSent++;
    this.#metrics.batchedMessages += records.length;
    let freed = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as PendingRecord;
      this.#queued--;
      freed += r.cost;
      this.#metrics.messagesProduced++;
      this.#metrics.bytesProduced += r.size;
      this.#metrics.produceLatency.record(now - r.enqueuedAt);
      r.resolve({ topic: r.topic, partition: r.partition, offset: base < 0 ? -1 : base + i, timestamp: appendTime ?? r.timestamp });
    }
    this.#release(freed);
    if (channels.produceBatch.hasSubscribers) {
      channels.produceBatch.publish({ clientId: this.clientId, producerId: this.id, records: records.length, bytes, durationMs: now - started });
    }
  }

  #settleFailure(records: readonly PendingRecord[], error: KafkaError): void {
    if (records.length === 0) return;
    this.#fail(error, records.length);
    let freed = 0;
    for (const r of records) {
      this.#queued--;
      freed += r.cost;
      r.reject(error);
    }
    this.#release(freed);
    this.#notifyDrain();
  }

  #fail<E extends KafkaError>(error: E, count: number): E {
    for (let i = 0; i < count; i++) this.#metrics.recordError(error.code);
    if (channels.error.hasSubscribers) channels.error.publish({ clientId: this.clientId, code: error.code, message: error.message });
    return error;
  }
}
