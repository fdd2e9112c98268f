import type {
  ContextValue,
  ProtocolBridgeConfig,
  ProtocolBridgeMessage,
  ProtocolBridgeMetrics,
  ProtocolBridgeResult,
  ProtocolBridgeStatus,
  ProtocolEndpointHealth,
} from '@onex/spi-types';
import type { MessageCodec } from '../format/message-codec.js';

/** What a target delivers: the payload in wire form plus the mapped key and headers. */
export interface OutboundMessage {
  /** Payload serialised per the bridge's message format. */
  readonly body: string | Uint8Array;
  /** The payload before serialisation (for adapters that send JSON natively). */
  readonly payload: ContextValue;
  /** Message key, or null. */
  readonly key: string | null;
  /** Headers to send (original headers plus `headerMapping`). */
  readonly headers: Readonly<Record<string, string>>;
  /** `content-type` of `body`. */
  readonly contentType: string;
  /**
   * Idempotency key of this message, reused across retries and by every redelivery of the same
   * source record, so receivers can deduplicate: the caller's `idempotencyKey`, else one derived from
   * the Kafka position (`kafka/<group>/<topic>/<partition>/<offset>`), else a generated unique one.
   */
  readonly deliveryId: string;
  /** True when this delivery goes to the dead-letter destination (headers then include `x-onex-error-code`). */
  readonly deadLetter?: boolean;
  /** Partition the sender asked for; Kafka targets produce to it (not when dead-lettering), others ignore it. */
  readonly partition?: number;
}

/** Where a record sits in Kafka. */
export interface KafkaPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Where a target delivered: the target-side message id, plus the structured position when the
 * target is Kafka, so nobody has to parse it back out of the id.
 */
export interface DeliveryReceipt {
  /** Message id at the target (`topic/partition/offset` for Kafka, the `x-message-id` answer of a webhook, …). */
  readonly messageId: string;
  /** The record's position, set by Kafka targets only. */
  readonly kafka?: KafkaPosition;
}

/** One delivery of a {@link BridgeResult}: the SPI's result plus the target's receipt. */
export interface BridgeDeliveryResult extends Omit<ProtocolBridgeResult, 'deliveries'> {
  /**
   * Structured receipt of the target that took the message (the dead-letter target's for a
   * dead-lettered one), present when it says more than `messageId`: a Kafka position.
   */
  readonly receipt?: DeliveryReceipt;
}

/** What a source decided about a poison message (one it could neither deliver nor dead-letter). */
export type PoisonDecision = 'halted' | 'skipped' | 'parked';

/** A poison-message decision as a source reports it to its bridge. */
export interface PoisonReport {
  readonly decision: PoisonDecision;
  /** Where the message sits in the source. */
  readonly position: KafkaPosition;
  /** Why it could not be delivered (or parked). */
  readonly error: { readonly code: string; readonly message: string };
  /** Topic it was parked in, for `parked`. */
  readonly parkTopic?: string;
}

/** `ProtocolBridgeMetrics` plus the poison-message decisions of the bridge's source. */
export interface BridgeMetrics extends ProtocolBridgeMetrics {
  /** Poison messages by decision: the source halted on one, skipped it, or parked it. */
  readonly poison: { readonly halted: number; readonly skipped: number; readonly parked: number };
}

/** What `sendMessageThroughBridge` resolves with: a `ProtocolBridgeResult` that also carries the structured receipt. */
export interface BridgeResult extends BridgeDeliveryResult {
  /** Per-target results when the message fanned out. */
  readonly deliveries?: readonly BridgeDeliveryResult[];
}

/** The sending side of an adapter, one per bridge. */
export interface BridgeTarget {
  /**
   * Delivers one message to a destination (topic, URL, channel); `attempt` counts this message's
   * attempts at this destination from 1 (the webhook sink reports `attempt - 1` as the CLIENT span's
   * `http.request.resend_count`). Runs in the message's process-span context when telemetry is on.
   * Throw an error whose `details.retryable` is `false` to skip retries (e.g. an HTTP 400).
   */
  deliver(destination: string, message: OutboundMessage, signal: AbortSignal, attempt: number): Promise<DeliveryReceipt>;
  /** Checks that the target is reachable. */
  check(): Promise<ProtocolEndpointHealth>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The receiving side of an adapter, one per bridge. */
export interface BridgeSource {
  /** Starts reading; resolves once the source is ready. */
  start(): Promise<void>;
  /** Stops reading new messages; resolves when no message is still being handed to the bridge by the source. */
  stop(): Promise<void>;
  /** Checks that the source is reachable. */
  check(): Promise<ProtocolEndpointHealth>;
  /** Messages waiting at the source (Kafka consumer lag), when known. */
  lag?(): Promise<number | undefined>;
}

/** Per-message options of `send` / `sendMessageThroughBridge`. */
export interface BridgeSendOptions {
  /**
   * Idempotency key sent downstream (a webhook's `Idempotency-Key`) for this message, instead of a
   * generated one: give the same key when the same message is sent again, so the receiver can
   * deduplicate. 1 to 1024 visible ASCII characters.
   */
  readonly idempotencyKey?: string;
  /** Partition to produce to (a non-negative integer); Kafka targets honour it, other targets ignore it. */
  readonly partition?: number;
}

/** A bridge as an adapter sees it. */
export interface BridgeHandle {
  /** Bridge id. */
  readonly bridgeId: string;
  /** Bridge name. */
  readonly name: string;
  /** The validated config. */
  readonly config: ProtocolBridgeConfig;
  /** Protocol of the bridge's target adapter (`kafka`, `http`, …). */
  readonly targetProtocol: string;
  /** Codec of the bridge's message format. */
  readonly codec: MessageCodec;
  /** False when the bridge's OpenTelemetry is turned off (`telemetry: false` or `ONEX_OTEL_DISABLED`); adapters then make no spans. */
  readonly telemetry?: boolean;
  /** Runs a message through the bridge pipeline (routing, retries, DLQ). */
  send(message: ProtocolBridgeMessage, options?: BridgeSendOptions): Promise<BridgeResult>;
  /** True while the bridge accepts messages. */
  accepting(): boolean;
  /**
   * Resolves once the bridge's queue has room for another message (at once when it has), so a
   * source that cannot be told to resend can stop reading instead of meeting `BRIDGE_OVERLOADED`.
   */
  whenRoom(): Promise<void>;
  /** Records a source failure in the status; `halted` marks the source as stopped until the bridge is recreated. */
  reportSourceError(error: unknown, halted: boolean): void;
  /** Counts, publishes (`onex:bridge:poison`) and records a poison-message decision; `halted` also marks the source as stopped. */
  reportPoison(report: PoisonReport): void;
  /** Status snapshot. */
  status(): ProtocolBridgeStatus;
  /** Metrics snapshot. */
  metrics(): BridgeMetrics;
}

/** A protocol adapter: creates sources and/or targets for bridges. */
export interface BridgeAdapter {
  /** Protocol name used in `createBridge` (`kafka`, `http`, …). */
  readonly protocol: string;
  /**
   * Validates the adapter-specific parts of a bridge config before anything is created.
   * @throws BridgeConfigError naming the bad field
   */
  validate?(config: ProtocolBridgeConfig, role: 'source' | 'target'): void;
  /** Creates the source side of a bridge; absent when the protocol cannot be a source. */
  createSource?(bridge: BridgeHandle): BridgeSource;
  /** Creates the target side of a bridge; absent when the protocol cannot be a target. */
  createTarget?(bridge: BridgeHandle): Promise<BridgeTarget> | BridgeTarget;
}
