import { BridgeConfigError, BridgeUnknownProtocolError } from '../errors/bridge-errors.js';
import type { BridgeAdapter } from './bridge-adapter.js';

/** Adapters keyed by protocol name. */
export class AdapterRegistry {
  readonly #adapters = new Map<string, BridgeAdapter>();

  /**
   * Adds (or replaces) the adapter of a protocol.
   * @throws BridgeConfigError when the adapter has no protocol name or neither side
   */
  register(adapter: BridgeAdapter): this {
    if (typeof adapter?.protocol !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(adapter.protocol)) {
      throw new BridgeConfigError(
        `\`adapter.protocol\` must be a lower-case name like 'kafka', got ${JSON.stringify(adapter?.protocol)}`,
      );
    }
    if (typeof adapter.createSource !== 'function' && typeof adapter.createTarget !== 'function') {
      throw new BridgeConfigError(`adapter '${adapter.protocol}' must implement createSource, createTarget or both`);
    }
    this.#adapters.set(adapter.protocol, adapter);
    return this;
  }

  /** The adapter of a protocol, if registered. */
  get(protocol: string): BridgeAdapter | undefined {
    return this.#adapters.get(protocol);
  }

  /**
   * The adapter of a protocol that can play a role.
   * @throws BridgeUnknownProtocolError when none can
   */
  require(protocol: string, role: 'source' | 'target' | 'dead-letter'): BridgeAdapter {
    const adapter = this.#adapters.get(protocol);
    const method = role === 'source' ? adapter?.createSource : adapter?.createTarget;
    if (!adapter || typeof method !== 'function') {
      throw new BridgeUnknownProtocolError(protocol, role, [...this.#adapters.keys()]);
    }
    return adapter;
  }

  /** Registered protocol names. */
  protocols(): string[] {
    return [...this.#adapters.keys()];
  }
}
