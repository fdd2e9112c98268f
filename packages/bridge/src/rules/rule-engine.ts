import { Environment } from '@marcbachmann/cel-js';
import { BridgeConfigError, BridgeRuleSyntaxError, BridgeRuleTooLargeError, BridgeRuleUnsafeError } from '../errors/bridge-errors.js';
import { celContext } from './cel-context.js';
import { DEFAULT_RULE_LIMITS, type RuleLimits } from './rule-limits.js';
import { bridgeCheck } from '../internal/bridge-check.js';

/** Variables a routing expression can read. */
export interface RuleContext {
  /** The decoded payload (object for json, string for text, bytes for bytes). */
  readonly payload: unknown;
  /** Message headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Message metadata. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The explicit key, or null. */
  readonly key: string | null;
}

/**
 * A compiled expression: call it with a context (plain JSON values, or a context converted once
 * with `celContext` when several expressions read the same message); it throws on evaluation errors.
 */
export interface CompiledExpression {
  /** Source text. */
  readonly source: string;
  /** Evaluates the expression. */
  evaluate(context: RuleContext): unknown;
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Functions refused because their cost is not bounded by the input size (backtracking regexes). */
const REFUSED_FUNCTIONS = new Set(['matches']);

interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start?: number;
  readonly pos?: number;
}

/**
 * Compiles routing expressions with CEL (`@marcbachmann/cel-js`): an interpreter over a parsed AST
 * with no `eval`, no `new Function`, own-property access only, and the limits of {@link RuleLimits}.
 */
export class RuleEngine {
  readonly #env: Environment;
  readonly #limits: Required<RuleLimits>;

  /** @throws BridgeConfigError when a limit is not a positive integer. */
  constructor(limits: RuleLimits = {}) {
    const merged = { ...DEFAULT_RULE_LIMITS, ...limits };
    for (const [name, value] of Object.entries(merged)) {
      bridgeCheck.integer(`ruleLimits.${name}`, value, { min: 1, max: Number.POSITIVE_INFINITY });
    }
    this.#limits = merged;
    this.#env = new Environment({
      unlistedVariablesAreDyn: false,
      homogeneousAggregateLiterals: false,
      limits: {
        maxAstNodes: merged.maxAstNodes,
        maxDepth: merged.maxDepth,
        maxListElements: merged.maxListElements,
        maxMapEntries: merged.maxMapEntries,
        maxCallArguments: merged.maxCallArguments,
      },
    })
      .registerVariable('payload', 'dyn')
      .registerVariable('headers', 'map')
      .registerVariable('metadata', 'map')
      .registerVariable('key', 'dyn');
  }

  /** The limits in force. */
  get limits(): Required<RuleLimits> {
    return this.#limits;
  }

  /**
   * Parses, type-checks and safety-checks an expression once.
   * @param where names the expression in error messages (`routingRules[0].condition`)
   * @throws BridgeRuleSyntaxError (with line and column), BridgeRuleTooLargeError or BridgeRuleUnsafeError
   */
  compile(source: string, where: string): CompiledExpression {
    if (typeof source !== 'string' || source.trim() === '') {
      throw new BridgeConfigError(`\`${where}\` must be a non-empty expression string, got ${JSON.stringify(source)}`);
    }
    if (source.length > this.#limits.maxLength) {
      throw new BridgeRuleTooLargeError(where, `${source.length} characters exceed maxLength ${this.#limits.maxLength}`);
    }
    let program: ReturnType<Environment['parse']>;
    try {
      program = this.#env.parse(source);
    } catch (error) {
      throw this.#translate(error, where, source);
    }
    this.#checkSafety(program.ast as unknown as AstNode, where, source, 0, false);
    const checked = this.#env.check(source);
    if (!checked.valid) throw this.#translate(checked.error, where, source);
    return {
      source,
      evaluate: (context) => program(celContext(context) as unknown as Record<string, unknown>),
    };
  }

  #translate(error: unknown, where: string, source: string): Error {
    const cel = error as { code?: string; summary?: string; message?: string; range?: { start?: number } } | undefined;
    const reason = cel?.summary ?? cel?.message ?? String(error);
    if (cel?.code === 'limit_exceeded') return new BridgeRuleTooLargeError(where, reason, error);
    return new BridgeRuleSyntaxError(where, source, cel?.range?.start ?? 0, reason, error);
  }

  #checkSafety(node: AstNode, where: string, source: string, comprehensionDepth: number, inBody: boolean): void {
    let depth = comprehensionDepth;
    const position = node.start ?? node.pos ?? 0;
    if (node.op === 'in' && inBody && !boundedMembership((node.args as unknown[])[1])) {
      throw new BridgeRuleUnsafeError(
        where,
        source,
        position,
        "'in' inside a comprehension is refused unless its right side is a list or map literal, headers or metadata: membership in a payload list costs its length for every element the comprehension visits",
      );
    }
    if (node.op === 'call' || node.op === 'rcall') {
      const name = (node.args as unknown[])[0] as string;
      if (REFUSED_FUNCTIONS.has(name)) {
        throw new BridgeRuleUnsafeError(
          where,
          source,
          position,
          `'${name}()' is refused: backtracking regular expressions can take exponential time; use contains(), startsWith() or endsWith()`,
        );
      }
      if (node.op === 'rcall' && COMPREHENSIONS.has(name)) {
        depth += 1;
        if (depth > this.#limits.maxComprehensionDepth) {
          throw new BridgeRuleUnsafeError(
            where,
            source,
            position,
            `comprehensions nested ${depth} deep exceed maxComprehensionDepth ${this.#limits.maxComprehensionDepth}`,
          );
        }
      }
    }
    if (node.op === 'rcall' && COMPREHENSIONS.has((node.args as unknown[])[0] as string)) {
      // args: name, receiver (evaluated once), then the macro's arguments (evaluated per element).
      const [, receiver, body] = node.args as [string, unknown, unknown];
      visitChildren(receiver, (child) => this.#checkSafety(child, where, source, depth, inBody));
      visitChildren(body, (child) => this.#checkSafety(child, where, source, depth, true));
      return;
    }
    visitChildren(node.args, (child) => this.#checkSafety(child, where, source, depth, inBody));
  }
}

/** True when `in` over this operand costs at most a literal's size or one map lookup. */
function boundedMembership(operand: unknown): boolean {
  if (!isAstNode(operand)) return false;
  if (operand.op === 'list' || operand.op === 'map') return true;
  return operand.op === 'id' && (operand.args === 'headers' || operand.args === 'metadata');
}

function visitChildren(args: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(args)) {
    for (const item of args) visitChildren(item, visit);
  } else if (isAstNode(args)) {
    visit(args);
  }
}

function isAstNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { op?: unknown }).op === 'string' && 'args' in value;
}
