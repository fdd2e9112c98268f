import { backoffDelay, LatencyWindow, withTimeout } from '@onex/spi-types/support';
import { performance } from 'node:perf_hooks';
import type {
  LiteralProcessingGuarantee,
  ProtocolKafkaStreamOutput,
  ProtocolKafkaStreamProcessor,
  ProtocolKafkaStreamRecord,
} from '@onex/spi-types';
import type { Admin, Batch, Consumer, Kafka, EachBatchPayload, IHeaders, KafkaMessage, Message, Producer, TopicMessages } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '../dead-letter-headers.js';
import {
  InvalidStreamOutputError,
  StreamProcessingTimeoutError,
  StreamProcessorStateError,
  StreamTransactionError,
  TopicNotFoundError,
} from '../errors/kafka-extended-error.js';
import type {
  StreamProcessorError,
  StreamProcessorMetrics,
  StreamProcessorState,
  StreamProcessorStatus,
  StreamSerde,
} from '../stream-processor-types.js';
import { channels } from './channels.js';
import { createKafka, type ConnectionSettings } from './kafka-factory.js';
import { isFencedFailure, toAdminError } from './kafkajs-errors.js';
import { otelEnabledByEnv, RecordTrace, telemetryActive } from './otel.js';

/** A processor's validated settings. */
export interface StreamProcessorSettings {
  readonly processorId: string;
  readonly applicationId: string;
  readonly guarantee: LiteralProcessingGuarantee;
  readonly concurrency: number;
  readonly dlqTopic: string;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly processingTimeoutMs: number;
  readonly commitBatchSize: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Prefix of the per-partition transactional ids: `${prefix}-${topic}-${partition}`. */
  readonly transactionalIdPrefix: string;
  /** Most transactional producers kept open at once (least recently used ones are closed beyond it). */
  readonly maxTransactionalProducers: number;
  readonly transactionTimeoutMs: number;
  readonly transactionRetries: number;
  readonly fromBeginning: boolean;
  readonly keySerde: StreamSerde | undefined;
  readonly valueSerde: StreamSerde | undefined;
  readonly createTopics: boolean;
  readonly startTimeoutMs: number;
  /** Connection settings, resolved when the processor starts (security configured later applies). */
  readonly connection: () => ConnectionSettings;
}

type ProcessFn = (record: ProtocolKafkaStreamRecord) => unknown;

interface Running {
  readonly kafka: Kafka;
  readonly consumer: Consumer;
  /** at_least_once: the one idempotent producer. exactly_once: undefined (one producer per input partition). */
  readonly producer: Producer | undefined;
  /** exactly_once: the transactional producer of each input partition this instance owns, in LRU order. */
  readonly partitionProducers: Map<string, PartitionProducer>;
  readonly inputTopics: readonly string[];
  readonly outputTopic: string;
  readonly process: ProcessFn;
  admin: Admin | undefined;
}

/**
 * The transactional producer of one input partition (transactional id `${prefix}-${topic}-${partition}`).
 * Whoever owns the partition next initialises the same id, which bumps its epoch: the broker aborts this
 * producer's open transaction and rejects everything it sends afterwards (Kafka Streams' design before
 * KIP-447). `floor` is the group's committed offset read after that initialisation: records below it
 * were committed by the previous owner and are skipped.
 */
interface PartitionProducer {
  readonly transactionalId: string;
  readonly ready: Promise<{ producer: Producer; floor: number }>;
  /** Transactions of this partition run one at a time. */
  queue: Promise<unknown>;
}

const EMPTY_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});
const MAX_BACKOFF_MS = 5_000;

/** One consume → process → produce loop (kafkajs consumer + producer) with retries, DLQ and commits. */
export class StreamProcessor {
  private state: StreamProcessorState = { kind: 'created', since: Date.now() };
  private running: Running | undefined;
  private stopRequested = false;
  /** Transactions, producer closes and at-least-once commits still running; stop() waits for them. */
  private readonly pending = new Set<Promise<unknown>>();
  private readonly latency = new LatencyWindow({ capacity: 1024 });
  private readonly lag = new Map<string, number>();
  private counters = { recordsIn: 0, recordsOut: 0, recordsDlq: 0, retries: 0, commits: 0, transactionsAborted: 0, transactionsFenced: 0 };
  private lastError: StreamProcessorError | null = null;
  /** OpenTelemetry process spans and metrics, unless `ONEX_OTEL_DISABLED=true` when the processor was created. */
  private readonly otel = otelEnabledByEnv();

  constructor(readonly settings: StreamProcessorSettings) {}

  /** Current state kind. */
  get stateKind(): StreamProcessorState['kind'] {
    return this.state.kind;
  }

  /** Connects, subscribes and resolves once the consumer has joined its group. */
  async start(inputTopics: readonly string[], outputTopic: string, processorFunc: ProtocolKafkaStreamProcessor): Promise<void> {
    const { kind } = this.state;
    if (kind !== 'created' && kind !== 'stopped' && kind !== 'failed') {
      throw new StreamProcessorStateError(this.settings.processorId, kind, 'start');
    }
    const s = this.settings;
    this.setState({ kind: 'starting', since: Date.now() });
    this.stopRequested = false;
    const process: ProcessFn =
      typeof processorFunc === 'function' ? processorFunc : (record) => processorFunc.process(record);
    const connection = s.connection();
    const kafka = createKafka(connection);
    const exactlyOnce = s.guarantee === 'exactly_once';
    const consumer = kafka.consumer({
      groupId: s.applicationId,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      readUncommitted: !exactlyOnce,
      allowAutoTopicCreation: false,
      // Java's fetch.max.wait.ms: an idle fetch returns within 500 ms, so stop() does not wait kafkajs's 5 s.
      maxWaitTimeInMs: 500,
    });
    const producer = exactlyOnce ? undefined : kafka.producer({ allowAutoTopicCreation: true });
    const running: Running = { kafka, consumer, producer, partitionProducers: new Map(), inputTopics, outputTopic, process, admin: undefined };
    this.running = running;
    let removeJoin: (() => void) | undefined;
    let removeCrash: (() => void) | undefined;
    if (exactlyOnce) {
      // Close the producers of partitions this instance no longer owns, so their ids are free for the new owner.
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assigned = event.payload.memberAssignment;
        for (const key of [...running.partitionProducers.keys()]) {
          const { topic, partition } = parsePartitionKey(key);
          if (!(assigned[topic] ?? []).includes(partition)) this.closePartitionProducer(running, key);
        }
      });
    }
    try {
      await prepareTopics(kafka, inputTopics, s.createTopics ? [outputTopic, s.dlqTopic] : []);
      await producer?.connect();
      await consumer.connect();
      const joined = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new StreamProcessorStateError(s.processorId, 'starting', `join group '${s.applicationId}' within ${s.startTimeoutMs} ms`)),
          s.startTimeoutMs,
        );
        removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
          clearTimeout(timer);
          resolve();
        });
        removeCrash = consumer.on(consumer.events.CRASH, (event) => {
          const error = event.payload.error;
          this.recordError(error);
          if (!event.payload.restart) {
            clearTimeout(timer);
            reject(error);
            if (this.state.kind === 'running') void this.fail(error);
          }
        });
      });
      await consumer.subscribe({ topics: [...inputTopics], fromBeginning: s.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: s.concurrency,
        eachBatch: (payload) => this.onBatch(payload),
      });
      await joined;
      removeJoin?.();
      this.setState({ kind: 'running', since: Date.now() });
    } catch (error) {
      removeJoin?.();
      removeCrash?.();
      this.running = undefined;
      await consumer.disconnect().catch(() => undefined);
      await this.disconnectProducers(running);
      const mapped = toAdminError(error, `start stream processor '${s.processorId}'`, connection.brokers);
      this.recordError(mapped);
      this.setState({ kind: 'failed', since: Date.now(), error: mapped });
      throw mapped;
    }
  }

  /** Stops consuming after the in-flight message, produces and commits what was processed, disconnects. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running || this.state.kind === 'stopping') return;
    this.stopRequested = true;
    this.setState({ kind: 'stopping', since: Date.now() });
    try {
      await running.consumer.stop();
      await this.settled();
    } finally {
      await running.consumer.disconnect().catch(() => undefined);
      await this.disconnectProducers(running);
      this.running = undefined;
      // A fencing failure during the drain may have marked the processor failed; keep that.
      if ((this.state as StreamProcessorState).kind === 'stopping') this.setState({ kind: 'stopped', since: Date.now() });
    }
  }

  /** Status and metrics snapshot. */
  status(): StreamProcessorStatus {
    return {
      processorId: this.settings.processorId,
      applicationId: this.settings.applicationId,
      processingGuarantee: this.settings.guarantee,
      state: this.state,
      inputTopics: this.running?.inputTopics ?? [],
      outputTopic: this.running?.outputTopic ?? null,
      dlqTopic: this.settings.dlqTopic,
      metrics: this.metrics(),
    };
  }

  /** Metrics snapshot. */
  metrics(): StreamProcessorMetrics {
    const lagByPartition: Record<string, number> = {};
    let totalLag = 0;
    for (const [key, value] of this.lag) {
      lagByPartition[key] = value;
      totalLag += value;
    }
    return { ...this.counters, lagByPartition, totalLag, processingLatency: this.latency.summary(), lastError: this.lastError };
  }

  private async fail(error: Error): Promise<void> {
    const running = this.running;
    this.setState({ kind: 'failed', since: Date.now(), error });
    this.running = undefined;
    if (running) {
      this.stopRequested = true;
      await running.consumer.disconnect().catch(() => undefined);
      await this.disconnectProducers(running);
    }
  }

  /** Resolves once every transaction, commit and producer close started so far has settled. */
  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track<T>(task: Promise<T>): Promise<T> {
    const settledTask = task.catch(() => undefined);
    this.pending.add(settledTask);
    void settledTask.then(() => this.pending.delete(settledTask));
    return task;
  }

  private async disconnectProducers(running: Running): Promise<void> {
    await running.producer?.disconnect().catch(() => undefined);
    for (const key of [...running.partitionProducers.keys()]) this.closePartitionProducer(running, key);
    await this.settled();
    await running.admin?.disconnect().catch(() => undefined);
    running.admin = undefined;
  }

  /** The transactional producer of an input partition, created (and its id initialised) on first use. */
  private partitionProducer(running: Running, topic: string, partition: number): PartitionProducer {
    const key = partitionKey(topic, partition);
    const existing = running.partitionProducers.get(key);
    if (existing) {
      // Keep the map in least-recently-used order.
      running.partitionProducers.delete(key);
      running.partitionProducers.set(key, existing);
      return existing;
    }
    const s = this.settings;
    const transactionalId = `${s.transactionalIdPrefix}-${topic}-${partition}`;
    const producer = running.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: s.transactionTimeoutMs });
    const ready = (async () => {
      // connect() runs InitProducerId: from here on, an earlier owner of this partition is fenced and its open
      // transaction aborted, so the committed offset read next can no longer move behind our back.
      await producer.connect();
      const floor = await this.committedOffset(running, topic, partition);
      return { producer, floor };
    })();
    const entry: PartitionProducer = { transactionalId, ready, queue: Promise.resolve() };
    ready.catch(() => {
      // Not initialised (broker unreachable, fenced at once): the next batch of the partition tries anew.
      if (running.partitionProducers.get(key) === entry) running.partitionProducers.delete(key);
      void producer.disconnect().catch(() => undefined);
    });
    running.partitionProducers.set(key, entry);
    for (const [oldest] of running.partitionProducers) {
      if (running.partitionProducers.size <= s.maxTransactionalProducers) break;
      this.closePartitionProducer(running, oldest);
    }
    return entry;
  }

  /** Closes a partition's producer after its queued transactions; a later use creates a new one. */
  private closePartitionProducer(running: Running, key: string): void {
    const entry = running.partitionProducers.get(key);
    if (!entry) return;
    running.partitionProducers.delete(key);
    const close = entry.queue
      .catch(() => undefined)
      .then(() => entry.ready)
      .then(({ producer }) => producer.disconnect())
      .catch(() => undefined);
    entry.queue = close;
    void this.track(close);
  }

  private async committedOffset(running: Running, topic: string, partition: number): Promise<number> {
    if (!running.admin) {
      const admin = running.kafka.admin();
      running.admin = admin;
      await admin.connect();
    }
    const topics = await running.admin.fetchOffsets({ groupId: this.settings.applicationId, topics: [topic] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined ? -1 : Number(offset);
  }

  private setState(state: StreamProcessorState): void {
    this.state = state;
    if (channels.processorState.hasSubscribers) channels.processorState.publish({ processorId: this.settings.processorId, state });
  }

  private recordError(error: unknown, location?: string): void {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as { code?: unknown }).code;
    this.lastError = {
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(location !== undefined ? { location } : {}),
      at: Date.now(),
    };
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const running = this.running;
    if (!running) return;
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const messages = batch.messages;
    const chunkSize = this.settings.commitBatchSize;
    const exactlyOnce = this.settings.guarantee === 'exactly_once';
    // exactly_once: the partition's producer is initialised (fencing any earlier owner) before the first record.
    const owner = exactlyOnce ? this.partitionProducer(running, batch.topic, batch.partition) : undefined;
    const floor = owner ? (await owner.ready).floor : -1;
    // Heartbeat while a chunk is processed (a slow record must not cost the group membership); a failed
    // heartbeat (rebalance, fenced member) means the partition may be gone: the chunk is then not committed.
    let lost = false;
    const beat = (): void => {
      heartbeat().catch((error: unknown) => {
        lost = true;
        this.recordError(error, `${batch.topic}:${batch.partition}`);
      });
    };
    const heartbeats = setInterval(beat, this.settings.heartbeatIntervalMs);
    try {
      let index = 0;
      while (index < messages.length) {
        const end = Math.min(messages.length, index + chunkSize);
        const outputs = new Map<string, Message[]>();
        let last: KafkaMessage | undefined;
        let processed = 0;
        for (; index < end; index++) {
          if (this.stopRequested || !isRunning() || isStale()) break;
          const message = messages[index] as KafkaMessage;
          last = message;
          // Committed by the partition's previous owner after this batch was fetched.
          if (Number(message.offset) < floor) continue;
          await this.handle(running, batch, message, outputs, heartbeat);
          processed++;
        }
        if (last === undefined) return;
        if (lost || isStale()) return;
        const nextOffset = String(Number(last.offset) + 1);
        if (owner) {
          await this.commitTransaction(running, owner, batch, outputs, nextOffset, payload);
        } else {
          await this.produceThenCommit(running, batch, outputs, nextOffset);
        }
        resolveOffset(last.offset);
        this.counters.recordsIn += processed;
        this.lag.set(`${batch.topic}:${batch.partition}`, Math.max(0, Number(batch.highWatermark) - Number(nextOffset)));
        if (index < messages.length && (this.stopRequested || !isRunning() || isStale())) return;
        await heartbeat().catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeats);
    }
  }

  /** Runs the processor with retries (inside the record's process span when an SDK is registered). */
  private handle(running: Running, batch: Batch, message: KafkaMessage, outputs: Map<string, Message[]>, heartbeat: () => Promise<void>): Promise<void> {
    const traced = this.otel && telemetryActive() ? RecordTrace.start({ groupId: this.settings.applicationId, topic: batch.topic, partition: batch.partition }, message) : undefined;
    if (traced === undefined) return this.attempts(running, batch, message, outputs, heartbeat, undefined);
    return traced.run(() => this.attempts(running, batch, message, outputs, heartbeat, traced));
  }

  /** Runs the processor with retries; pushes its outputs, or the unchanged input to the DLQ. */
  private async attempts(
    running: Running,
    batch: Batch,
    message: KafkaMessage,
    outputs: Map<string, Message[]>,
    heartbeat: () => Promise<void>,
    traced: RecordTrace | undefined,
  ): Promise<void> {
    const s = this.settings;
    const attempts = s.maxRetries + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const started = performance.now();
      try {
        const produced = await this.processOnce(running, batch, message);
        this.latency.record(performance.now() - started);
        traced?.attemptSucceeded();
        for (const out of produced) {
          traced?.inject(out.message, false);
          push(outputs, out.topic, out.message);
        }
        return;
      } catch (error) {
        this.latency.record(performance.now() - started);
        traced?.attemptFailed(error);
        lastError = error;
        const location = `${batch.topic}:${batch.partition}@${message.offset}`;
        this.recordError(error, location);
        if (attempt < attempts) {
          this.counters.retries++;
          if (channels.retry.hasSubscribers) {
            channels.retry.publish({ processorId: s.processorId, topic: batch.topic, partition: batch.partition, offset: Number(message.offset), attempt, error });
          }
          await sleep(backoffDelay(attempt, { initialDelayMs: s.retryBackoffMs, maxDelayMs: MAX_BACKOFF_MS }));
          await heartbeat().catch(() => undefined);
        }
      }
    }
    const letter = this.deadLetter(batch, message, lastError, attempts);
    traced?.deadLettered(lastError, s.dlqTopic);
    traced?.inject(letter, true);
    push(outputs, s.dlqTopic, letter);
    this.counters.recordsDlq++;
    if (channels.deadLetter.hasSubscribers) {
      channels.deadLetter.publish({
        processorId: s.processorId,
        topic: batch.topic,
        partition: batch.partition,
        offset: Number(message.offset),
        dlqTopic: s.dlqTopic,
        error: lastError,
      });
    }
  }

  private async processOnce(running: Running, batch: Batch, message: KafkaMessage): Promise<{ topic: string; message: Message }[]> {
    const s = this.settings;
    const topic = batch.topic;
    let key: Uint8Array | null = message.key;
    let value: unknown = message.value;
    if (s.keySerde && key !== null) key = (await s.keySerde.deserialize(topic, key)) as Uint8Array | null;
    if (s.valueSerde && value !== null) value = await s.valueSerde.deserialize(topic, value as Uint8Array);
    const record: ProtocolKafkaStreamRecord = {
      key,
      value,
      headers: toHeaderBytes(message.headers),
      topic,
      partition: batch.partition,
      offset: Number(message.offset),
      timestamp: Number(message.timestamp),
    };
    let result = running.process(record);
    if (isThenable(result)) result = await withTimeout(result, s.processingTimeoutMs, () => new StreamProcessingTimeoutError(s.processorId, s.processingTimeoutMs, `${topic}:${batch.partition}@${message.offset}`));
    if (result === undefined || result === null) return [];
    const list = Array.isArray(result) ? (result as unknown[]) : [result];
    const produced: { topic: string; message: Message }[] = [];
    for (let i = 0; i < list.length; i++) {
      produced.push(await this.toOutput(list[i], i, running.outputTopic, message));
    }
    return produced;
  }

  private async toOutput(raw: unknown, index: number, outputTopic: string, input: KafkaMessage): Promise<{ topic: string; message: Message }> {
    const s = this.settings;
    if (typeof raw !== 'object' || raw === null || !('value' in raw)) {
      throw new InvalidStreamOutputError(`[${index}]`, 'must be an object with a value (and optional key, headers, topic)', raw);
    }
    const out = raw as ProtocolKafkaStreamOutput;
    let topic = outputTopic;
    if (out.topic !== undefined) {
      if (typeof out.topic !== 'string' || out.topic === '') throw new InvalidStreamOutputError(`[${index}].topic`, 'must be a non-empty string', out.topic);
      topic = out.topic;
    }
    let key: Buffer | null;
    if (!('key' in out) || out.key === undefined) key = input.key;
    else if (s.keySerde && out.key !== null) key = toBuffer(await s.keySerde.serialize(topic, out.key));
    else key = bytesOrString(out.key, `[${index}].key`);
    const value = s.valueSerde && out.value !== null ? toBuffer(await s.valueSerde.serialize(topic, out.value)) : bytesOrString(out.value, `[${index}].value`);
    const message: Message = { key, value, timestamp: input.timestamp };
    if (out.headers !== undefined) {
      if (typeof out.headers !== 'object' || out.headers === null) throw new InvalidStreamOutputError(`[${index}].headers`, 'must be an object of strings or bytes', out.headers);
      // No prototype: a header named `__proto__` (an own property of an object from JSON.parse) is a header, not a prototype.
      const headers = Object.create(null) as IHeaders;
      for (const [name, headerValue] of Object.entries(out.headers)) {
        const bytes = bytesOrString(headerValue, `[${index}].headers.${name}`);
        if (bytes !== null) headers[name] = bytes;
      }
      message.headers = headers;
    }
    return { topic, message };
  }

  private deadLetter(batch: Batch, message: KafkaMessage, error: unknown, attempts: number): Message {
    const e = error instanceof Error ? error : new Error(String(error));
    const headers: IHeaders = { ...(message.headers ?? {}) };
    headers[DEAD_LETTER_HEADERS.exception] = e.name;
    headers[DEAD_LETTER_HEADERS.message] = e.message;
    headers[DEAD_LETTER_HEADERS.stacktrace] = e.stack ?? '';
    headers[DEAD_LETTER_HEADERS.topic] = batch.topic;
    headers[DEAD_LETTER_HEADERS.partition] = String(batch.partition);
    headers[DEAD_LETTER_HEADERS.offset] = message.offset;
    headers[DEAD_LETTER_HEADERS.processorId] = this.settings.processorId;
    headers[DEAD_LETTER_HEADERS.attempts] = String(attempts);
    return { key: message.key, value: message.value, headers, timestamp: message.timestamp };
  }

  /** at_least_once: outputs acknowledged by the ISR first, then the input offset is committed. */
  private async produceThenCommit(running: Running, batch: Batch, outputs: Map<string, Message[]>, nextOffset: string): Promise<void> {
    const topicMessages = toTopicMessages(outputs);
    try {
      if (topicMessages.length > 0) await (running.producer as Producer).sendBatch({ topicMessages, acks: -1 });
      this.outputsSent(batch, topicMessages, nextOffset, false);
      await running.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
    } catch (error) {
      // Not committed: kafkajs restarts the consumer from the last committed offset (duplicates, no loss).
      this.recordError(error, `${batch.topic}:${batch.partition}`);
      throw error;
    }
    this.afterCommit(batch, topicMessages, nextOffset, false);
  }

  /** exactly_once: outputs, DLQ records and the input offset in one transaction, one at a time per partition. */
  private commitTransaction(
    running: Running,
    owner: PartitionProducer,
    batch: Batch,
    outputs: Map<string, Message[]>,
    nextOffset: string,
    payload: EachBatchPayload,
  ): Promise<void> {
    const task = owner.queue.then(() => this.runTransaction(running, owner, batch, outputs, nextOffset, payload));
    owner.queue = task.catch(() => undefined);
    return this.track(task);
  }

  private async runTransaction(
    running: Running,
    owner: PartitionProducer,
    batch: Batch,
    outputs: Map<string, Message[]>,
    nextOffset: string,
    payload: EachBatchPayload,
  ): Promise<void> {
    const s = this.settings;
    const topicMessages = toTopicMessages(outputs);
    const { producer } = await owner.ready;
    let lastError: unknown;
    for (let attempt = 1; attempt <= s.transactionRetries; attempt++) {
      const transaction = await producer.transaction().catch((error: unknown) => {
        lastError = error;
        return undefined;
      });
      if (transaction) {
        try {
          if (topicMessages.length > 0) await transaction.sendBatch({ topicMessages, acks: -1 });
          this.outputsSent(batch, topicMessages, nextOffset, true);
          await transaction.sendOffsets({
            consumerGroupId: s.applicationId,
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }],
          });
          await transaction.commit();
          this.afterCommit(batch, topicMessages, nextOffset, true);
          return;
        } catch (error) {
          lastError = error;
          let abortFailure: unknown;
          if (transaction.isActive()) await transaction.abort().catch((e: unknown) => (abortFailure = e));
          this.counters.transactionsAborted++;
          // A failed commit step can still reveal the fencing only in the abort (CONCURRENT_TRANSACTIONS on
          // AddOffsetsToTxn while the new owner's epoch bump completes, then INVALID_PRODUCER_EPOCH on EndTxn).
          if (abortFailure !== undefined && isFencedFailure(abortFailure)) lastError = abortFailure;
          else if (abortFailure !== undefined) {
            // kafkajs leaves a producer whose abort failed in ABORTING for good: every later transaction() throws.
            // Drop it; the batch is re-fetched and a new producer's InitProducerId aborts the open transaction.
            this.closePartitionProducer(running, partitionKey(batch.topic, batch.partition));
            const stuck = new StreamTransactionError(s.processorId, `transaction for ${batch.topic}:${batch.partition} could not be aborted: ${abortFailure instanceof Error ? abortFailure.message : String(abortFailure)}`, {
              cause: lastError,
            });
            this.recordError(stuck, `${batch.topic}:${batch.partition}`);
            throw stuck;
          }
        }
      }
      if (isFencedFailure(lastError)) {
        // Another instance owns this partition now and has aborted this transaction: drop the producer, let the
        // group rebalance, and never retry with a stale epoch.
        const fenced = new StreamTransactionError(
          s.processorId,
          `producer '${owner.transactionalId}' was fenced: ${batch.topic}:${batch.partition} is owned by another instance, its transaction was aborted`,
          { cause: lastError },
        );
        this.counters.transactionsFenced++;
        this.recordError(fenced, `${batch.topic}:${batch.partition}`);
        if (channels.fenced.hasSubscribers) channels.fenced.publish({ processorId: s.processorId, topic: batch.topic, partition: batch.partition, transactionalId: owner.transactionalId, error: fenced });
        if (running.partitionProducers.get(partitionKey(batch.topic, batch.partition)) === owner) {
          this.closePartitionProducer(running, partitionKey(batch.topic, batch.partition));
        }
        throw fenced;
      }
      this.recordError(lastError, `${batch.topic}:${batch.partition}`);
      await sleep(backoffDelay(attempt, { initialDelayMs: s.retryBackoffMs, maxDelayMs: MAX_BACKOFF_MS }));
      await payload.heartbeat().catch(() => undefined);
    }
    // Nothing of this batch is visible; throwing makes kafkajs re-fetch from the committed offset.
    const error = new StreamTransactionError(s.processorId, `transaction for ${batch.topic}:${batch.partition} failed ${s.transactionRetries} times`, { cause: lastError });
    this.recordError(error);
    throw error;
  }

  /** Outputs of a chunk are acknowledged by the broker; its input offset is not committed yet. */
  private outputsSent(batch: Batch, topicMessages: TopicMessages[], nextOffset: string, transactional: boolean): void {
    if (!channels.outputsSent.hasSubscribers) return;
    let outputs = 0;
    for (const t of topicMessages) outputs += t.messages.length;
    channels.outputsSent.publish({ processorId: this.settings.processorId, topic: batch.topic, partition: batch.partition, nextOffset: Number(nextOffset), outputs, transactional });
  }

  private afterCommit(batch: Batch, topicMessages: TopicMessages[], nextOffset: string, transactional: boolean): void {
    let outputs = 0;
    for (const t of topicMessages) if (t.topic !== this.settings.dlqTopic) outputs += t.messages.length;
    this.counters.recordsOut += outputs;
    this.counters.commits++;
    if (channels.commit.hasSubscribers) {
      channels.commit.publish({ processorId: this.settings.processorId, topic: batch.topic, partition: batch.partition, nextOffset: Number(nextOffset), outputs, transactional });
    }
  }
}

/** Checks that the input topics exist and creates missing output topics with the broker's defaults. */
async function prepareTopics(kafka: Kafka, inputs: readonly string[], outputs: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const absentInput = inputs.find((t) => !existing.has(t));
    if (absentInput !== undefined) throw new TopicNotFoundError(absentInput);
    const missing = [...new Set(outputs)].filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) }).catch((error: unknown) => {
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function parsePartitionKey(key: string): { topic: string; partition: number } {
  const colon = key.indexOf(':');
  return { topic: key.slice(colon + 1), partition: Number(key.slice(0, colon)) };
}

function push(outputs: Map<string, Message[]>, topic: string, message: Message): void {
  const list = outputs.get(topic);
  if (list) list.push(message);
  else outputs.set(topic, [message]);
}

function toTopicMessages(outputs: Map<string, Message[]>): TopicMessages[] {
  const list: TopicMessages[] = [];
  for (const [topic, messages] of outputs) list.push({ topic, messages });
  return list;
}

function toHeaderBytes(headers: IHeaders | undefined): Readonly<Record<string, Uint8Array>> {
  if (!headers) return EMPTY_HEADERS;
  let out: Record<string, Uint8Array> | undefined;
  for (const name in headers) {
    let value = headers[name];
    if (Array.isArray(value)) value = value[value.length - 1];
    if (value === undefined) continue;
    (out ??= {})[name] = typeof value === 'string' ? Buffer.from(value) : value;
  }
  return out ?? EMPTY_HEADERS;
}

function bytesOrString(value: unknown, field: string): Buffer | null {
  if (value === null) return null;
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return toBuffer(value);
  throw new InvalidStreamOutputError(field, 'must be bytes, a string or null (configure a serde for other values)', value);
}

function toBuffer(value: Uint8Array): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (!(value instanceof Uint8Array)) throw new InvalidStreamOutputError('serialize()', 'must return bytes', value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
