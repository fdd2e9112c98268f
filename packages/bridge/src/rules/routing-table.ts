import type { ProtocolRoutingRule } from '@onex/spi-types';
import { describeValue } from '@onex/spi-types/support';
import { BridgeConfigError } from '../errors/bridge-errors.js';
import type { CompiledExpression, RuleContext, RuleEngine } from './rule-engine.js';
import { bridgeCheck } from '../internal/bridge-check.js';

/** A route chosen for a message. */
export interface Route {
  /** Rule name (or `default`), used in per-route metrics. */
  readonly name: string;
  /** Destination at the target (topic, URL, channel). */
  readonly destination: string;
}

/** Outcome of routing one message. */
export interface RoutingDecision {
  /** Chosen routes, in rule order; empty when the message is rejected. */
  readonly routes: readonly Route[];
  /** True when no rule matched. */
  readonly unmatched: boolean;
  /** Rules whose evaluation raised; when any did, `routes` is empty: the message is a rule error, not unmatched. */
  readonly errors: readonly { readonly rule: string; readonly error: unknown }[];
}

const NO_ERRORS: RoutingDecision['errors'] = Object.freeze([]);

interface CompiledRule {
  readonly name: string;
  readonly destination: string;
  readonly condition: CompiledExpression;
}

/** Routing rules compiled once, evaluated per message: first match wins or every match gets a copy. */
export class RoutingTable {
  readonly #rules: readonly CompiledRule[];
  readonly #mode: 'first_match' | 'fan_out';
  readonly #fallback: Route | undefined;
  /** The decision for every message when there are no rules. */
  readonly #noRules: RoutingDecision;

  /**
   * Compiles every rule.
   * @throws BridgeConfigError, BridgeRuleSyntaxError, BridgeRuleTooLargeError or BridgeRuleUnsafeError naming the rule
   */
  constructor(
    engine: RuleEngine,
    rules: readonly ProtocolRoutingRule[],
    mode: 'first_match' | 'fan_out',
    fallback: string | undefined,
  ) {
    if (!Array.isArray(rules)) {
      throw bridgeCheck.fail('routingRules', 'an array', rules);
    }
    const names = new Set<string>();
    this.#rules = rules.map((rule, index) => {
      const where = `routingRules[${index}]`;
      if (typeof rule !== 'object' || rule === null) {
        throw bridgeCheck.fail(where, 'an object', rule);
      }
      const destination = rule.targetTopic ?? rule.targetEndpoint;
      if (typeof destination !== 'string' || destination === '') {
        throw new BridgeConfigError(`\`${where}.targetTopic\` or \`${where}.targetEndpoint\` must be a non-empty string, got ${describeValue(destination)}`);
      }
      if (rule.name !== undefined && (typeof rule.name !== 'string' || rule.name === '')) {
        throw bridgeCheck.fail(`${where}.name`, 'a non-empty string', rule.name);
      }
      const name = rule.name ?? rule.condition;
      if (names.has(name)) throw new BridgeConfigError(`\`${where}.name\` '${name}' is used by an earlier rule`);
      names.add(name);
      return { name, destination, condition: engine.compile(rule.condition, `${where}.condition`) };
    });
    this.#mode = mode;
    this.#fallback = fallback === undefined ? undefined : { name: 'default', destination: fallback };
    this.#noRules = Object.freeze({
      routes: Object.freeze(this.#fallback ? [this.#fallback] : []),
      unmatched: this.#fallback === undefined,
      errors: NO_ERRORS,
    });
  }

  /** Number of rules. */
  get size(): number {
    return this.#rules.length;
  }

  /**
   * Chooses the routes of a message. The decision is read-only (it may be shared between messages).
   * A rule that raises ends routing with no route (in `first_match` mode at that rule, in `fan_out`
   * mode after every rule): whether it would have matched is unknown, so neither a later rule nor the
   * default route may take the message.
   */
  route(context: RuleContext): RoutingDecision {
    if (this.#rules.length === 0) return this.#noRules;
    const routes: Route[] = [];
    let errors: { rule: string; error: unknown }[] | undefined;
    for (const rule of this.#rules) {
      let matched: boolean;
      try {
        const value = rule.condition.evaluate(context);
        if (typeof value !== 'boolean') throw new TypeError(`condition returned ${typeof value}, not bool`);
        matched = value;
      } catch (error) {
        (errors ??= []).push({ rule: rule.name, error });
        if (this.#mode === 'first_match') break;
        continue;
      }
      if (matched) {
        routes.push({ name: rule.name, destination: rule.destination });
        if (this.#mode === 'first_match') break;
      }
    }
    if (errors) return { routes: [], unmatched: false, errors };
    const unmatched = routes.length === 0 && (this.#rules.length > 0 || this.#fallback === undefined);
    if (routes.length === 0 && this.#fallback) routes.push(this.#fallback);
    return { routes, unmatched, errors: errors ?? NO_ERRORS };
  }
}
