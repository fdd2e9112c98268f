import type { RuleContext } from './rule-engine.js';

/**
 * Deepest nesting {@link celContext} converts. The bridge's JSON depth bound (at most 1000) keeps
 * decoded payloads below it; only a payload handed over as a deeper object reaches it.
 */
export const MAX_CEL_VALUE_DEPTH = 1024;

/** Contexts already converted, so that evaluating several expressions converts a message once. */
const converted = new WeakSet<object>();

/**
 * The context as values the CEL interpreter cannot misread: every object becomes a `Map` and every
 * array a fresh array. cel-js tells a map from a message type by reading `value.constructor`, so a
 * plain object with its own `constructor` key (`{"constructor": {}}`, `"x"` or `null`) failed every
 * expression with "Unsupported type"; a `Map` keeps keys out of its properties, so `constructor`,
 * `__proto__`, `toString` or `hasOwnProperty` are ordinary keys. Converting an already converted
 * context returns it as is.
 * @throws RangeError when the payload is nested deeper than {@link MAX_CEL_VALUE_DEPTH}
 */
export function celContext(context: RuleContext): RuleContext {
  if (converted.has(context)) return context;
  const result: RuleContext = {
    payload: celValue(context.payload, 0),
    headers: celValue(context.headers, 0) as RuleContext['headers'],
    metadata: celValue(context.metadata, 0) as RuleContext['metadata'],
    key: context.key,
  };
  converted.add(result);
  return result;
}

function celValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  if (depth >= MAX_CEL_VALUE_DEPTH) throw new RangeError(`payload is nested deeper than ${MAX_CEL_VALUE_DEPTH} levels`);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i += 1) out[i] = celValue(value[i], depth + 1);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, celValue(v, depth + 1));
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  // Instances of other classes (Date, Set, …) stay as they are: the interpreter either knows them
  // or raises an evaluation error, which the bridge handles as a rule error.
  if (proto !== Object.prototype && proto !== null) return value;
  const out = new Map<string, unknown>();
  for (const k of Object.keys(value)) out.set(k, celValue((value as Record<string, unknown>)[k], depth + 1));
  return out;
}
