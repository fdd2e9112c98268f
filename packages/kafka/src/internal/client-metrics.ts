import type { ProtocolKafkaMetrics } from '@onex/spi-types';
import { LatencyWindow } from '@onex/spi-types/support';
import type { KafkaMetrics } from '../kafka-metrics.js';

/** Connection state of one producer or consumer. */
export type ConnectionState = ProtocolKafkaMetrics['connectionState'];

/**
 * Counters of every producer and consumer sharing one client id. Memory is bounded: fixed-size
 * latency ring, error counts keyed by the finite code list, lag keyed by assigned partitions.
 */
export class ClientMetrics {
  readonly clientId: string;
  messagesProduced = 0;
  bytesProduced = 0;
  messagesConsumed = 0;
  bytesConsumed = 0;
  batchesSent = 0;
  batchedMessages = 0;
  rebalances = 0;
  blockedSends = 0;
  bufferFullErrors = 0;
  partitionsRevoked = 0;
  droppedBufferedMessages = 0;
  pollIntervalExceeded = 0;
  commitFailures = 0;
  unknownOutcomeResends = 0;
  deliveryTimeouts = 0;
  /** Producer buffer usage per producer id: bytes held and `bufferMemoryBytes`. */
  readonly bufferByMember = new Map<string, { used: number; limit: number }>();
  readonly errorsByCode = new Map<string, number>();
  readonly produceLatency = new LatencyWindow({ capacity: 1024 });
  /** Lag by `topic:partition`, per consumer id, so a closed consumer's partitions can be dropped. */
  readonly lagByMember = new Map<string, Map<string, number>>();
  readonly connectionByMember = new Map<string, ConnectionState>();

  constructor(clientId: string) {
    this.clientId = clientId;
  }

  /** Counts one error by its code. */
  recordError(code: string): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }

  /** Sets a producer's or consumer's connection state. */
  setConnection(memberId: string, state: ConnectionState): void {
    this.connectionByMember.set(memberId, state);
  }

  /** Forgets a closed producer or consumer (its counters stay in the totals). */
  removeMember(memberId: string): void {
    this.connectionByMember.delete(memberId);
    this.lagByMember.delete(memberId);
    this.bufferByMember.delete(memberId);
  }

  /** True when no open producer or consumer uses this client id. */
  get idle(): boolean {
    return this.connectionByMember.size === 0;
  }

  /** A plain snapshot. */
  snapshot(): KafkaMetrics {
    const consumerLag: Record<string, number> = {};
    for (const lags of this.lagByMember.values()) {
      for (const [key, lag] of lags) consumerLag[key] = lag;
    }
    let bufferUsedBytes = 0;
    let bufferLimitBytes = 0;
    for (const { used, limit } of this.bufferByMember.values()) {
      bufferUsedBytes += used;
      bufferLimitBytes += limit;
    }
    const states = new Set(this.connectionByMember.values());
    const connectionState: ConnectionState = states.has('connected')
      ? 'connected'
      : states.has('connecting')
        ? 'connecting'
        : 'disconnected';
    return {
      clientId: this.clientId,
      messagesProduced: this.messagesProduced,
      bytesProduced: this.bytesProduced,
      messagesConsumed: this.messagesConsumed,
      bytesConsumed: this.bytesConsumed,
      batchesSent: this.batchesSent,
      averageBatchSize: this.batchesSent === 0 ? 0 : this.batchedMessages / this.batchesSent,
      errorsByCode: Object.fromEntries(this.errorsByCode),
      produceLatency: this.produceLatency.summary(),
      consumerLag,
      rebalances: this.rebalances,
      connectionState,
      bufferUsedBytes,
      bufferLimitBytes,
      blockedSends: this.blockedSends,
      bufferFullErrors: this.bufferFullErrors,
      partitionsRevoked: this.partitionsRevoked,
      droppedBufferedMessages: this.droppedBufferedMessages,
      pollIntervalExceeded: this.pollIntervalExceeded,
      commitFailures: this.commitFailures,
      unknownOutcomeResends: this.unknownOutcomeResends,
      deliveryTimeouts: this.deliveryTimeouts,
    };
  }
}
