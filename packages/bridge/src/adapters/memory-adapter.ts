import type { ProtocolBridgeMessage, ProtocolBridgeResult, ProtocolEndpointHealth } from '@onex/spi-types';
import { BridgeConfigError, BridgeStoppedError } from '../errors/bridge-errors.js';
import type { BridgeAdapter, BridgeHandle, BridgeSource, BridgeTarget, DeliveryReceipt, OutboundMessage } from './bridge-adapter.js';
import { bridgeCheck } from '../internal/bridge-check.js';

/** A message a memory target received. */
export interface MemoryRecord extends OutboundMessage {
  /** Channel it was delivered to. */
  readonly channel: string;
  /** Position in the channel, from 0. */
  readonly sequence: number;
}

/** Receives every record delivered to a channel; throwing fails the delivery (the bridge retries). */
export type MemorySubscriber = (record: MemoryRecord) => void | Promise<void>;

/** Options of {@link MemoryAdapter}. */
export interface MemoryAdapterOptions {
  /** Records kept per channel (oldest dropped first). @default 10000 */
  readonly maxRetained?: number;
}

/** The last `capacity` records of a channel in a ring: appending never moves the older ones. */
class Channel {
  sequence = 0;
  readonly subscribers = new Set<MemorySubscriber>();
  readonly #ring: (MemoryRecord | undefined)[] = [];
  #head = 0;

  constructor(private readonly capacity: number) {}

  append(record: MemoryRecord): void {
    if (this.#ring.length < this.capacity) {
      this.#ring.push(record);
      return;
    }
    this.#ring[this.#head] = record;
    this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
  }

  /** Oldest first, as a new array. */
  snapshot(): MemoryRecord[] {
    const ring = this.#ring as MemoryRecord[];
    return this.#head === 0 ? ring.slice() : [...ring.slice(this.#head), ...ring.slice(0, this.#head)];
  }

  clear(): void {
    this.#ring.length = 0;
    this.#head = 0;
  }
}

/**
 * In-process adapter: sources read from named channels fed by {@link MemoryAdapter.publish},
 * targets append to channels that tests and applications read or subscribe to.
 */
export class MemoryAdapter implements BridgeAdapter {
  readonly protocol = 'memory';
  readonly #maxRetained: number;
  readonly #channels = new Map<string, Channel>();
  readonly #sources = new Map<string, Set<BridgeHandle>>();

  /** @throws BridgeConfigError when `maxRetained` is not a positive integer */
  constructor(options: MemoryAdapterOptions = {}) {
    const maxRetained = bridgeCheck.integer('maxRetained', options.maxRetained, { min: 1, max: Number.POSITIVE_INFINITY, fallback: 10_000 });
    this.#maxRetained = maxRetained;
  }

  /**
   * Feeds a message to every running bridge whose source is this channel.
   * @throws BridgeStoppedError when no bridge reads the channel
   */
  async publish(channel: string, message: ProtocolBridgeMessage): Promise<ProtocolBridgeResult[]> {
    const readers = [...(this.#sources.get(channel) ?? [])].filter((bridge) => bridge.accepting());
    if (readers.length === 0) throw new BridgeStoppedError(`memory:${channel}`);
    return Promise.all(readers.map((bridge) => bridge.send(message)));
  }

  /** The records a channel retains (the last `maxRetained`), oldest first, as a snapshot. */
  records(channel: string): readonly MemoryRecord[] {
    return this.#channel(channel).snapshot();
  }

  /** Calls `subscriber` for every record delivered to the channel; returns an unsubscribe function. */
  subscribe(channel: string, subscriber: MemorySubscriber): () => void {
    const entry = this.#channel(channel);
    entry.subscribers.add(subscriber);
    return () => entry.subscribers.delete(subscriber);
  }

  /** Drops a channel's records. */
  clear(channel: string): void {
    this.#channel(channel).clear();
  }

  validate(config: { sourceEndpoint?: string }, role: 'source' | 'target'): void {
    if (role === 'source' && !config.sourceEndpoint) {
      throw new BridgeConfigError('`sourceEndpoint` must name a memory channel for a memory source, got undefined');
    }
  }

  createSource(bridge: BridgeHandle): BridgeSource {
    const channel = stripScheme(bridge.config.sourceEndpoint ?? '');
    return {
      start: async () => {
        let set = this.#sources.get(channel);
        if (!set) this.#sources.set(channel, (set = new Set()));
        set.add(bridge);
      },
      stop: async () => {
        this.#sources.get(channel)?.delete(bridge);
      },
      check: async (): Promise<ProtocolEndpointHealth> => ({ reachable: true, detail: `memory channel '${channel}'` }),
    };
  }

  createTarget(): BridgeTarget {
    return {
      deliver: async (destination: string, message: OutboundMessage): Promise<DeliveryReceipt> => {
        const name = stripScheme(destination);
        const entry = this.#channel(name);
        const record: MemoryRecord = {
          body: message.body,
          payload: message.payload,
          key: message.key,
          headers: message.headers,
          contentType: message.contentType,
          deliveryId: message.deliveryId,
          channel: name,
          sequence: entry.sequence,
        };
        if (entry.subscribers.size > 0) for (const subscriber of entry.subscribers) await subscriber(record);
        entry.sequence += 1;
        entry.append(record);
        return { messageId: `${name}/${record.sequence}` };
      },
      check: async () => ({ reachable: true, detail: 'in-process' }),
      close: async () => undefined,
    };
  }

  #channel(name: string): Channel {
    let entry = this.#channels.get(name);
    if (!entry) this.#channels.set(name, (entry = new Channel(this.#maxRetained)));
    return entry;
  }
}

function stripScheme(endpoint: string): string {
  return endpoint.startsWith('memory:') ? endpoint.slice('memory:'.length) : endpoint;
}
