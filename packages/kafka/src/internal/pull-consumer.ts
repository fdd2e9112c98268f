import { describeValue } from '@onex/spi-types/support';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { ProtocolKafkaCommitOffsets, ProtocolKafkaMessage, ProtocolKafkaTopicPartitionOffset } from '@onex/spi-types';
import { fromKafkaJsError } from '../errors/from-kafkajs-error.js';
import type { KafkaError } from '../errors/kafka-error.js';
import {
  KafkaAmbiguousOffsetsError,
  KafkaArgumentError,
  KafkaClosedError,
  KafkaCommitError,
  KafkaConsumerFailedError,
  KafkaCorruptRecordBatchError,
  KafkaOffsetOutOfRangeError,
  KafkaPollIntervalExceededError,
  KafkaUnknownPartitionError,
} from '../errors/kafka-errors.js';
import { channels } from './channels.js';
import { describeFailure, runWithCodecContext, type CompressedBatchFailure } from './compression.js';
import type { ClientMetrics } from './client-metrics.js';
import { fastFetchInstalled, type FetchContextSlot } from './kafkajs-fetch-response.js';
import type { ResolvedConsumerConfig } from './resolve-config.js';
import { assertTopicName } from './topic-name.js';

/**
 * Buffered messages of one fetched batch, as kafkajs decoded them: each becomes a
 * `ProtocolKafkaMessage` only when a poll hands it out, so the objects the caller gets are
 * young, and a full buffer holds nothing but kafkajs's own messages.
 */
interface Chunk {
  readonly tp: string;
  readonly topic: string;
  readonly partition: number;
  readonly messages: KafkaMessage[];
  index: number;
}

type ConsumerState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly topics: readonly string[]; readonly consumer: Consumer }
  | { readonly kind: 'expired'; readonly topics: readonly string[]; readonly error: KafkaPollIntervalExceededError }
  | { readonly kind: 'failed'; readonly error: KafkaError }
  | { readonly kind: 'closed' };

const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;
const splitTp = (tp: string): { topic: string; partition: number } => {
  const at = tp.lastIndexOf(':');
  return { topic: tp.slice(0, at), partition: Number(tp.slice(at + 1)) };
};

function toMessage(topic: string, partition: number, m: KafkaMessage): ProtocolKafkaMessage {
  // kafkajs decodes a fresh plain object of headers per record, held by nobody else once its batch is
  // buffered here: it is handed out itself, normalised in place, instead of being copied (one object
  // fewer per record; with no headers, the common case, the loop does not run).
  const source = m.headers;
  const headers = (source ?? {}) as Record<string, Uint8Array>;
  if (source) {
    // for…in rather than Object.entries: no entry arrays per message.
    for (const name in source) {
      if (!Object.hasOwn(source, name)) continue;
      const raw = source[name];
      // Kafka allows repeated header names; the last one wins here, as in most maps.
      const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (value === undefined) delete headers[name];
      else if (value !== raw || typeof value === 'string') headers[name] = typeof value === 'string' ? Buffer.from(value) : value;
    }
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    headers,
    timestamp: Number(m.timestamp),
  };
}

/**
 * A pull consumer over kafkajs's push consumer: `eachBatch` fills a bounded buffer, partitions are
 * paused while it is full, and `poll` hands out up to `maxPollRecords` messages.
 */
export class PullConsumer {
  readonly id: string;
  readonly #config: ResolvedConsumerConfig;
  readonly #kafka: Kafka;
  readonly #fetchContext: FetchContextSlot | undefined;
  readonly #metrics: ClientMetrics;
  #state: ConsumerState = { kind: 'idle' };
  #chunks: Chunk[] = [];
  #chunkHead = 0;
  #buffered = 0;
  readonly #bufferedByTp = new Map<string, number>();
  /** Next offset expected from the broker per partition (older re-fetched messages are skipped). */
  readonly #nextExpected = new Map<string, number>();
  /** Next offset after the last message handed to the caller. */
  readonly #delivered = new Map<string, number>();
  readonly #committed = new Map<string, number>();
  #assigned = new Set<string>();
  readonly #paused = new Set<string>();
  #waiters: (() => void)[] = [];
  #pollChain: Promise<unknown> = Promise.resolve();
  /** Commits run one at a time, so a COMMIT_OFFSETS event seen during one belongs to it. */
  #commitChain: Promise<unknown> = Promise.resolve();
  #lastAutoCommit = Date.now();
  #closing = false;
  /** Between the start of a rejoin (or a crash of the kafkajs consumer) and the next GROUP_JOIN. */
  #rebalancing = false;
  #joinWaiters: (() => void)[] = [];
  /** kafkajs member id of the last join: a new one means the old member left the group. */
  #memberId: string | undefined;
  /** Partitions taken away since their messages were handed out: commits of them are refused. */
  readonly #revoked = new Set<string>();
  #polling = false;
  #lastPollEnd = Date.now();
  #pollTimer: NodeJS.Timeout | undefined;
  /** The group leave after `maxPollIntervalMs`, awaited before rejoining. */
  #leaving: Promise<void> = Promise.resolve();
  /** Record batches the codecs could not decompress (kafkajs kept the batches before each), by offset and codec. */
  readonly #badBatches = new Map<string, { failure: CompressedBatchFailure; seen: number }>();

  /**
   * @param fetchContext the slot of `kafka`'s socket factory (fetchContextSocketFactory): its Fetch responses are
   *   decoded in the codec context put there
   */
  constructor(id: string, config: ResolvedConsumerConfig, kafka: Kafka, metrics: ClientMetrics, fetchContext?: FetchContextSlot) {
    this.id = id;
    this.#config = config;
    this.#kafka = kafka;
    this.#fetchContext = fetchContext;
    this.#metrics = metrics;
    metrics.setConnection(id, 'disconnected');
  }

  /** Client id of this consumer. */
  get clientId(): string {
    return this.#config.connection.clientId;
  }

  /** Group id of this consumer. */
  get groupId(): string {
    return this.#config.groupId;
  }

  /**
   * Returns up to `maxPollRecords` buffered messages, waiting at most `timeoutMs` for some.
   * @throws {KafkaArgumentError} on a bad topic list or timeout
   * @throws {KafkaConsumerFailedError} when kafkajs stopped the consumer for good
   */
  poll(topics: readonly string[], timeoutMs: number): Promise<ProtocolKafkaMessage[]> {
    if (!Array.isArray(topics) || topics.length === 0) {
      return Promise.reject(new KafkaArgumentError(`\`topics\` must be a non-empty list of topic names, got ${describeValue(topics)}`));
    }
    for (const topic of topics) assertTopicName(topic, 'topics[]');
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
      return Promise.reject(new KafkaArgumentError(`\`timeoutMs\` must be a non-negative integer, got ${describeValue(timeoutMs)}`));
    }
    const wanted = [...new Set(topics)].sort();
    const run = this.#pollChain.then(() => this.#poll(wanted, timeoutMs));
    this.#pollChain = run.catch(() => undefined);
    return run;
  }

  async #poll(topics: string[], timeoutMs: number): Promise<ProtocolKafkaMessage[]> {
    this.#polling = true;
    try {
      return await this.#pollOnce(topics, timeoutMs);
    } finally {
      this.#polling = false;
      this.#lastPollEnd = Date.now();
      this.#armPollTimer();
    }
  }

  async #pollOnce(topics: string[], timeoutMs: number): Promise<ProtocolKafkaMessage[]> {
    const deadline = Date.now() + timeoutMs;
    this.#assertUsable();
    const state = this.#state;
    if (state.kind === 'expired') {
      // This call reports that the group was left; the next one rejoins.
      this.#state = { kind: 'idle' };
      throw state.error;
    }
    if (state.kind !== 'running' || state.topics.join('\u0000') !== topics.join('\u0000')) await this.#subscribe(topics);
    // Java's rule: positions of records returned by earlier polls are committed here, once the
    // interval has elapsed; records this poll returns stay uncommitted while the caller has them.
    if (this.#config.autoCommit && !this.#rebalancing && Date.now() - this.#lastAutoCommit >= this.#config.autoCommitIntervalMs) {
      await this.#autoCommit();
    }
    this.#assertReadable();
    // During a rejoin nothing is handed out: the buffered partitions may be about to move.
    while (this.#buffered === 0 || this.#rebalancing) {
      this.#assertUsable();
      this.#assertReadable();
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#take();
  }

  #assertUsable(): void {
    const state = this.#state;
    if (state.kind === 'closed' || this.#closing) throw new KafkaClosedError(`consumer ${JSON.stringify(this.id)} is closed`, { details: { consumerId: this.id } });
    if (state.kind === 'failed') throw state.error;
  }

  /**
   * Raises a batch the codecs refused once everything before it is handed out: a failure belongs to the
   * partition whose next offset falls in the batch, or, with no such partition (nothing delivered yet, or
   * only control records since), to those whose next offset is unknown or before the batch, once the buffer
   * is empty and a refetch met the batch again (kafkajs fetches again only after it handed over the batches
   * decoded before it). The failure stays, so every later poll raises it too; the partition is paused
   * meanwhile, and fetched again (once per drained buffer) only when the buffer drains or the group rejoins.
   * @throws {KafkaCorruptRecordBatchError}
   */
  #assertReadable(): void {
    for (const { failure, seen } of this.#badBatches.values()) {
      const { baseOffset, lastOffset } = failure;
      let owner: string | undefined;
      for (const tp of this.#assigned) {
        const next = this.#nextExpected.get(tp);
        if (next !== undefined && baseOffset !== undefined && next >= baseOffset && next <= (lastOffset ?? baseOffset)) owner = tp;
      }
      const before = (tp: string): boolean => baseOffset === undefined || (this.#nextExpected.get(tp) ?? -1) <= baseOffset;
      const candidates = owner !== undefined ? [owner] : [...this.#assigned].filter(before).sort();
      const pending = owner !== undefined ? (this.#bufferedByTp.get(owner) ?? 0) : this.#buffered;
      if (candidates.length === 0 || pending > 0 || (owner === undefined && seen < 2)) continue;
      const only = candidates.length === 1 ? splitTp(candidates[0]!) : undefined;
      if (only !== undefined && this.#state.kind === 'running' && !this.#paused.has(candidates[0]!)) {
        // No fetch loop on the same bytes: the partition is fetched again when the buffer drains or at a rejoin.
        this.#paused.add(candidates[0]!);
        this.#state.consumer.pause([{ topic: only.topic, partitions: [only.partition] }]);
      }
      const error = new KafkaCorruptRecordBatchError(
        `consumer ${JSON.stringify(this.id)} cannot read ${only ? candidates[0] : `one of ${candidates.join(', ')}`}: ${describeFailure(failure)}; the records before it were delivered and the position stays at the batch`,
        {
          cause: failure.cause,
          details: { consumerId: this.id, topic: only?.topic, partition: only?.partition, offset: baseOffset, lastOffset, codec: failure.codec, reason: failure.reason, limit: failure.limit },
        },
      );
      this.#metrics.recordError(error.code);
      channels.error.publish({ clientId: this.clientId, code: error.code, message: error.message });
      throw error;
    }
  }

  #armPollTimer(): void {
    if (this.#pollTimer !== undefined || this.#state.kind !== 'running' || this.#closing) return;
    const left = this.#lastPollEnd + this.#config.maxPollIntervalMs - Date.now();
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      this.#checkPollInterval();
    }, Math.max(0, left));
    this.#pollTimer.unref();
  }

  #checkPollInterval(): void {
    const state = this.#state;
    // A poll in progress re-arms the timer when it ends.
    if (state.kind !== 'running' || this.#polling || this.#closing) return;
    const idleMs = Date.now() - this.#lastPollEnd;
    if (idleMs < this.#config.maxPollIntervalMs) {
      this.#armPollTimer();
      return;
    }
    const max = this.#config.maxPollIntervalMs;
    const error = new KafkaPollIntervalExceededError(
      `consumer ${JSON.stringify(this.id)} did not call consumeMessages within \`maxPollIntervalMs\` (${max} ms): it left group ${JSON.stringify(this.groupId)}, its partitions went to other members and its uncommitted messages will be delivered again; the next consumeMessages call rejoins`,
      { details: { consumerId: this.id, groupId: this.groupId, maxPollIntervalMs: max, idleMs } },
    );
    this.#metrics.pollIntervalExceeded++;
    this.#metrics.recordError(error.code);
    channels.error.publish({ clientId: this.clientId, code: error.code, message: error.message });
    this.#state = { kind: 'expired', topics: state.topics, error };
    this.#loseAll();
    this.#rebalancing = false;
    this.#wakeJoin();
    // Leaving without a commit: what the caller holds was not finished, as far as anyone knows.
    this.#leaving = state.consumer.disconnect().catch(() => undefined);
    this.#metrics.setConnection(this.id, 'disconnected');
  }

  /** Forgets every partition (the member left the group or kafkajs restarts it as a new member). */
  #loseAll(): void {
    for (const tp of this.#assigned) this.#revoked.add(tp);
    this.#metrics.partitionsRevoked += this.#assigned.size;
    this.#metrics.droppedBufferedMessages += this.#buffered;
    this.#forgetPartitions();
  }

  /** Drops the buffer and every per-partition position: nothing of the old assignment is handed out or committed. */
  #forgetPartitions(): void {
    this.#chunks = [];
    this.#chunkHead = 0;
    this.#buffered = 0;
    this.#bufferedByTp.clear();
    this.#nextExpected.clear();
    this.#delivered.clear();
    this.#committed.clear();
    this.#paused.clear();
    this.#badBatches.clear();
    this.#assigned = new Set();
    this.#metrics.lagByMember.delete(this.id);
  }

  #take(): ProtocolKafkaMessage[] {
    const out: ProtocolKafkaMessage[] = [];
    const max = this.#config.maxPollRecords;
    let bytes = 0;
    while (out.length < max && this.#chunkHead < this.#chunks.length) {
      const chunk = this.#chunks[this.#chunkHead]!;
      if (!this.#assigned.has(chunk.tp)) {
        // Defensive: a partition that is no longer ours is never handed out.
        this.#buffered -= chunk.messages.length - chunk.index;
        this.#metrics.droppedBufferedMessages += chunk.messages.length - chunk.index;
        this.#bufferedByTp.delete(chunk.tp);
        this.#chunkHead++;
        continue;
      }
      const end = Math.min(chunk.messages.length, chunk.index + (max - out.length));
      let last: ProtocolKafkaMessage | undefined;
      for (let i = chunk.index; i < end; i++) {
        last = toMessage(chunk.topic, chunk.partition, chunk.messages[i]!);
        bytes += (last.key?.length ?? 0) + (last.value?.length ?? 0);
        out.push(last);
      }
      const n = end - chunk.index;
      chunk.index = end;
      this.#buffered -= n;
      this.#bufferedByTp.set(chunk.tp, (this.#bufferedByTp.get(chunk.tp) ?? n) - n);
      if (last !== undefined) {
        this.#delivered.set(chunk.tp, last.offset + 1);
        this.#revoked.delete(chunk.tp);
      }
      if (chunk.index === chunk.messages.length) this.#chunkHead++;
    }
    if (this.#chunkHead > 1024 && this.#chunkHead * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#chunkHead);
      this.#chunkHead = 0;
    }
    this.#metrics.messagesConsumed += out.length;
    this.#metrics.bytesConsumed += bytes;
    this.#resumeIfDrained();
    return out;
  }

  #resumeIfDrained(): void {
    if (this.#paused.size === 0 || this.#buffered > this.#config.maxBufferedRecords / 2) return;
    const state = this.#state;
    if (state.kind !== 'running') return;
    const resume = [...this.#paused].map(splitTp);
    this.#paused.clear();
    state.consumer.resume(resume.map(({ topic, partition }) => ({ topic, partitions: [partition] })));
  }

  async #subscribe(topics: string[]): Promise<void> {
    await this.#stopCurrent();
    await this.#leaving;
    this.#rebalancing = false;
    this.#memberId = undefined;
    const consumer = this.#kafka.consumer({
      groupId: this.#config.groupId,
      sessionTimeout: this.#config.sessionTimeoutMs,
      heartbeatInterval: this.#config.heartbeatIntervalMs,
      readUncommitted: this.#config.readUncommitted,
      maxWaitTimeInMs: this.#config.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    });
    const { GROUP_JOIN, CRASH, CONNECT, DISCONNECT, REBALANCING } = consumer.events;
    const current = (): boolean => this.#state.kind === 'running' && this.#state.consumer === consumer;
    consumer.on(CONNECT, () => this.#metrics.setConnection(this.id, 'connected'));
    consumer.on(DISCONNECT, () => this.#metrics.setConnection(this.id, 'disconnected'));
    consumer.on(REBALANCING, () => {
      this.#metrics.setConnection(this.id, 'connecting');
      if (current()) this.#rebalancing = true;
    });
    consumer.on(GROUP_JOIN, (event) => {
      if (current()) this.#onJoin(event.payload.memberId, event.payload.memberAssignment);
    });
    consumer.on(CRASH, (event) => {
      const { error, restart } = event.payload;
      if (current()) {
        // kafkajs disconnects, leaving the group, and restarts as a new member: every partition is
        // gone, and what is buffered may already be with another member.
        this.#loseAll();
        this.#rebalancing = restart;
        if (!restart) this.#wakeJoin();
      }
      const typed = new KafkaConsumerFailedError(`consumer ${JSON.stringify(this.id)} stopped: ${error.message}`, {
        cause: error,
        details: { consumerId: this.id, restart },
      });
      this.#metrics.recordError(typed.code);
      channels.error.publish({ clientId: this.clientId, code: typed.code, message: typed.message });
      this.#metrics.setConnection(this.id, restart ? 'connecting' : 'disconnected');
      if (!restart && this.#state.kind === 'running' && this.#state.consumer === consumer) {
        this.#state = { kind: 'failed', error: typed };
        this.#wake();
      }
    });
    this.#metrics.setConnection(this.id, 'connecting');
    // Running before run(): kafkajs emits the first GROUP_JOIN (and may crash) inside run().
    this.#state = { kind: 'running', topics, consumer };
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.#config.fromBeginning });
      // Every fetch of this consumer is decoded in this context: the codecs apply its limit and report a
      // batch they cannot decompress here, keeping the batches before it.
      const codecContext = {
        maxDecompressedBytes: this.#config.maxDecompressedBatchBytes,
        report: (failure: CompressedBatchFailure) => {
          if (!current() || this.#badBatches.size >= 64) return;
          const key = `${failure.baseOffset}/${failure.codec}`;
          this.#badBatches.set(key, { failure, seen: (this.#badBatches.get(key)?.seen ?? 0) + 1 });
          this.#wake();
        },
      };
      const run = (): Promise<void> =>
        consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: 1,
          eachBatch: async (payload) => this.#onBatch(payload),
        });
      if (this.#fetchContext !== undefined && fastFetchInstalled) {
        // Its Fetch responses are decoded by kafkajs-fetch-response.ts into the same objects, without kafkajs's Long
        // arithmetic, and with this context found through its connections rather than an AsyncLocalStorage.
        this.#fetchContext.current = codecContext;
        await run();
      } else await runWithCodecContext(codecContext, run);
    } catch (error) {
      if (this.#state.kind === 'running' && this.#state.consumer === consumer) this.#state = { kind: 'idle' };
      this.#loseAll();
      await consumer.disconnect().catch(() => undefined);
      this.#metrics.setConnection(this.id, 'disconnected');
      throw fromKafkaJsError(error, 'commit', `consumer ${JSON.stringify(this.id)} could not subscribe to ${topics.join(', ')}`);
    }
    this.#lastPollEnd = Date.now();
  }

  async #onBatch({ batch, isStale }: EachBatchPayload): Promise<void> {
    const tp = tpKey(batch.topic, batch.partition);
    if (isStale() || !this.#assigned.has(tp) || batch.messages.length === 0) return;
    const expected = this.#nextExpected.get(tp) ?? -1;
    const messages = batch.messages;
    // A fetch can start inside an earlier record batch: skip what was already buffered (offsets ascend).
    let start = 0;
    if (expected >= 0) while (start < messages.length && Number(messages[start]!.offset) < expected) start++;
    const lastOffset = Number(batch.lastOffset());
    this.#nextExpected.set(tp, Math.max(expected, lastOffset + 1));
    let lag = this.#metrics.lagByMember.get(this.id);
    if (lag === undefined) this.#metrics.lagByMember.set(this.id, (lag = new Map()));
    lag.set(tp, Math.max(0, Number(batch.highWatermark) - (lastOffset + 1)));
    const count = messages.length - start;
    if (count === 0) return;
    this.#chunks.push({ tp, topic: batch.topic, partition: batch.partition, messages, index: start });
    this.#buffered += count;
    this.#bufferedByTp.set(tp, (this.#bufferedByTp.get(tp) ?? 0) + count);
    if (this.#buffered >= this.#config.maxBufferedRecords && !this.#paused.has(tp) && this.#state.kind === 'running') {
      this.#paused.add(tp);
      this.#state.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    }
    this.#wake();
  }

  #onJoin(memberId: string, memberAssignment: Record<string, number[]>): void {
    // A new member id: the old member left or was evicted, so others may have had every partition.
    if (this.#memberId !== undefined && this.#memberId !== memberId) this.#loseAll();
    this.#memberId = memberId;
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) for (const p of partitions) assigned.add(tpKey(topic, p));
    const revoked = [...this.#assigned].filter((tp) => !assigned.has(tp));
    if (revoked.length > 0) {
      const gone = new Set(revoked);
      // Failures are matched to partitions by position: forget them, the next fetch reports those still ours.
      this.#badBatches.clear();
      // Messages of revoked partitions now belong to another member: drop them, never deliver twice.
      const kept = this.#chunks.slice(this.#chunkHead).filter((c) => !gone.has(c.tp));
      this.#chunks = kept;
      this.#chunkHead = 0;
      const buffered = kept.reduce((n, c) => n + c.messages.length - c.index, 0);
      this.#metrics.droppedBufferedMessages += this.#buffered - buffered;
      this.#metrics.partitionsRevoked += revoked.length;
      this.#buffered = buffered;
      const resume: { topic: string; partitions: number[] }[] = [];
      for (const tp of revoked) {
        this.#revoked.add(tp);
        this.#bufferedByTp.delete(tp);
        this.#nextExpected.delete(tp);
        this.#delivered.delete(tp);
        this.#committed.delete(tp);
        this.#metrics.lagByMember.get(this.id)?.delete(tp);
        if (this.#paused.delete(tp)) {
          const { topic, partition } = splitTp(tp);
          resume.push({ topic, partitions: [partition] });
        }
      }
      if (resume.length > 0 && this.#state.kind === 'running') this.#state.consumer.resume(resume);
    }
    this.#assigned = assigned;
    this.#metrics.rebalances++;
    this.#metrics.setConnection(this.id, 'connected');
    channels.rebalance.publish({ clientId: this.clientId, consumerId: this.id, groupId: this.groupId, assignment: memberAssignment, revoked });
    this.#rebalancing = false;
    this.#wakeJoin();
    this.#resumeIfDrained();
    this.#wake();
  }

  #wakeJoin(): void {
    const waiters = this.#joinWaiters;
    this.#joinWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next GROUP_JOIN (or when the rejoin ends otherwise), or after `timeoutMs`. */
  #awaitJoin(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#joinWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Partitions currently assigned to this consumer, as `topic:partition`. */
  assignment(): string[] {
    return [...this.#assigned].sort();
  }

  /**
   * Commits offsets (the next offset to read of each partition).
   * @throws {KafkaAmbiguousOffsetsError} for `{ topic: offset }` when several partitions of the topic were delivered
   * @throws {KafkaUnknownPartitionError} for a partition not assigned to this consumer
   * @throws {KafkaOffsetOutOfRangeError} for an offset beyond the messages delivered
   * @throws {KafkaCommitError} when the group coordinator rejects the commit
   */
  async commit(offsets: ProtocolKafkaCommitOffsets): Promise<boolean> {
    this.#assertCommittable();
    let list = this.#normalize(offsets);
    if (list.length === 0) return true;
    if (this.#rebalancing) {
      // The partitions may move: wait for the new assignment, then commit only what is still ours.
      const waitMs = this.#config.sessionTimeoutMs;
      await this.#awaitJoin(waitMs);
      this.#assertCommittable();
      if (this.#rebalancing) {
        throw this.#commitFailed(
          new KafkaCommitError(
            `consumer ${JSON.stringify(this.id)} could not commit: group ${JSON.stringify(this.groupId)} is rebalancing and the rejoin did not finish within ${waitMs} ms (\`sessionTimeoutMs\`); nothing was committed`,
            { details: { consumerId: this.id, groupId: this.groupId, reason: 'rebalancing' } },
          ),
        );
      }
      list = this.#normalize(offsets);
    }
    await this.#commitList(list, false);
    return true;
  }

  #assertCommittable(): void {
    this.#assertUsable();
    const state = this.#state;
    if (state.kind === 'expired') {
      this.#commitFailed(state.error);
      throw state.error;
    }
  }

  #commitFailed<E extends KafkaError>(error: E): E {
    this.#metrics.commitFailures++;
    if (error.code !== 'KAFKA_POLL_INTERVAL_EXCEEDED') {
      this.#metrics.recordError(error.code);
      channels.error.publish({ clientId: this.clientId, code: error.code, message: error.message });
    }
    return error;
  }

  #normalize(offsets: ProtocolKafkaCommitOffsets): ProtocolKafkaTopicPartitionOffset[] {
    if (typeof offsets !== 'object' || offsets === null) {
      throw new KafkaArgumentError(`\`offsets\` must be an object or a list of { topic, partition, offset }, got ${describeValue(offsets)}`);
    }
    const list: ProtocolKafkaTopicPartitionOffset[] = [];
    if (Array.isArray(offsets)) {
      for (const entry of offsets as unknown[]) {
        if (typeof entry !== 'object' || entry === null) {
          throw new KafkaArgumentError(`\`offsets[]\` entries must be { topic, partition, offset }, got ${describeValue(entry)}`);
        }
        const { topic, partition, offset } = entry as Record<string, unknown>;
        assertTopicName(topic, 'offsets[].topic');
        if (!Number.isInteger(partition) || (partition as number) < 0) {
          throw new KafkaArgumentError(`\`offsets[].partition\` must be a non-negative integer, got ${describeValue(partition)}`);
        }
        list.push({ topic, partition: partition as number, offset: offset as number });
      }
    } else {
      for (const [key, offset] of Object.entries(offsets as Record<string, number>)) {
        const at = key.lastIndexOf(':');
        if (at >= 0) {
          const topic = key.slice(0, at);
          const partitionText = key.slice(at + 1);
          assertTopicName(topic, `offsets["${key}"] topic`);
          if (!/^\d+$/.test(partitionText)) {
            throw new KafkaArgumentError(`\`offsets\` key ${JSON.stringify(key)} must be "topic:partition" with an integer partition`);
          }
          list.push({ topic, partition: Number(partitionText), offset });
        } else {
          assertTopicName(key, 'offsets key');
          const delivered = [...this.#delivered.keys()].map(splitTp).filter((tp) => tp.topic === key);
          if (delivered.length === 0) {
            throw new KafkaUnknownPartitionError(
              `cannot commit \`offsets["${key}"]\`: no partition of topic ${JSON.stringify(key)} was delivered to consumer ${JSON.stringify(this.id)}`,
              { details: { topic: key } },
            );
          }
          if (delivered.length > 1) {
            const partitions = delivered.map((tp) => tp.partition).sort((a, b) => a - b);
            throw new KafkaAmbiguousOffsetsError(
              `\`offsets["${key}"]\` is ambiguous: partitions ${partitions.join(', ')} of topic ${JSON.stringify(key)} were delivered; use "${key}:<partition>" keys or a list`,
              { details: { topic: key, partitions } },
            );
          }
          list.push({ topic: key, partition: delivered[0]!.partition, offset });
        }
      }
    }
    for (const { topic, partition, offset } of list) {
      const tp = tpKey(topic, partition);
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
        throw new KafkaArgumentError(`offset of ${tp} must be a non-negative integer, got ${describeValue(offset)}`, { details: { topic, partition, offset } });
      }
      if (!Number.isSafeInteger(offset)) {
        throw new KafkaOffsetOutOfRangeError(`offset of ${tp} must be at most 2^53 - 1, got ${offset}`, { details: { topic, partition, offset } });
      }
      if (!this.#assigned.has(tp) && this.#revoked.has(tp)) {
        throw this.#commitFailed(
          new KafkaCommitError(
            `cannot commit ${tp}: the partition was taken from consumer ${JSON.stringify(this.id)} (rebalance, restart of the kafkajs consumer or \`maxPollIntervalMs\`) after its messages were handed out; nothing was committed, and its uncommitted messages go to its new owner`,
            { details: { topic, partition, offset, consumerId: this.id, reason: 'revoked' } },
          ),
        );
      }
      if (!this.#assigned.has(tp)) {
        throw new KafkaUnknownPartitionError(`partition ${tp} is not assigned to consumer ${JSON.stringify(this.id)}`, {
          details: { topic, partition, assigned: this.assignment() },
        });
      }
      const delivered = this.#delivered.get(tp);
      if (delivered !== undefined && offset > delivered) {
        throw new KafkaOffsetOutOfRangeError(
          `offset ${offset} of ${tp} is beyond the messages delivered (commit at most ${delivered}, the offset after the last one)`,
          { details: { topic, partition, offset, delivered } },
        );
      }
    }
    return list;
  }

  #commitList(list: readonly ProtocolKafkaTopicPartitionOffset[], auto: boolean): Promise<void> {
    const run = this.#commitChain.then(() => this.#commitNow(list, auto));
    this.#commitChain = run.catch(() => undefined);
    return run;
  }

  async #commitNow(list: readonly ProtocolKafkaTopicPartitionOffset[], auto: boolean): Promise<void> {
    const state = this.#state;
    if (state.kind !== 'running') {
      throw this.#commitFailed(
        new KafkaCommitError(`consumer ${JSON.stringify(this.id)} is not in group ${JSON.stringify(this.groupId)}; nothing was committed`, {
          details: { consumerId: this.id, groupId: this.groupId, reason: 'not-joined' },
        }),
      );
    }
    // kafkajs resolves commitOffsets without sending anything while its consumer is not running
    // (between a crash and the restart): only its COMMIT_OFFSETS event says the broker stored them.
    let stored = false;
    const stop = state.consumer.on(state.consumer.events.COMMIT_OFFSETS, (event) => {
      if (list.every((o) => event.payload.topics.some((t) => t.topic === o.topic && t.partitions.some((p) => p.partition === o.partition && String(p.offset) === String(o.offset))))) {
        stored = true;
      }
    });
    try {
      await state.consumer.commitOffsets(list.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
    } catch (error) {
      throw this.#commitFailed(fromKafkaJsError(error, 'commit', `consumer ${JSON.stringify(this.id)} could not commit offsets`));
    } finally {
      stop();
    }
    if (!stored) {
      throw this.#commitFailed(
        new KafkaCommitError(
          `consumer ${JSON.stringify(this.id)} could not commit: its kafkajs consumer is restarting or rejoining group ${JSON.stringify(this.groupId)} and sent nothing; nothing was committed`,
          { details: { consumerId: this.id, groupId: this.groupId, reason: 'not-sent' } },
        ),
      );
    }
    for (const { topic, partition, offset } of list) this.#committed.set(tpKey(topic, partition), offset);
    if (channels.commit.hasSubscribers) {
      channels.commit.publish({ clientId: this.clientId, consumerId: this.id, groupId: this.groupId, offsets: list, auto });
    }
  }

  async #autoCommit(): Promise<void> {
    this.#lastAutoCommit = Date.now();
    const list: ProtocolKafkaTopicPartitionOffset[] = [];
    for (const [tp, offset] of this.#delivered) {
      if (this.#committed.get(tp) !== offset && this.#assigned.has(tp)) list.push({ ...splitTp(tp), offset });
    }
    if (list.length === 0) return;
    // Auto commit failures (a rebalance in progress) are counted and retried at the next poll.
    await this.#commitList(list, true).catch(() => undefined);
  }

  async #stopCurrent(): Promise<void> {
    this.#clearPollTimer();
    const state = this.#state;
    if (state.kind === 'expired') this.#state = { kind: 'idle' };
    if (state.kind !== 'running') return;
    // At close or re-subscription the caller is done with everything handed out: commit it all.
    if (this.#config.autoCommit) await this.#autoCommit();
    this.#state = { kind: 'idle' };
    await state.consumer.disconnect().catch(() => undefined);
    // Leaving on purpose: these partitions are not "revoked" for the metrics or for commits.
    this.#forgetPartitions();
    this.#rebalancing = false;
    this.#wakeJoin();
  }

  #clearPollTimer(): void {
    if (this.#pollTimer === undefined) return;
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  /** Commits delivered offsets when auto commit is on, leaves the group and disconnects. */
  async close(): Promise<void> {
    if (this.#state.kind === 'closed' || this.#closing) return;
    this.#closing = true;
    this.#wake();
    await this.#pollChain;
    await this.#stopCurrent();
    await this.#leaving;
    this.#state = { kind: 'closed' };
    this.#wake();
    this.#metrics.removeMember(this.id);
  }
}
