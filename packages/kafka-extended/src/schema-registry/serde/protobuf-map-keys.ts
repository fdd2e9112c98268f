import protobuf from 'protobufjs';
import { isWellFormed, LoneSurrogateError } from './lone-surrogates.js';

const LONG_KEY_TYPES: ReadonlyMap<string, boolean> = new Map([
  ['int64', true],
  ['sint64', true],
  ['sfixed64', true],
  ['uint64', false],
  ['fixed64', false],
]);

/**
 * A protobufjs writer whose `bool` reads the map keys protobufjs hands it as object keys: its
 * generated encoders call `bool("false")`, which is truthy and was written as true. Real booleans
 * are unchanged. Its `string` throws {@link LoneSurrogateError} for a string UTF-8 cannot carry.
 */
export function mapKeyAwareWriter(): protobuf.Writer {
  const writer = protobuf.Writer.create();
  const bool = writer.bool;
  writer.bool = function (this: protobuf.Writer, value: boolean | string): protobuf.Writer {
    return bool.call(this, typeof value === 'string' ? value === 'true' || value === '1' : value);
  } as protobuf.Writer['bool'];
  // protobufjs writes a lone surrogate as U+FFFD (fields, elements and map keys all pass here).
  const string = writer.string;
  writer.string = function (this: protobuf.Writer, value: string): protobuf.Writer {
    if (typeof value === 'string' && !isWellFormed(value)) throw new LoneSurrogateError();
    return string.call(this, value);
  };
  return writer;
}

/** What to rewrite in messages of one type: its 64-bit-keyed maps, and the fields holding messages that have some. */
interface KeyPlan {
  readonly longMaps: { readonly name: string; readonly signed: boolean }[];
  nested: { readonly name: string; readonly shape: 'single' | 'repeated' | 'map'; readonly plan: KeyPlan }[];
}

/** Plans by type; `null` for types whose messages never need a rewrite. */
const plans = new WeakMap<protobuf.Type, KeyPlan | null>();

function build(type: protobuf.Type, building: Map<protobuf.Type, KeyPlan>): KeyPlan {
  let plan = building.get(type);
  if (plan !== undefined) return plan;
  plan = { longMaps: [], nested: [] };
  building.set(type, plan); // before recursing: a recursive type finds its own plan
  for (const field of type.fieldsArray) {
    field.resolve();
    const signed = field instanceof protobuf.MapField ? LONG_KEY_TYPES.get(field.keyType) : undefined;
    if (signed !== undefined) plan.longMaps.push({ name: field.name, signed });
    if (field.resolvedType instanceof protobuf.Type) {
      plan.nested.push({ name: field.name, shape: field.map ? 'map' : field.repeated ? 'repeated' : 'single', plan: build(field.resolvedType, building) });
    }
  }
  return plan;
}

function planOf(type: protobuf.Type): KeyPlan | null {
  const known = plans.get(type);
  if (known !== undefined) return known;
  const building = new Map<protobuf.Type, KeyPlan>();
  build(type, building);
  // A plan is needed when it has a 64-bit-keyed map or reaches one; iterate to a fixpoint for cycles.
  const needed = new Set([...building.values()].filter((p) => p.longMaps.length > 0));
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of building.values()) {
      if (!needed.has(p) && p.nested.some((n) => needed.has(n.plan))) {
        needed.add(p);
        changed = true;
      }
    }
  }
  for (const [t, p] of building) {
    p.nested = p.nested.filter((n) => needed.has(n.plan));
    if (!plans.has(t)) plans.set(t, needed.has(p) ? p : null);
  }
  return plans.get(type) ?? null;
}

function decimal(hash: string, signed: boolean): string {
  const bits = protobuf.util.LongBits.fromHash(hash);
  const unsigned = (BigInt(bits.hi >>> 0) << 32n) | BigInt(bits.lo >>> 0);
  return (signed ? BigInt.asIntN(64, unsigned) : unsigned).toString();
}

function rewrite(message: Record<string, unknown>, plan: KeyPlan): void {
  for (const { name, signed } of plan.longMaps) {
    const map = message[name] as Record<string, unknown> | undefined;
    if (map === undefined || map === null) continue;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(map)) out[decimal(key, signed)] = map[key];
    message[name] = out;
  }
  for (const { name, shape, plan: inner } of plan.nested) {
    const value = message[name];
    if (value === undefined || value === null) continue;
    if (shape === 'single') rewrite(value as Record<string, unknown>, inner);
    else for (const item of shape === 'repeated' ? (value as unknown[]) : Object.values(value as object)) rewrite(item as Record<string, unknown>, inner);
  }
}

/**
 * Rewrites, in a message protobufjs just decoded, the keys of 64-bit-keyed maps from protobufjs's
 * 8-character hash strings to decimal strings (exact; object keys are strings anyway).
 * Types without such maps cost one WeakMap lookup.
 */
export function decimalMapKeys(type: protobuf.Type, message: unknown): void {
  if (!protobuf.util.Long) return; // without a Long library protobufjs already gives number keys
  const plan = planOf(type);
  if (plan !== null) rewrite(message as Record<string, unknown>, plan);
}

const TWO_31 = 2n ** 31n;
const TWO_63 = 2n ** 63n;
/** Keys of integer map key types: the range of the type. */
const KEY_RANGES: ReadonlyMap<string, readonly [bigint, bigint]> = new Map([
  ['int32', [-TWO_31, TWO_31 - 1n]],
  ['sint32', [-TWO_31, TWO_31 - 1n]],
  ['sfixed32', [-TWO_31, TWO_31 - 1n]],
  ['uint32', [0n, 2n ** 32n - 1n]],
  ['fixed32', [0n, 2n ** 32n - 1n]],
  ['int64', [-TWO_63, TWO_63 - 1n]],
  ['sint64', [-TWO_63, TWO_63 - 1n]],
  ['sfixed64', [-TWO_63, TWO_63 - 1n]],
  ['uint64', [0n, 2n ** 64n - 1n]],
  ['fixed64', [0n, 2n ** 64n - 1n]],
] as const);

/** The key an object key stands for in a map of `keyType`, as text; `undefined` when it stands for none. */
function canonicalKey(keyType: string, key: string): string | undefined {
  if (keyType === 'bool') return key === 'true' || key === '1' ? 'true' : key === 'false' || key === '0' ? 'false' : undefined;
  const range = KEY_RANGES.get(keyType);
  if (range === undefined) return key; // string keys: distinct object keys are distinct keys
  if (!/^-?\d+$/.test(key)) return undefined;
  const value = BigInt(key);
  return value < range[0] || value > range[1] ? undefined : value.toString();
}

function keysProblem(field: protobuf.MapField, map: object, path: string): string | undefined {
  const seen = new Map<string, string>();
  for (const key of Object.keys(map)) {
    const canonical = canonicalKey(field.keyType, key);
    if (canonical === undefined) {
      const range = KEY_RANGES.get(field.keyType);
      const expected = range === undefined ? 'true, false, 1 or 0' : `a decimal integer in [${range[0]}, ${range[1]}]`;
      return `map ${path} has the key ${JSON.stringify(key)}, which is not a ${field.keyType} key (${expected})`;
    }
    const first = seen.get(canonical);
    if (first !== undefined) return `map ${path} has the keys ${JSON.stringify(first)} and ${JSON.stringify(key)}, both the ${field.keyType} key ${canonical}`;
    seen.set(canonical, key);
  }
  return undefined;
}

function messageKeysProblem(type: protobuf.Type, message: Record<string, unknown>, path: string, depth: number): string | undefined {
  if (depth > protobuf.util.recursionLimit) return undefined; // protobufjs refuses the value itself
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null || typeof value !== 'object') continue;
    const at = `${path}/${field.name}`;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field instanceof protobuf.MapField) {
      const problem = keysProblem(field, value, at);
      if (problem !== undefined) return problem;
      if (nested === undefined) continue;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        const inner = item !== null && typeof item === 'object' ? messageKeysProblem(nested, item as Record<string, unknown>, `${at}/${key}`, depth + 1) : undefined;
        if (inner !== undefined) return inner;
      }
    } else if (nested !== undefined) {
      const items = field.repeated && Array.isArray(value) ? value : [value];
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as unknown;
        const inner = item !== null && typeof item === 'object' ? messageKeysProblem(nested, item as Record<string, unknown>, field.repeated ? `${at}/${i}` : at, depth + 1) : undefined;
        if (inner !== undefined) return inner;
      }
    }
  }
  return undefined;
}

/**
 * Why the map keys of `message` cannot be written unchanged: an object key that is no key of the
 * map's key type (`'yes'` for bool, `'1.0'` or `'4294967296'` for int32), or two object keys that
 * are one key (`'0'` and `'false'`, `'1'` and `'01'`), of which protobufjs would write both and a
 * reader keep the last. `undefined` when every key is fine.
 */
export function mapKeysProblem(type: protobuf.Type, message: unknown): string | undefined {
  return message !== null && typeof message === 'object' ? messageKeysProblem(type, message as Record<string, unknown>, '', 0) : undefined;
}
