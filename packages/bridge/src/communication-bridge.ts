import { randomUUID } from 'node:crypto';
import type {
  LiteralCircuitState,
  ProtocolBridgeConfig,
  ProtocolBridgeHealth,
  ProtocolBridgeInfo,
  ProtocolBridgeMessage,
  ProtocolBridgeStatus,
  ProtocolCommunicationBridge,
  ProtocolRoutingRule,
} from '@onex/spi-types';
import { AdapterRegistry } from './adapters/adapter-registry.js';
import type { BridgeAdapter, BridgeMetrics, BridgeResult, BridgeSendOptions } from './adapters/bridge-adapter.js';
import { MemoryAdapter } from './adapters/memory-adapter.js';
import { resolveBridgeOptions, type CommunicationBridgeOptions, type ResolvedBridgeOptions } from './communication-bridge-options.js';
import { BridgeConfigError, BridgeDuplicateNameError, BridgeNotFoundError } from './errors/bridge-errors.js';
import { BridgeInstance } from './internal/bridge-instance.js';
import { bridgeChannels } from './internal/diagnostics.js';
import { resolveBridgeConfig } from './internal/resolved-bridge-config.js';
import { RuleEngine } from './rules/rule-engine.js';
import { describeValue } from '@onex/spi-types/support';

/**
 * Moves messages between protocols through adapters: format conversion, routing rules in a safe
 * expression language, at-least-once delivery with retries through an injected circuit breaker,
 * a dead-letter target, and status, metrics and health per bridge.
 */
export class CommunicationBridge implements ProtocolCommunicationBridge {
  readonly #options: ResolvedBridgeOptions;
  readonly #registry = new AdapterRegistry();
  readonly #engine: RuleEngine;
  readonly #bridges = new Map<string, BridgeInstance>();
  readonly #names = new Map<string, string>();

  /** @throws BridgeConfigError when an option is invalid */
  constructor(options: CommunicationBridgeOptions = {}) {
    this.#options = resolveBridgeOptions(options);
    this.#engine = new RuleEngine(this.#options.ruleLimits);
    for (const adapter of options.adapters ?? []) this.#registry.register(adapter);
    if (!this.#registry.get('memory')) this.#registry.register(new MemoryAdapter());
  }

  /**
   * Registers (or replaces) the adapter of a protocol for bridges created afterwards.
   * @throws BridgeConfigError when the adapter is malformed
   */
  registerAdapter(adapter: BridgeAdapter): this {
    this.#registry.register(adapter);
    return this;
  }

  /** The adapter registered for a protocol. */
  getAdapter<A extends BridgeAdapter = BridgeAdapter>(protocol: string): A | undefined {
    return this.#registry.get(protocol) as A | undefined;
  }

  /**
   * Validates the config, creates the target, dead-letter target and source, and starts the bridge.
   * @throws BridgeConfigError, BridgeDuplicateNameError, BridgeUnknownProtocolError or a rule error for a bad mapping
   */
  async createBridge(
    bridgeName: string,
    sourceProtocol: string,
    targetProtocol: string,
    config: ProtocolBridgeConfig,
  ): Promise<string> {
    if (typeof bridgeName !== 'string' || !/^[\w.:-]{1,200}$/.test(bridgeName)) {
      throw new BridgeConfigError(
        `\`bridgeName\` must be 1-200 characters of letters, digits, '.', '_', ':' or '-', got ${describeValue(bridgeName)}`,
      );
    }
    const existing = this.#names.get(bridgeName);
    if (existing !== undefined) throw new BridgeDuplicateNameError(bridgeName, existing);
    const sourceAdapter = this.#registry.require(sourceProtocol, 'source');
    const targetAdapter = this.#registry.require(targetProtocol, 'target');
    const resolved = resolveBridgeConfig(bridgeName, config, this.#engine);
    sourceAdapter.validate?.(config, 'source');
    targetAdapter.validate?.(config, 'target');
    if (resolved.dlqTarget !== undefined) {
      const prefix = /^(memory|kafka):(?!\/\/)/.exec(resolved.dlqTarget)?.[1];
      if (prefix !== undefined && prefix !== targetProtocol) this.#registry.require(prefix, 'dead-letter');
    }
    const bridgeId = `bridge-${randomUUID()}`;
    const instance = new BridgeInstance({
      bridgeId,
      name: bridgeName,
      sourceProtocol,
      targetProtocol,
      config,
      resolved,
      engine: this.#engine,
      options: this.#options,
    });
    this.#names.set(bridgeName, bridgeId);
    this.#bridges.set(bridgeId, instance);
    try {
      await instance.start(this.#registry);
    } catch (error) {
      this.#names.delete(bridgeName);
      this.#bridges.delete(bridgeId);
      throw error;
    }
    if (bridgeChannels.created.hasSubscribers) {
      bridgeChannels.created.publish({ bridgeId, name: bridgeName, sourceProtocol, targetProtocol });
    }
    return bridgeId;
  }

  /**
   * Stops the source, waits for in-flight messages (up to `drainTimeoutMs`), closes the targets
   * and forgets the bridge; its name can be reused afterwards.
   * @throws BridgeNotFoundError for an unknown id
   */
  async destroyBridge(bridgeId: string): Promise<boolean> {
    const instance = this.#get(bridgeId);
    await instance.stop();
    this.#bridges.delete(bridgeId);
    this.#names.delete(instance.name);
    if (bridgeChannels.destroyed.hasSubscribers) bridgeChannels.destroyed.publish({ bridgeId, name: instance.name });
    return true;
  }

  /**
   * Converts, routes and delivers one message; failures after retries are dead-lettered and
   * reported in the result rather than thrown. `options.idempotencyKey` is the key sent downstream.
   * @throws BridgeNotFoundError, BridgeStoppedError, BridgeInvalidMessageError or BridgeOverloadedError
   */
  async sendMessageThroughBridge(bridgeId: string, message: ProtocolBridgeMessage, options?: BridgeSendOptions): Promise<BridgeResult> {
    return this.#get(bridgeId).send(message, options);
  }

  /** @throws BridgeNotFoundError for an unknown id */
  async getBridgeStatus(bridgeId: string): Promise<ProtocolBridgeStatus> {
    return this.#get(bridgeId).status();
  }

  /** @throws BridgeNotFoundError for an unknown id */
  async getBridgeMetrics(bridgeId: string): Promise<BridgeMetrics> {
    return this.#get(bridgeId).metrics();
  }

  /**
   * Compiles and installs routing rules; the old rules stay in force when any rule is invalid.
   * @throws BridgeNotFoundError, BridgeConfigError, BridgeRuleSyntaxError, BridgeRuleTooLargeError or BridgeRuleUnsafeError
   */
  async configureBridgeRouting(bridgeId: string, routingRules: readonly ProtocolRoutingRule[]): Promise<boolean> {
    this.#get(bridgeId).configureRouting(routingRules);
    return true;
  }

  async getAllBridges(): Promise<ProtocolBridgeInfo[]> {
    return [...this.#bridges.values()].map((bridge) => bridge.info());
  }

  /** @throws BridgeNotFoundError for an unknown id */
  async monitorBridgeHealth(bridgeId: string): Promise<ProtocolBridgeHealth> {
    const instance = this.#get(bridgeId);
    const breaker = this.#options.circuitBreaker;
    return instance.health(async (): Promise<LiteralCircuitState | undefined> =>
      breaker ? breaker.getCircuitState(instance.circuitName) : undefined,
    );
  }

  /** Destroys every bridge (draining each). */
  async close(): Promise<void> {
    await Promise.all([...this.#bridges.keys()].map((id) => this.destroyBridge(id)));
  }

  #get(bridgeId: string): BridgeInstance {
    const instance = typeof bridgeId === 'string' ? this.#bridges.get(bridgeId) : undefined;
    if (!instance) throw new BridgeNotFoundError(String(bridgeId));
    return instance;
  }
}
