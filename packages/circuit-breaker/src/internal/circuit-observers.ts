import diagnosticsChannel from 'node:diagnostics_channel';
import { CIRCUIT_BREAKER_CHANNELS } from '../channels.js';
import type { CircuitBreakerEvents } from '../circuit-events.js';

/** A listener of one registry event. */
export type CircuitEventListener<K extends keyof CircuitBreakerEvents> = (event: CircuitBreakerEvents[K]) => void;

const channels = {
  stateChange: diagnosticsChannel.channel(CIRCUIT_BREAKER_CHANNELS.stateChange),
  rejection: diagnosticsChannel.channel(CIRCUIT_BREAKER_CHANNELS.rejection),
  failure: diagnosticsChannel.channel(CIRCUIT_BREAKER_CHANNELS.failure),
} as const;

/** Delivers registry events to subscribed listeners and to `node:diagnostics_channel` subscribers. */
export class CircuitObservers {
  private readonly listeners: { [K in keyof CircuitBreakerEvents]: Set<CircuitEventListener<K>> } = {
    stateChange: new Set(),
    rejection: new Set(),
    failure: new Set(),
  };

  /** Adds a listener. */
  add<K extends keyof CircuitBreakerEvents>(event: K, listener: CircuitEventListener<K>): void {
    (this.listeners[event] as Set<CircuitEventListener<K>>).add(listener);
  }

  /** Removes a listener; true when it was subscribed. */
  delete<K extends keyof CircuitBreakerEvents>(event: K, listener: CircuitEventListener<K>): boolean {
    return (this.listeners[event] as Set<CircuitEventListener<K>>).delete(listener);
  }

  /** True when anyone listens, so callers can skip building a payload on the hot path. */
  wants(event: keyof CircuitBreakerEvents): boolean {
    return this.listeners[event].size > 0 || channels[event].hasSubscribers;
  }

  /** Delivers an event; a throwing listener becomes a process warning and never breaks the circuit. */
  emit<K extends keyof CircuitBreakerEvents>(event: K, payload: CircuitBreakerEvents[K]): void {
    for (const listener of this.listeners[event] as Set<CircuitEventListener<K>>) {
      try {
        listener(payload);
      } catch (error) {
        process.emitWarning(
          `a '${event}' listener of @onex/circuit-breaker threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'ONEX_CIRCUIT_LISTENER_ERROR' },
        );
      }
    }
    const channel = channels[event];
    if (channel.hasSubscribers) channel.publish(payload);
  }

  /** Publishes a lifecycle message (`created`, `removed`; `reason: 'evicted'` when the registry dropped an idle circuit). */
  static lifecycle(kind: 'created' | 'removed', circuitName: string, reason?: 'evicted'): void {
    const channel = kind === 'created' ? createdChannel : removedChannel;
    if (channel.hasSubscribers) channel.publish(reason === undefined ? { circuitName } : { circuitName, reason });
  }
}

const createdChannel = diagnosticsChannel.channel(CIRCUIT_BREAKER_CHANNELS.created);
const removedChannel = diagnosticsChannel.channel(CIRCUIT_BREAKER_CHANNELS.removed);
