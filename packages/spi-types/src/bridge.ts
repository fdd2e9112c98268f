import type { ContextValue, LiteralCircuitState, ProtocolLatencySummary } from './common.js';

/** How a bridge reads and writes payloads. */
export type LiteralBridgeMessageFormat = 'json' | 'text' | 'bytes';

/** Life cycle of a bridge. */
export type LiteralBridgeState = 'created' | 'running' | 'degraded' | 'stopped';

/** Retry policy of bridge deliveries. */
export interface ProtocolBridgeRetryPolicy {
  /** Retries after the first attempt. @default 3 */
  readonly maxRetries?: number;
  /** First backoff delay in ms (doubles each retry). @default 100 */
  readonly initialDelayMs?: number;
  /** Cap on one delay in ms. @default 5000 */
  readonly maxDelayMs?: number;
}

/** The seed's `ProtocolBridgeConfig`. */
export interface ProtocolBridgeConfig {
  /** Where the source adapter reads (an HTTP path or URL, a topic list, a WebSocket URL, a memory channel). */
  readonly sourceEndpoint?: string;
  /** Default target topic (Kafka targets). */
  readonly targetTopic?: string;
  /** Default target endpoint (HTTP/WebSocket/memory targets). */
  readonly targetEndpoint?: string;
  /** Payload format. @default 'json' */
  readonly messageFormat?: LiteralBridgeMessageFormat;
  /** Expression or dotted path giving the message key (e.g. `payload.user_id`). */
  readonly keyMapping?: string;
  /** Target header name to expression or dotted path giving its value. */
  readonly headerMapping?: Readonly<Record<string, string>>;
  /** Delivery retry policy. */
  readonly retryPolicy?: ProtocolBridgeRetryPolicy;
  /** Dead-letter target (topic or endpoint of the target protocol, or `memory:<name>`). */
  readonly dlqTarget?: string;
  /** Messages delivered at once. @default 16 */
  readonly concurrency?: number;
  /** Preserve order per key. @default false */
  readonly ordering?: boolean;
  /** First matching rule wins, or every matching rule gets a copy. @default 'first_match' */
  readonly routingMode?: 'first_match' | 'fan_out';
  /** Unmatched messages go to the default target or are rejected. @default 'default' */
  readonly unmatched?: 'default' | 'reject';
  /** Circuit name used with the injected breaker. @default the bridge name */
  readonly circuitName?: string;
  /** Adapter-specific options. */
  readonly options?: Readonly<Record<string, ContextValue>>;
}

/** The seed's `ProtocolBridgeMessage`. */
export interface ProtocolBridgeMessage {
  /** The payload (object for json, string for text, bytes for bytes). */
  readonly payload: ContextValue;
  /** Headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Metadata (source, timestamps, …), visible to routing rules. */
  readonly metadata?: Readonly<Record<string, ContextValue>>;
  /** Explicit key (overrides `keyMapping`). */
  readonly key?: string;
}

/** The seed's `ProtocolBridgeResult`. */
export interface ProtocolBridgeResult {
  /** True when delivered to every routed target. */
  readonly success: boolean;
  /** Id at the target (`topic/partition/offset` for Kafka). */
  readonly messageId?: string;
  /** Target delivered to (or attempted). */
  readonly target?: string;
  /** Delivery attempts made. */
  readonly attempts: number;
  /** True when the message went to the dead-letter target. */
  readonly deadLettered?: boolean;
  /** What failed. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Per-target results when the message fanned out. */
  readonly deliveries?: readonly Omit<ProtocolBridgeResult, 'deliveries'>[];
}

/** The seed's `ProtocolBridgeStatus`. */
export interface ProtocolBridgeStatus {
  /** Bridge id. */
  readonly bridgeId: string;
  /** Bridge name. */
  readonly name: string;
  /** State. */
  readonly state: LiteralBridgeState;
  /** Messages handled (delivered, failed or dead-lettered). */
  readonly messagesProcessed: number;
  /** Messages whose delivery failed. */
  readonly messagesFailed: number;
  /** Messages sent to the dead-letter target. */
  readonly messagesDeadLettered: number;
  /** Messages in flight now. */
  readonly inFlight: number;
  /** The last error. */
  readonly lastError?: { readonly at: number; readonly code: string; readonly message: string };
}

/** The seed's `ProtocolBridgeMetrics`. */
export interface ProtocolBridgeMetrics {
  /** Bridge id. */
  readonly bridgeId: string;
  /** Messages received. */
  readonly messagesIn: number;
  /** Messages delivered. */
  readonly messagesOut: number;
  /** Delivered messages per second over the last minute. */
  readonly throughputPerSecond: number;
  /** End-to-end latency of `sendMessageThroughBridge`. */
  readonly latency: ProtocolLatencySummary;
  /** Deliveries per route (rule name or target). */
  readonly perRoute: Readonly<Record<string, number>>;
  /** Retries made. */
  readonly retries: number;
  /** Messages dead-lettered. */
  readonly dlqCount: number;
  /** Routing rule evaluations that raised an error (counted as no match). */
  readonly ruleEvaluationErrors: number;
  /** Unmatched messages. */
  readonly unmatched: number;
}

/** The seed's `ProtocolRoutingRule`. */
export interface ProtocolRoutingRule {
  /** Condition expression, e.g. `payload.event == 'user_login'`. */
  readonly condition: string;
  /** Target topic. */
  readonly targetTopic?: string;
  /** Target endpoint. */
  readonly targetEndpoint?: string;
  /** Rule name used in metrics. @default the condition */
  readonly name?: string;
}

/** The seed's `ProtocolBridgeInfo`. */
export interface ProtocolBridgeInfo {
  /** Bridge id. */
  readonly bridgeId: string;
  /** Bridge name. */
  readonly name: string;
  /** Source protocol. */
  readonly sourceProtocol: string;
  /** Target protocol. */
  readonly targetProtocol: string;
  /** State. */
  readonly state: LiteralBridgeState;
  /** Creation time, epoch ms. */
  readonly createdAt: number;
}

/** Reachability of one side of a bridge. */
export interface ProtocolEndpointHealth {
  /** Whether it answered. */
  readonly reachable: boolean;
  /** Detail (error message, latency, …). */
  readonly detail?: string;
}

/** The seed's `ProtocolBridgeHealth`. */
export interface ProtocolBridgeHealth {
  /** Bridge id. */
  readonly bridgeId: string;
  /** Verdict. */
  readonly verdict: 'healthy' | 'degraded' | 'unhealthy';
  /** Source side. */
  readonly source: ProtocolEndpointHealth;
  /** Target side. */
  readonly target: ProtocolEndpointHealth;
  /** State of the circuit guarding the target, when a breaker is injected. */
  readonly breakerState?: LiteralCircuitState;
  /** Lag of a Kafka source. */
  readonly lag?: number;
  /** Why the verdict is not healthy. */
  readonly reasons: readonly string[];
  /** When checked, epoch ms. */
  readonly checkedAt: number;
}

/** The seed's `ProtocolCommunicationBridge`. */
export interface ProtocolCommunicationBridge {
  /** Creates a bridge; resolves with its id. */
  createBridge(
    bridgeName: string,
    sourceProtocol: string,
    targetProtocol: string,
    config: ProtocolBridgeConfig,
  ): Promise<string>;
  /** Drains in-flight messages and stops a bridge; resolves true when stopped. */
  destroyBridge(bridgeId: string): Promise<boolean>;
  /** Routes and delivers one message. */
  sendMessageThroughBridge(bridgeId: string, message: ProtocolBridgeMessage): Promise<ProtocolBridgeResult>;
  /** Status of a bridge. */
  getBridgeStatus(bridgeId: string): Promise<ProtocolBridgeStatus>;
  /** Metrics of a bridge. */
  getBridgeMetrics(bridgeId: string): Promise<ProtocolBridgeMetrics>;
  /** Replaces the routing rules (compiled now); resolves true when applied. */
  configureBridgeRouting(bridgeId: string, routingRules: readonly ProtocolRoutingRule[]): Promise<boolean>;
  /** Every bridge. */
  getAllBridges(): Promise<ProtocolBridgeInfo[]>;
  /** Checks source, target and breaker and gives a verdict. */
  monitorBridgeHealth(bridgeId: string): Promise<ProtocolBridgeHealth>;
}
