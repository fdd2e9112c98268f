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
import { nonNegative, positiveInteger, show } from '../communication-bridge-options.js';
import { BridgeConfigError } from '../errors/bridge-errors.js';
import { untilAborted } from '../internal/until-aborted.js';
import type { BridgeAdapter, BridgeHandle, BridgeResult, BridgeSource, BridgeTarget, OutboundMessage } from './bridge-adapter.js';

type ConnectionKeys = keyof ProtocolKafkaConnectionConfig;

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

  /** @throws BridgeConfigError when the client or an option is invalid */
  constructor(options: KafkaAdapterOptions) {
    if (typeof options?.client?.produceMessage !== 'function' || typeof options.client.consumeMessages !== 'function') {
      throw new BridgeConfigError('`client` must implement ProtocolKafkaClient (produceMessage/consumeMessages missing)');
    }
    const servers = options.connection?.bootstrapServers;
    if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && s !== '')) {
      throw new BridgeConfigError(`\`connection.bootstrapServers\` must be a non-empty list of host:port, got ${show(servers)}`);
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
      throw new BridgeConfigError(`\`sourceEndpoint\` must list the topics to read (comma-separated), got ${show(config.sourceEndpoint)}`);
    }
    const groupId = config.options?.['groupId'];
    if (role === 'source' && groupId !== undefined && (typeof groupId !== 'string' || groupId === '')) {
      throw new BridgeConfigError(`\`options.groupId\` must be a non-empty string, got ${show(groupId)}`);
    }
  }

  createTarget(bridge: BridgeHandle): BridgeTarget {
    const producer = (this.#producerId ??= this.#client.createProducer(this.#producerConfig).catch((error: unknown) => {
      this.#producerId = undefined;
      throw error;
    }));
    return {
      deliver: async (topic: string, message: OutboundMessage, signal: AbortSignal) => {
        // The SPI's produceMessage takes no signal: stop waiting when the bridge gives up (drain
        // timeout), even though the record may still be written afterwards.
        const id = await untilAborted(this.#producerId ?? producer, signal, topic);
        const result = await untilAborted(
          this.#client.produceMessage(id, topic, message.key, message.body, { headers: message.headers }),
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
    return new KafkaSource(this.#client, bridge, {
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
      const { commits, stuck } = committable(batch, results);
      if (commits.length > 0) {
        try {
          await this.client.commitOffsets(this.#consumerId!, commits);
        } catch (error) {
          this.bridge.reportSourceError(error, false);
        }
      }
      if (stuck) {
        // The pull API cannot seek back; stop here so the message is redelivered after a restart
        // instead of being skipped by a later commit.
        this.bridge.reportSourceError(
          new Error(`kafka source halted at ${stuck.topic}/${stuck.partition}/${stuck.offset}: ${stuck.reason}`),
          true,
        );
        this.#running = false;
      }
    }
  }

  async #forward(message: ProtocolKafkaMessage): Promise<BridgeResult | Error> {
    const converted: ProtocolBridgeMessage = {
      payload: message.value,
      headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v).toString('utf8')])),
      metadata: { source: 'kafka', topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp },
      ...(message.key ? { key: Buffer.from(message.key).toString('utf8') } : {}),
    };
    for (;;) {
      try {
        return await this.bridge.send(converted);
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

/** Offsets safe to commit: per partition, up to (excluding) the first message that was neither delivered nor dead-lettered. */
function committable(
  batch: readonly ProtocolKafkaMessage[],
  results: readonly (BridgeResult | Error)[],
): { commits: { topic: string; partition: number; offset: number }[]; stuck?: { topic: string; partition: number; offset: number; reason: string } } {
  const next = new Map<string, { topic: string; partition: number; offset: number }>();
  const blocked = new Set<string>();
  let stuck: { topic: string; partition: number; offset: number; reason: string } | undefined;
  batch.forEach((message, index) => {
    const id = `${message.topic}:${message.partition}`;
    if (blocked.has(id)) return;
    const result = results[index];
    const safe = result !== undefined && !(result instanceof Error) && (result.success || result.deadLettered === true);
    if (safe) {
      next.set(id, { topic: message.topic, partition: message.partition, offset: message.offset + 1 });
    } else {
      blocked.add(id);
      const reason = result instanceof Error ? result.message : (result?.error?.message ?? 'not delivered');
      const stopping = result instanceof Error && (result as { code?: string }).code === 'BRIDGE_STOPPED';
      if (!stopping) stuck ??= { topic: message.topic, partition: message.partition, offset: message.offset, reason };
    }
  });
  return { commits: [...next.values()], ...(stuck ? { stuck } : {}) };
}
