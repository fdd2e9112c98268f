import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ProtocolBridgeConfig,
  ProtocolBridgeMessage,
  ProtocolEndpointHealth,
  ProtocolKafkaClient,
  ProtocolKafkaConnectionConfig,
  ProtocolKafkaConsumerConfig,
  ProtocolKafkaMessage,
  ProtocolKafkaProducerConfig,
} from '@onex/spi-types';
import { nonNegative, positiveInteger } from '../communication-bridge-options.js';
import { BridgeConfigError, BridgeDeliveryAbortedError } from '../errors/bridge-errors.js';
import { kafkaIdempotencyKey } from '../internal/idempotency-key.js';
import { untilAborted } from '../internal/until-aborted.js';
import type {
  BridgeAdapter,
  BridgeHandle,
  BridgeResult,
  BridgeSource,
  BridgeTarget,
  KafkaPosition,
  OutboundMessage,
} from './bridge-adapter.js';
import { describeValue } from '@onex/spi-types/support';
import { bridgeCheck } from '../internal/bridge-check.js';

type ConnectionKeys = keyof ProtocolKafkaConnectionConfig;

/**
 * What a Kafka source does with a poison message, one it could neither deliver nor dead-letter:
 * stop reading (`halt`, nothing is lost), commit past it (`skip`, the message is lost on purpose),
 * or produce it to a parking topic and commit past it (`{ parkTopic }`).
 */
export type KafkaPoisonPolicy = 'halt' | 'skip' | { readonly parkTopic: string };

/** Options of {@link KafkaAdapter}. */
export interface KafkaAdapterOptions {
  /** The Kafka client every producer and consumer goes through. */
  readonly client: ProtocolKafkaClient;
  /** Brokers, client id, TLS and SASL settings. */
  readonly connection: ProtocolKafkaConnectionConfig;
  /** Producer settings (acks, compression, linger, …). */
  readonly producer?: Omit<ProtocolKafkaProducerConfig, ConnectionKeys>;
  /** Consumer settings; `groupId` defaults to `onex-bridge-<bridge name>` (or `config.options.groupId`). */
  readonly consumer?: Partial<Omit<ProtocolKafkaConsumerConfig, ConnectionKeys>>;
  /** Longest wait of one poll, in ms. @default 500 */
  readonly pollTimeoutMs?: number;
  /** Wait after a failed poll or commit before trying again, in ms. @default 1000 */
  readonly errorBackoffMs?: number;
}

/**
 * Kafka through an injected `ProtocolKafkaClient`: as a target it produces (message id
 * `topic/partition/offset`); as a source it polls the topics of `sourceEndpoint` (comma-separated)
 * and commits an offset only once every earlier message of its partition was delivered or dead-lettered.
 */
export class KafkaAdapter implements BridgeAdapter {
  readonly protocol = 'kafka';
  readonly #client: ProtocolKafkaClient;
  readonly #connection: ProtocolKafkaConnectionConfig;
  readonly #producerConfig: ProtocolKafkaProducerConfig;
  readonly #consumer: Partial<Omit<ProtocolKafkaConsumerConfig, ConnectionKeys>>;
  readonly #pollTimeoutMs: number;
  readonly #errorBackoffMs: number;
  #producerId: Promise<string> | undefined;
  /** The producer id once created: deliveries then go straight to `produceMessage`, without a wait on the id. */
  #readyProducerId: string | undefined;

  /** @throws BridgeConfigError when the client or an option is invalid */
  constructor(options: KafkaAdapterOptions) {
    if (typeof options?.client?.produceMessage !== 'function' || typeof options.client.consumeMessages !== 'function') {
      throw new BridgeConfigError('`client` must implement ProtocolKafkaClient (produceMessage/consumeMessages missing)');
    }
    const servers = options.connection?.bootstrapServers;
    if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && s !== '')) {
      throw bridgeCheck.fail(`connection.bootstrapServers`, `a non-empty list of host:port`, servers);
    }
    this.#client = options.client;
    this.#connection = options.connection;
    this.#producerConfig = { ...options.producer, ...options.connection };
    this.#consumer = options.consumer ?? {};
    this.#pollTimeoutMs = positiveInteger('pollTimeoutMs', options.pollTimeoutMs, 500);
    this.#errorBackoffMs = nonNegative('errorBackoffMs', options.errorBackoffMs, 1000);
  }

  validate(config: ProtocolBridgeConfig, role: 'source' | 'target'): void {
    if (role === 'source' && topicsOf(config).length === 0) {
      throw new BridgeConfigError(`\`sourceEndpoint\` must list the topics to read (comma-separated), got ${describeValue(config.sourceEndpoint)}`);
    }
    if (role === 'source') poisonPolicy(config);
    const groupId = config.options?.['groupId'];
    if (role === 'source' && groupId !== undefined && (typeof groupId !== 'string' || groupId === '')) {
      throw bridgeCheck.fail(`options.groupId`, `a non-empty string`, groupId);
    }
  }

  /** The shared producer's id, created on first use (again after a failed creation). */
  #producer(): Promise<string> {
    return (this.#producerId ??= this.#client.createProducer(this.#producerConfig).then(
      (id) => (this.#readyProducerId = id),
      (error: unknown) => {
        this.#producerId = undefined;
        throw error;
      },
    ));
  }

  createTarget(bridge: BridgeHandle): BridgeTarget {
    const producer = this.#producer();
    return {
      deliver: async (topic: string, message: OutboundMessage, signal: AbortSignal) => {
        // The SPI's produceMessage takes no signal: stop waiting when the bridge gives up (drain
        // timeout), even though the record may still be written afterwards.
        if (signal.aborted) throw new BridgeDeliveryAbortedError(topic, signal.reason);
        // Once the id is known, no wait (and no abort listener) per record before produceMessage.
        const id = this.#readyProducerId ?? (await untilAborted(this.#producerId ?? producer, signal, topic));
        const result = await untilAborted(
          this.#client.produceMessage(id, topic, message.key, message.body, {
            headers: message.headers,
            // A dead-lettered message goes to its DLQ topic's own partitioning, not the partition asked for.
            ...(message.partition !== undefined && message.deadLetter !== true ? { partition: message.partition } : {}),
          }),
          signal,
          topic,
        );
        const kafka = { topic: result.topic, partition: result.partition, offset: result.offset };
        return { messageId: `${result.topic}/${result.partition}/${result.offset}`, kafka };
      },
      check: async (): Promise<ProtocolEndpointHealth> => {
        const topic = bridge.config.targetTopic;
        try {
          if (topic) {
            const metadata = await this.#client.getTopicMetadata(topic);
            return { reachable: true, detail: `topic '${topic}' has ${metadata.partitionCount} partition(s)` };
          }
          const metrics = await this.#client.getKafkaMetrics(this.#connection.clientId ?? 'onex');
          return { reachable: metrics.connectionState === 'connected', detail: `connection ${metrics.connectionState}` };
        } catch (error) {
          return { reachable: false, detail: (error as Error).message };
        }
      },
      close: async () => undefined,
    };
  }

  createSource(bridge: BridgeHandle): BridgeSource {
    return new KafkaSource(this.#client, bridge, poisonPolicy(bridge.config), () => this.#producer(), {
      ...this.#consumer,
      ...this.#connection,
      groupId: (bridge.config.options?.['groupId'] as string | undefined) ?? this.#consumer.groupId ?? `onex-bridge-${bridge.name}`,
      autoOffsetReset: this.#consumer.autoOffsetReset ?? 'earliest',
      enableAutoCommit: false,
    }, topicsOf(bridge.config), this.#pollTimeoutMs, this.#errorBackoffMs);
  }
}

/** Poll loop of one Kafka-sourced bridge. */
class KafkaSource implements BridgeSource {
  #consumerId: string | undefined;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly client: ProtocolKafkaClient,
    private readonly bridge: BridgeHandle,
    private readonly onPoison: KafkaPoisonPolicy,
    private readonly producer: () => Promise<string>,
    private readonly config: ProtocolKafkaConsumerConfig,
    private readonly topics: readonly string[],
    private readonly pollTimeoutMs: number,
    private readonly errorBackoffMs: number,
  ) {}

  async start(): Promise<void> {
    this.#consumerId = await this.client.createConsumer(this.config);
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async check(): Promise<ProtocolEndpointHealth> {
    try {
      const counts = await Promise.all(this.topics.map(async (t) => (await this.client.getTopicMetadata(t)).partitionCount));
      return { reachable: true, detail: `${counts.reduce((a, b) => a + b, 0)} partition(s) in ${this.topics.join(', ')}` };
    } catch (error) {
      return { reachable: false, detail: (error as Error).message };
    }
  }

  async lag(): Promise<number | undefined> {
    const info = await this.client.getConsumerGroupInfo(this.config.groupId);
    return info.offsets.filter((o) => this.topics.includes(o.topic)).reduce((sum, o) => sum + Math.max(0, o.lag), 0);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let batch: ProtocolKafkaMessage[];
      try {
        batch = await this.client.consumeMessages(this.#consumerId!, this.topics, this.pollTimeoutMs);
      } catch (error) {
        this.bridge.reportSourceError(error, false);
        await sleep(this.errorBackoffMs);
        continue;
      }
      if (batch.length === 0) continue;
      const results = await Promise.all(batch.map((message) => this.#forward(message)));
      const { commits, halt } = await this.#settle(batch, results);
      if (commits.length > 0) {
        try {
          await this.client.commitOffsets(this.#consumerId!, commits);
        } catch (error) {
          this.bridge.reportSourceError(error, false);
        }
      }
      if (halt) {
        // The pull API cannot seek back; stop here so the message is redelivered after a restart
        // instead of being skipped by a later commit.
        this.bridge.reportPoison({ decision: 'halted', position: halt.position, error: halt.error });
        this.#running = false;
      }
    }
  }

  /**
   * Offsets safe to commit: per partition, up to (excluding) the first message that was neither
   * delivered nor dead-lettered, unless the poison policy skipped or parked it.
   */
  async #settle(
    batch: readonly ProtocolKafkaMessage[],
    results: readonly (BridgeResult | Error)[],
  ): Promise<{ commits: KafkaPosition[]; halt?: { position: KafkaPosition; error: { code: string; message: string } } }> {
    const next = new Map<string, KafkaPosition>();
    const blocked = new Set<string>();
    let halt: { position: KafkaPosition; error: { code: string; message: string } } | undefined;
    for (const [index, message] of batch.entries()) {
      const id = `${message.topic}:${message.partition}`;
      if (blocked.has(id)) continue;
      const result = results[index];
      const position = { topic: message.topic, partition: message.partition, offset: message.offset };
      const following = { ...position, offset: message.offset + 1 };
      if (result !== undefined && !(result instanceof Error) && (result.success || result.deadLettered === true)) {
        next.set(id, following);
        continue;
      }
      // A bridge that is stopping did not fail the message: it is read again after a restart.
      if (result instanceof Error && (result as { code?: string }).code === 'BRIDGE_STOPPED') {
        blocked.add(id);
        continue;
      }
      let error = failureOf(result);
      if (this.onPoison === 'skip') {
        this.bridge.reportPoison({ decision: 'skipped', position, error });
        next.set(id, following);
        continue;
      }
      if (this.onPoison !== 'halt') {
        const { parkTopic } = this.onPoison;
        try {
          await this.#park(message, parkTopic, error);
          this.bridge.reportPoison({ decision: 'parked', position, error, parkTopic });
          next.set(id, following);
          continue;
        } catch (caught) {
          error = { code: error.code, message: `${error.message}; parking it in '${parkTopic}' also failed: ${(caught as Error)?.message ?? String(caught)}` };
        }
      }
      blocked.add(id);
      halt ??= { position, error };
    }
    return { commits: [...next.values()], ...(halt ? { halt } : {}) };
  }

  /** Produces a poison message, as it was read, to the parking topic, with why and where it came from. */
  async #park(message: ProtocolKafkaMessage, parkTopic: string, error: { code: string; message: string }): Promise<void> {
    const headers: Record<string, Uint8Array | string> = {
      ...message.headers,
      'x-onex-error-code': error.code,
      'x-onex-error-message': error.message.replace(/[\r\n]+/g, ' ').slice(0, 1024),
      'x-onex-original-position': `${message.topic}/${message.partition}/${message.offset}`,
      'x-onex-bridge': this.bridge.name,
    };
    await this.client.produceMessage(await this.producer(), parkTopic, message.key, message.value, { headers });
  }

  async #forward(message: ProtocolKafkaMessage): Promise<BridgeResult | Error> {
    const converted: ProtocolBridgeMessage = {
      payload: message.value,
      headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v).toString('utf8')])),
      metadata: { source: 'kafka', topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp },
      ...(message.key ? { key: Buffer.from(message.key).toString('utf8') } : {}),
    };
    // The same for every redelivery of this record to this group, after a restart too.
    const idempotencyKey = kafkaIdempotencyKey(this.config.groupId, message.topic, message.partition, message.offset);
    for (;;) {
      try {
        return await this.bridge.send(converted, { idempotencyKey });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'BRIDGE_OVERLOADED' && this.bridge.accepting()) {
          await sleep((error as { retryAfterMs?: number }).retryAfterMs ?? 100);
          continue;
        }
        return error as Error;
      }
    }
  }
}

function topicsOf(config: ProtocolBridgeConfig): string[] {
  return (config.sourceEndpoint ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** Why a message counts as poison: the bridge's error, or the failure in its result. */
function failureOf(result: BridgeResult | Error | undefined): { code: string; message: string } {
  if (result instanceof Error) {
    const code = (result as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'INTERNAL', message: result.message };
  }
  return { code: result?.error?.code ?? 'INTERNAL', message: result?.error?.message ?? 'not delivered' };
}

/**
 * The poison policy of a Kafka source (`config.options.onPoison`).
 * @throws BridgeConfigError when it is not 'halt', 'skip' or { parkTopic }
 */
function poisonPolicy(config: ProtocolBridgeConfig): KafkaPoisonPolicy {
  const value: unknown = config.options?.['onPoison'];
  if (value === undefined || value === 'halt') return 'halt';
  if (value === 'skip') return 'skip';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1) {
    const parkTopic = (value as { parkTopic?: unknown }).parkTopic;
    if (typeof parkTopic === 'string' && parkTopic !== '') return { parkTopic };
  }
  throw bridgeCheck.fail(`options.onPoison`, `'halt', 'skip' or { parkTopic: '<topic>' }`, value);
}
