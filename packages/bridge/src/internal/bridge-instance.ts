import type { Attributes, Context, Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isCircuitBreakerOpenError,
  type ContextValue,
  type LiteralBridgeState,
  type LiteralCircuitState,
  type ProtocolBridgeConfig,
  type ProtocolBridgeHealth,
  type ProtocolBridgeInfo,
  type ProtocolBridgeMessage,
  type ProtocolBridgeStatus,
  type ProtocolEndpointHealth,
  type ProtocolRoutingRule,
} from '@onex/spi-types';
import { backoffDelay, describeValue, LatencyWindow, withTimeout } from '@onex/spi-types/support';
import type { AdapterRegistry } from '../adapters/adapter-registry.js';
import type {
  BridgeDeliveryResult,
  BridgeHandle,
  BridgeMetrics,
  BridgeResult,
  BridgeSendOptions,
  BridgeSource,
  BridgeTarget,
  DeliveryReceipt,
  OutboundMessage,
  PoisonReport,
} from '../adapters/bridge-adapter.js';
import type { ResolvedBridgeOptions } from '../communication-bridge-options.js';
import {
  BridgeDeliveryError,
  BridgeFormatError,
  BridgeInvalidMessageError,
  BridgeNoRouteError,
  BridgeOverloadedError,
  BridgeRuleEvaluationError,
  BridgeStoppedError,
} from '../errors/bridge-errors.js';
import { MessageCodec } from '../format/message-codec.js';
import { celContext } from '../rules/cel-context.js';
import type { RuleContext, RuleEngine } from '../rules/rule-engine.js';
import { RoutingTable, type Route } from '../rules/routing-table.js';
import { bridgeChannels } from './diagnostics.js';
import { idempotencyKeyProblem } from './idempotency-key.js';
import {
  activeInstruments,
  activeTracer,
  bridgeAttributes,
  context as otelContext,
  failSpan,
  processParent,
  startProcessSpan,
  withTraceHeaders,
} from './otel.js';
import { RateWindow } from './rate-window.js';
import type { ResolvedBridgeConfig } from './resolved-bridge-config.js';
import { WorkQueue } from './work-queue.js';

/** Life cycle of one bridge. */
type Lifecycle =
  | { readonly kind: 'created' }
  | { readonly kind: 'running'; readonly since: number }
  | { readonly kind: 'draining'; readonly since: number }
  | { readonly kind: 'stopped'; readonly at: number };

type Delivery = BridgeDeliveryResult;

const DLQ_ATTEMPTS = 3;
const encoder = new TextEncoder();

/** Arguments of {@link BridgeInstance}. */
export interface BridgeInstanceInit {
  readonly bridgeId: string;
  readonly name: string;
  readonly sourceProtocol: string;
  readonly targetProtocol: string;
  readonly config: ProtocolBridgeConfig;
  readonly resolved: ResolvedBridgeConfig;
  readonly engine: RuleEngine;
  readonly options: ResolvedBridgeOptions;
}

/** One bridge: source, routing, delivery with retries and DLQ, counters. */
export class BridgeInstance implements BridgeHandle {
  readonly bridgeId: string;
  readonly name: string;
  readonly config: ProtocolBridgeConfig;
  readonly codec: MessageCodec;
  readonly sourceProtocol: string;
  readonly targetProtocol: string;
  readonly createdAt: number;

  readonly #resolved: ResolvedBridgeConfig;
  readonly #engine: RuleEngine;
  readonly #options: ResolvedBridgeOptions;
  readonly #queue: WorkQueue;
  readonly #abort = new AbortController();
  #routing: RoutingTable;
  #state: Lifecycle = { kind: 'created' };
  #source: BridgeSource | undefined;
  #target: BridgeTarget | undefined;
  #dlq: { target: BridgeTarget; destination: string; owned: boolean } | undefined;
  #sourceHalted = false;
  #lastFailed = false;
  // Generated delivery ids (for messages with no key of their own): one random prefix per bridge
  // instance plus a sequence number, unique like a UUID without drawing random bytes for each message.
  readonly #deliveryPrefix = `${randomUUID()}-`;
  #deliverySequence = 0;

  readonly #latency = new LatencyWindow({ capacity: 2048 });
  readonly #rate: RateWindow;
  readonly #perRoute: Record<string, number> = Object.create(null) as Record<string, number>;
  #messagesIn = 0;
  #messagesOut = 0;
  #processed = 0;
  #failed = 0;
  #deadLettered = 0;
  #dlqCount = 0;
  #retries = 0;
  #ruleErrors = 0;
  #unmatched = 0;
  readonly #poison = { halted: 0, skipped: 0, parked: 0 };
  #lastError: ProtocolBridgeStatus['lastError'];

  constructor(init: BridgeInstanceInit) {
    // Every in-flight delivery and retry wait listens on this one signal; with `concurrency` above
    // ten Node would warn about a listener leak that is not one (each listener is removed when its
    // wait or delivery ends).
    setMaxListeners(0, this.#abort.signal);
    this.bridgeId = init.bridgeId;
    this.name = init.name;
    this.config = init.config;
    this.sourceProtocol = init.sourceProtocol;
    this.targetProtocol = init.targetProtocol;
    this.#resolved = init.resolved;
    this.#engine = init.engine;
    this.#options = init.options;
    this.createdAt = init.options.now();
    this.codec = new MessageCodec(init.resolved.format, init.options.maxJsonDepth);
    this.#queue = new WorkQueue(init.resolved.concurrency);
    this.#rate = new RateWindow(init.options.now);
    this.#routing = this.#compile([]);
  }

  /** Creates the target, dead-letter target and source, then starts the source. */
  async start(registry: AdapterRegistry): Promise<void> {
    this.#target = await registry.require(this.targetProtocol, 'target').createTarget!(this);
    const dlq = this.#resolved.dlqTarget;
    if (dlq !== undefined) {
      const prefix = /^(memory|kafka):(?!\/\/)(.+)$/.exec(dlq);
      if (prefix && prefix[1] !== this.targetProtocol) {
        const target = await registry.require(prefix[1] ?? '', 'dead-letter').createTarget!(this);
        this.#dlq = { target, destination: prefix[2] ?? '', owned: true };
      } else {
        this.#dlq = { target: this.#target, destination: prefix ? (prefix[2] ?? '') : dlq, owned: false };
      }
    }
    this.#state = { kind: 'running', since: this.#options.now() };
    try {
      this.#source = registry.require(this.sourceProtocol, 'source').createSource!(this);
      await this.#source.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Replaces the routing rules (compiled now). */
  configureRouting(rules: readonly ProtocolRoutingRule[]): void {
    this.#routing = this.#compile(rules);
  }

  accepting(): boolean {
    return this.#state.kind === 'running';
  }

  whenRoom(): Promise<void> {
    return this.#queue.whenBelow(this.#options.maxQueuedMessages);
  }

  reportSourceError(error: unknown, halted: boolean): void {
    this.#recordError(error);
    if (halted) this.#sourceHalted = true;
  }

  reportPoison(report: PoisonReport): void {
    const { decision, position, error } = report;
    this.#poison[decision] += 1;
    const where = `${position.topic}/${position.partition}/${position.offset}`;
    const message =
      decision === 'halted'
        ? `kafka source halted at ${where}: ${error.message}`
        : decision === 'skipped'
          ? `skipped poison message ${where} (onPoison 'skip'): ${error.message}`
          : `parked poison message ${where} in '${report.parkTopic ?? ''}': ${error.message}`;
    this.#lastError = { at: this.#options.now(), code: error.code, message };
    if (decision === 'halted') this.#sourceHalted = true;
    if (bridgeChannels.poison.hasSubscribers) {
      bridgeChannels.poison.publish({
        bridgeId: this.bridgeId,
        decision,
        ...position,
        error,
        ...(report.parkTopic === undefined ? {} : { parkTopic: report.parkTopic }),
      });
    }
  }

  /**
   * Runs one message through format conversion, routing and delivery. Not an async function: without
   * telemetry the result is #process's own promise, one promise less per message (errors still reject).
   */
  send(message: ProtocolBridgeMessage, options?: BridgeSendOptions): Promise<BridgeResult> {
    try {
      return this.#send(message, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #send(message: ProtocolBridgeMessage, options: BridgeSendOptions | undefined): Promise<BridgeResult> {
    if (this.#state.kind !== 'running') throw new BridgeStoppedError(this.bridgeId);
    validateMessage(message);
    const idempotencyKey = options?.idempotencyKey;
    if (idempotencyKey !== undefined) {
      const problem = idempotencyKeyProblem(idempotencyKey);
      if (problem !== undefined) throw new BridgeInvalidMessageError(`\`idempotencyKey\` ${problem}`);
    }
    const partition = options?.partition;
    if (partition !== undefined && (!Number.isSafeInteger(partition) || partition < 0)) {
      throw new BridgeInvalidMessageError(`\`partition\` must be a non-negative integer, got ${describeValue(partition)}`);
    }
    if (this.#queue.size >= this.#options.maxQueuedMessages) {
      throw new BridgeOverloadedError(`bridge '${this.name}' queue`, this.#options.maxQueuedMessages, 1000);
    }
    this.#messagesIn += 1;
    if (!this.#options.telemetry) return this.#process(message, idempotencyKey, partition, undefined);
    const tracer = activeTracer();
    const instruments = activeInstruments();
    // No SDK registered: nothing is allocated for telemetry.
    if (tracer === undefined && instruments === undefined) return this.#process(message, idempotencyKey, partition, undefined);
    return this.#sendTraced(message, idempotencyKey, partition, tracer, instruments);
  }

  async #sendTraced(
    message: ProtocolBridgeMessage,
    idempotencyKey: string | undefined,
    partition: number | undefined,
    tracer: ReturnType<typeof activeTracer>,
    instruments: ReturnType<typeof activeInstruments>,
  ): Promise<BridgeResult> {
    const started = performance.now();
    let span: Span | undefined;
    let ctx = otelContext.active();
    if (tracer !== undefined) {
      ({ span, ctx } = startProcessSpan(tracer, this, processParent(message.headers, message.metadata), message.metadata));
    }
    let result: BridgeResult | undefined;
    let failure: unknown;
    try {
      result = await otelContext.with(ctx, () => this.#process(message, idempotencyKey, partition, ctx));
      return result;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      const errorType = result === undefined ? errorCode(failure) : result.success ? undefined : (result.error?.code ?? 'BRIDGE_DELIVERY_FAILED');
      const outcome = result === undefined ? 'error' : result.success ? 'delivered' : result.deadLettered === true ? 'dead_lettered' : 'failed';
      if (span !== undefined) {
        span.setAttribute('onex.bridge.outcome', outcome);
        if (result !== undefined && result.attempts > 0) span.setAttribute('onex.bridge.attempts', result.attempts);
        if (errorType !== undefined) failSpan(span, errorType, result?.error?.message ?? (failure as Error)?.message ?? String(failure));
        span.end();
      }
      if (instruments !== undefined) {
        const attributes: Attributes = { ...bridgeAttributes(this), 'onex.bridge.outcome': outcome };
        if (errorType !== undefined) attributes['error.type'] = errorType;
        instruments.processDuration.record((performance.now() - started) / 1000, attributes);
        instruments.messages.add(1, attributes);
      }
    }
  }

  /**
   * Format conversion, routing and delivery of one message; `traceContext` (when telemetry is on) is
   * the process span's context, which outbound headers carry instead of the message's own.
   */
  // Not async (see send): a synchronous throw here reaches send's catch.
  #process(
    message: ProtocolBridgeMessage,
    idempotencyKey: string | undefined,
    partition: number | undefined,
    traceContext: Context | undefined,
  ): Promise<BridgeResult> {
    const started = performance.now();
    const headers: Record<string, string> = traceContext === undefined ? { ...message.headers } : withTraceHeaders(traceContext, message.headers ?? {});
    const metadata = { ...message.metadata };
    let payload: ContextValue;
    try {
      payload = this.codec.normalize(message.payload);
    } catch (error) {
      const outbound = this.#outbound(message.payload, rawBody(message.payload), message.key ?? null, headers, idempotencyKey, partition);
      return this.#deadLetter(undefined, outbound, error as BridgeFormatError, 0).then((delivery) => this.#finish(started, [delivery]));
    }
    const context = this.#ruleContext({ payload, headers, metadata, key: message.key ?? null });
    const key = message.key ?? this.#mapKey(context);
    // A queued task starts when an earlier one finishes, in that one's async context: run it in ours.
    const task = async (): Promise<BridgeResult> => {
      const mapped = this.#resolved.headerMapping.length === 0 ? headers : { ...headers, ...this.#mapHeaders(context) };
      let body: string | Uint8Array;
      try {
        body = this.codec.encode(payload);
      } catch (error) {
        const unencodable = this.#outbound(payload, rawBody(message.payload), key, mapped, idempotencyKey, partition);
        return this.#finish(started, [await this.#deadLetter(undefined, unencodable, error as BridgeFormatError, 0)]);
      }
      const outbound = this.#outbound(payload, body, key, mapped, idempotencyKey, partition);
      const decision = this.#routing.route(context);
      for (const { rule, error } of decision.errors) {
        this.#ruleErrors += 1;
        if (bridgeChannels.ruleError.hasSubscribers) bridgeChannels.ruleError.publish({ bridgeId: this.bridgeId, rule, error });
      }
      if (decision.errors.length > 0) {
        const [{ rule, error }] = decision.errors as [{ rule: string; error: unknown }];
        return this.#finish(started, [await this.#deadLetter(undefined, outbound, new BridgeRuleEvaluationError(this.name, rule, error), 0)]);
      }
      if (decision.unmatched) this.#unmatched += 1;
      if (decision.routes.length === 0) {
        return this.#finish(started, [await this.#deadLetter(undefined, outbound, new BridgeNoRouteError(this.name), 0)]);
      }
      if (decision.routes.length === 1) return this.#finishOne(started, await this.#deliver(decision.routes[0]!, outbound));
      return this.#finish(started, await Promise.all(decision.routes.map((route) => this.#deliver(route, outbound))));
    };
    const orderKey = this.#resolved.ordering ? key : null;
    if (traceContext === undefined) return this.#queue.run(orderKey, task);
    return this.#queue.run(orderKey, () => otelContext.with(traceContext, task));
  }

  /** Stops the source, drains in-flight messages (aborting retries after the drain timeout) and closes targets. */
  async stop(): Promise<void> {
    if (this.#state.kind === 'stopped') return;
    this.#state = { kind: 'draining', since: this.#options.now() };
    try {
      await this.#source?.stop();
    } catch (error) {
      this.#recordError(error);
    }
    const drained = await withTimeout(this.#queue.onIdle(), this.#options.drainTimeoutMs, () => new BridgeStoppedError(this.bridgeId), {
      unref: true,
    }).then(
      () => true,
      () => false,
    );
    if (!drained) {
      this.#abort.abort(new BridgeStoppedError(this.bridgeId));
      await this.#queue.onIdle();
    }
    await Promise.allSettled([this.#target?.close(), this.#dlq?.owned ? this.#dlq.target.close() : undefined]);
    this.#state = { kind: 'stopped', at: this.#options.now() };
  }

  /** The public state. */
  get state(): LiteralBridgeState {
    switch (this.#state.kind) {
      case 'created':
        return 'created';
      case 'running':
        return this.#sourceHalted || this.#lastFailed ? 'degraded' : 'running';
      case 'draining':
        return 'degraded';
      case 'stopped':
        return 'stopped';
    }
  }

  info(): ProtocolBridgeInfo {
    return {
      bridgeId: this.bridgeId,
      name: this.name,
      sourceProtocol: this.sourceProtocol,
      targetProtocol: this.targetProtocol,
      state: this.state,
      createdAt: this.createdAt,
    };
  }

  status(): ProtocolBridgeStatus {
    return {
      bridgeId: this.bridgeId,
      name: this.name,
      state: this.state,
      messagesProcessed: this.#processed,
      messagesFailed: this.#failed,
      messagesDeadLettered: this.#deadLettered,
      inFlight: this.#queue.size,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  metrics(): BridgeMetrics {
    return {
      bridgeId: this.bridgeId,
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
      throughputPerSecond: this.#rate.perSecond(),
      latency: this.#latency.summary(),
      perRoute: { ...this.#perRoute },
      retries: this.#retries,
      dlqCount: this.#dlqCount,
      ruleEvaluationErrors: this.#ruleErrors,
      unmatched: this.#unmatched,
      poison: { ...this.#poison },
    };
  }

  async health(breakerState: () => Promise<LiteralCircuitState | undefined>): Promise<ProtocolBridgeHealth> {
    const timeout = this.#options.healthCheckTimeoutMs;
    const [source, target, breaker, lag] = await Promise.all([
      this.#source ? probe(() => this.#source!.check(), timeout) : { reachable: false, detail: 'no source' },
      this.#target ? probe(() => this.#target!.check(), timeout) : { reachable: false, detail: 'no target' },
      breakerState().catch(() => undefined),
      this.#source?.lag ? this.#source.lag().catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const unhealthy: string[] = [];
    const degraded: string[] = [];
    if (this.#state.kind === 'stopped') unhealthy.push('bridge is stopped');
    if (this.#state.kind === 'draining') degraded.push('bridge is draining');
    if (!target.reachable) unhealthy.push(`target unreachable: ${target.detail ?? 'no answer'}`);
    if (breaker === 'open') unhealthy.push(`circuit '${this.#resolved.circuitName}' is open`);
    if (this.#sourceHalted) unhealthy.push(`source halted: ${this.#lastError?.message ?? 'unknown error'}`);
    if (!source.reachable) degraded.push(`source unreachable: ${source.detail ?? 'no answer'}`);
    if (breaker === 'half_open') degraded.push(`circuit '${this.#resolved.circuitName}' is half-open`);
    if (lag !== undefined && lag > this.#options.maxHealthyLag) degraded.push(`source lag ${lag} exceeds ${this.#options.maxHealthyLag}`);
    if (this.#lastFailed) degraded.push(`last message failed: ${this.#lastError?.message ?? ''}`);
    return {
      bridgeId: this.bridgeId,
      verdict: unhealthy.length > 0 ? 'unhealthy' : degraded.length > 0 ? 'degraded' : 'healthy',
      source,
      target,
      ...(breaker ? { breakerState: breaker } : {}),
      ...(lag !== undefined ? { lag } : {}),
      reasons: [...unhealthy, ...degraded],
      checkedAt: this.#options.now(),
    };
  }

  /** False when this bridge's OpenTelemetry is turned off. */
  get telemetry(): boolean {
    return this.#options.telemetry;
  }

  /** Circuit name used with the injected breaker. */
  get circuitName(): string {
    return this.#resolved.circuitName;
  }

  #compile(rules: readonly ProtocolRoutingRule[]): RoutingTable {
    const fallback = this.#resolved.unmatched === 'default' ? this.#resolved.defaultDestination : undefined;
    return new RoutingTable(this.#engine, rules, this.#resolved.routingMode, fallback);
  }

  /** The context expressions read, converted once per message when any expression will read it. */
  #ruleContext(context: RuleContext): RuleContext {
    if (this.#routing.size === 0 && this.#resolved.keyMapping === undefined && this.#resolved.headerMapping.length === 0) return context;
    try {
      return celContext(context);
    } catch {
      // Too deep to convert: every evaluation raises the same error again, as a rule error.
      return context;
    }
  }

  #mapKey(context: RuleContext): string | null {
    const mapping = this.#resolved.keyMapping;
    if (!mapping) return null;
    try {
      return scalarString(mapping.evaluate(context));
    } catch {
      this.#ruleErrors += 1;
      return null;
    }
  }

  #mapHeaders(context: RuleContext): Record<string, string> {
    // Null prototype: a header mapped under the name `__proto__` is a header, not a prototype.
    const out = Object.create(null) as Record<string, string>;
    for (const { name, expression } of this.#resolved.headerMapping) {
      try {
        const value = scalarString(expression.evaluate(context));
        if (value !== null) out[name] = value;
      } catch {
        this.#ruleErrors += 1;
      }
    }
    return out;
  }

  #outbound(
    payload: ContextValue,
    body: string | Uint8Array,
    key: string | null,
    headers: Record<string, string>,
    idempotencyKey: string | undefined,
    partition?: number,
  ): OutboundMessage {
    let deliveryId = idempotencyKey;
    if (deliveryId === undefined) {
      this.#deliverySequence += 1;
      deliveryId = this.#deliveryPrefix + this.#deliverySequence.toString(36);
    }
    return { body, payload, key, headers, contentType: this.codec.contentType, deliveryId, ...(partition !== undefined ? { partition } : {}) };
  }

  async #deliver(route: Route, message: OutboundMessage): Promise<Delivery> {
    const { maxRetries } = this.#resolved;
    let attempts = 0;
    let lastError: unknown;
    const started = performance.now();
    for (;;) {
      attempts += 1;
      try {
        const receipt = await this.#attempt(route.destination, message, attempts);
        this.#perRoute[route.name] = (this.#perRoute[route.name] ?? 0) + 1;
        this.#messagesOut += 1;
        this.#rate.add();
        if (bridgeChannels.delivered.hasSubscribers) {
          bridgeChannels.delivered.publish({
            bridgeId: this.bridgeId,
            target: route.destination,
            messageId: receipt.messageId,
            attempts,
            durationMs: performance.now() - started,
          });
        }
        return { success: true, messageId: receipt.messageId, target: route.destination, attempts, ...structured(receipt) };
      } catch (error) {
        lastError = error;
        if (attempts > maxRetries || !retryable(error) || this.#abort.signal.aborted) break;
        const delayMs = this.#backoff(attempts, error);
        this.#retries += 1;
        if (bridgeChannels.retry.hasSubscribers) {
          bridgeChannels.retry.publish({ bridgeId: this.bridgeId, target: route.destination, attempt: attempts, delayMs, error });
        }
        try {
          await sleep(delayMs, undefined, { signal: this.#abort.signal });
        } catch {
          break;
        }
      }
    }
    return this.#deadLetter(route.destination, message, new BridgeDeliveryError(route.destination, attempts, lastError), attempts);
  }

  #attempt(destination: string, message: OutboundMessage, attempt: number): Promise<DeliveryReceipt> {
    const target = this.#target!;
    const breaker = this.#options.circuitBreaker;
    if (!breaker) return target.deliver(destination, message, this.#abort.signal, attempt);
    return breaker.executeWithCircuitBreaker(
      (signal) => target.deliver(destination, message, AbortSignal.any([signal, this.#abort.signal]), attempt),
      this.#resolved.circuitName,
    );
  }

  #backoff(attempt: number, error: unknown): number {
    const { initialDelayMs, maxDelayMs } = this.#resolved;
    const retryAfterMs = isCircuitBreakerOpenError(error) ? error.retryAfterMs : 0;
    // An open breaker's wait is a floor, but the bridge's own cap still bounds it (README: "capped by maxDelayMs").
    return Math.min(maxDelayMs, backoffDelay(attempt, { initialDelayMs, maxDelayMs, jitter: 'equal', retryAfterMs }));
  }

  async #deadLetter(target: string | undefined, message: OutboundMessage, error: Error & { code: string }, attempts: number): Promise<Delivery> {
    const failure = { code: error.code, message: error.message };
    const where = target === undefined ? {} : { target };
    if (!this.#dlq) return { success: false, ...where, attempts, error: failure };
    const dlq = this.#dlq;
    const headers = {
      ...message.headers,
      'x-onex-error-code': error.code,
      'x-onex-error-message': error.message.replace(/[\r\n]+/g, ' ').slice(0, 1024),
      ...(target === undefined ? {} : { 'x-onex-original-target': target }),
      'x-onex-attempts': String(attempts),
      'x-onex-bridge': this.name,
    };
    let dlqError: unknown;
    for (let attempt = 1; attempt <= DLQ_ATTEMPTS; attempt += 1) {
      try {
        const receipt = await dlq.target.deliver(dlq.destination, { ...message, headers, deadLetter: true }, AbortSignal.timeout(30_000), attempt);
        this.#dlqCount += 1;
        if (bridgeChannels.deadLettered.hasSubscribers) {
          bridgeChannels.deadLettered.publish({ bridgeId: this.bridgeId, target, dlqTarget: dlq.destination, error });
        }
        return { success: false, deadLettered: true, messageId: receipt.messageId, ...where, attempts, error: failure, ...structured(receipt) };
      } catch (caught) {
        dlqError = caught;
        if (attempt < DLQ_ATTEMPTS) await sleep(this.#resolved.initialDelayMs * attempt);
      }
    }
    const message2 = `${error.message}; dead-lettering to '${dlq.destination}' also failed: ${(dlqError as Error)?.message ?? String(dlqError)}`;
    return { success: false, ...where, attempts, error: { code: error.code, message: message2 } };
  }

  /** {@link #finish} for the common single delivery, without the arrays. */
  #finishOne(started: number, delivery: Delivery): BridgeResult {
    if (!delivery.success) return this.#finish(started, [delivery]);
    this.#latency.record(performance.now() - started);
    this.#processed += 1;
    this.#lastFailed = false;
    return delivery;
  }

  #finish(started: number, deliveries: Delivery[]): BridgeResult {
    this.#latency.record(performance.now() - started);
    this.#processed += 1;
    const success = deliveries.every((d) => d.success);
    const deadLettered = deliveries.some((d) => d.deadLettered === true);
    if (!success) {
      this.#failed += 1;
      const failedDelivery = deliveries.find((d) => !d.success);
      if (failedDelivery?.error) this.#lastError = { at: this.#options.now(), ...failedDelivery.error };
    }
    if (deadLettered) this.#deadLettered += 1;
    this.#lastFailed = !success;
    const first = deliveries.find((d) => !d.success) ?? deliveries[0]!;
    if (deliveries.length === 1) return first;
    return {
      success,
      ...(first.messageId !== undefined ? { messageId: first.messageId } : {}),
      ...(first.receipt !== undefined ? { receipt: first.receipt } : {}),
      ...(first.target !== undefined ? { target: first.target } : {}),
      attempts: deliveries.reduce((sum, d) => sum + d.attempts, 0),
      ...(deadLettered ? { deadLettered } : {}),
      ...(first.error ? { error: first.error } : {}),
      deliveries,
    };
  }

  #recordError(error: unknown): void {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'INTERNAL';
    this.#lastError = { at: this.#options.now(), code, message: (error as Error)?.message ?? String(error) };
  }
}

/** The receipt as a result field when it says more than the message id (a Kafka position). */
function structured(receipt: DeliveryReceipt): { receipt?: DeliveryReceipt } {
  return receipt.kafka === undefined ? {} : { receipt };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

function validateMessage(message: ProtocolBridgeMessage): void {
  if (typeof message !== 'object' || message === null) {
    throw new BridgeInvalidMessageError(`\`message\` must be an object with a payload, got ${message === null ? 'null' : typeof message}`);
  }
  if (!('payload' in message) || message.payload === undefined) {
    throw new BridgeInvalidMessageError('`message.payload` is required, got undefined');
  }
  checkObject('headers', message.headers);
  checkObject('metadata', message.metadata);
  const headers = message.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      if (!Object.hasOwn(headers, name)) continue;
      const value: unknown = headers[name];
      if (typeof value !== 'string') {
        throw new BridgeInvalidMessageError(`\`message.headers.${name}\` must be a string, got ${describeValue(value)}`);
      }
    }
  }
  if (message.key !== undefined && typeof message.key !== 'string') {
    throw new BridgeInvalidMessageError(`\`message.key\` must be a string, got ${describeValue(message.key)}`);
  }
}

function checkObject(field: 'headers' | 'metadata', value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new BridgeInvalidMessageError(`\`message.${field}\` must be an object, got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
}

function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // The same message would fail the same way again.
  if (code === 'BRIDGE_INVALID_CONFIG' || code === 'BRIDGE_FORMAT') return false;
  const details = (error as { details?: { retryable?: unknown } } | null)?.details;
  return details?.retryable !== false;
}

function scalarString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new TypeError(`mapping produced ${typeof value}, not a scalar`);
}

function rawBody(payload: ContextValue): string | Uint8Array {
  if (payload instanceof Uint8Array || typeof payload === 'string') return payload;
  try {
    return JSON.stringify(payload) ?? '';
  } catch {
    return encoder.encode(String(payload));
  }
}

async function probe(check: () => Promise<ProtocolEndpointHealth>, timeoutMs: number): Promise<ProtocolEndpointHealth> {
  try {
    return await withTimeout(check(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`), { unref: true });
  } catch (error) {
    return { reachable: false, detail: (error as Error)?.message ?? String(error) };
  }
}
