/** Size and complexity limits applied when a routing expression is compiled. */
export interface RuleLimits {
  /** Longest accepted expression, in characters. @default 2048 */
  readonly maxLength?: number;
  /** Most AST nodes in one expression. @default 256 */
  readonly maxAstNodes?: number;
  /** Deepest nesting of the AST. @default 32 */
  readonly maxDepth?: number;
  /** Most elements in a list literal. @default 64 */
  readonly maxListElements?: number;
  /** Most entries in a map literal. @default 64 */
  readonly maxMapEntries?: number;
  /** Most arguments of one call. @default 8 */
  readonly maxCallArguments?: number;
  /**
   * Deepest nesting of comprehension macros (`all`, `exists`, `map`, `filter`, …). 1 keeps the number
   * of comprehension steps linear in the payload size; what each step costs is bounded separately
   * (`in` over a payload value is refused inside a comprehension). @default 1
   */
  readonly maxComprehensionDepth?: number;
}

/** {@link RuleLimits} with every default filled in. */
export const DEFAULT_RULE_LIMITS: Required<RuleLimits> = {
  maxLength: 2048,
  maxAstNodes: 256,
  maxDepth: 32,
  maxListElements: 64,
  maxMapEntries: 64,
  maxCallArguments: 8,
  maxComprehensionDepth: 1,
};
