import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SchemaInvalidError } from '../errors/schema-registry-errors.js';
import { canonicalJson } from './canonical-json.js';
import type { ResolvedReference, SchemaFormat } from './schema-format.js';

type JsonSchema = boolean | Readonly<Record<string, unknown>>;

/** A parsed JSON Schema with its compiled validator. */
export interface ParsedJsonSchema {
  /** The schema document. */
  readonly schema: JsonSchema;
  /** Referenced documents by the name the schema uses in `$ref`. */
  readonly references: ReadonlyMap<string, JsonSchema>;
  /** The ajv validator. */
  readonly validate: ValidateFunction;
}

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS with a `default` property: pick the function under both ESM and CJS loaders.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

function newAjv(schema: JsonSchema): Ajv {
  const dialect = typeof schema === 'object' && typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  const options = { strict: false, allErrors: false, validateFormats: true } as const;
  const ajv = dialect.includes('2020-12')
    ? new Ajv2020(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv as Ajv);
  return ajv;
}

function parseDocument(text: string, what: string): JsonSchema {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SchemaInvalidError(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    // Named, not printed: the value may be arbitrarily large or deep.
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new SchemaInvalidError(`${what} must be an object or a boolean, got ${got}`);
  }
  return value as JsonSchema;
}

/** JSON Schema (draft-07, 2019-09, 2020-12): validated by ajv; compatibility by structural rules. */
export class JsonSchemaFormat implements SchemaFormat<ParsedJsonSchema> {
  readonly type = 'JSON' as const;

  parse(text: string, references: readonly ResolvedReference[]): ParsedJsonSchema {
    const schema = parseDocument(text, 'JSON Schema');
    const refs = new Map<string, JsonSchema>();
    const ajv = newAjv(schema);
    try {
      for (const reference of references) {
        const doc = parseDocument(reference.schema, `JSON Schema reference ${reference.name}`);
        refs.set(reference.name, doc);
        if (typeof doc === 'object' && typeof doc['$id'] === 'string') refs.set(doc['$id'], doc);
        const withoutId = typeof doc === 'object' && doc['$id'] !== undefined ? { ...doc, $id: undefined } : doc;
        ajv.addSchema(withoutId as AnySchema, reference.name);
      }
      return { schema, references: refs, validate: ajv.compile(schema as AnySchema) };
    } catch (error) {
      if (error instanceof SchemaInvalidError) throw error;
      throw new SchemaInvalidError(`invalid JSON Schema: ${(error as Error).message}`, { cause: error });
    }
  }

  canonical(parsed: ParsedJsonSchema): string {
    return canonicalJson(parsed.schema);
  }

  readerAccepts(reader: ParsedJsonSchema, writer: ParsedJsonSchema): string[] {
    const messages: string[] = [];
    new JsonSchemaComparison(reader, writer, messages).compare(reader.schema, writer.schema, '#', 0);
    return messages;
  }

  recordName(parsed: ParsedJsonSchema): string | undefined {
    return typeof parsed.schema === 'object' && typeof parsed.schema['title'] === 'string'
      ? parsed.schema['title']
      : undefined;
  }
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'];
const MAX_DEPTH = 64;
const ANNOTATIONS = ['$schema', '$id', 'title', 'description', '$comment', 'default', 'examples', '$defs', 'definitions'];
const COMBINATORS = ['anyOf', 'oneOf', 'allOf'] as const;
type Combinator = (typeof COMBINATORS)[number];
type SchemaObject = Readonly<Record<string, unknown>>;

function isEmptySchema(schema: JsonSchema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  return Object.keys(schema).every((k) => ANNOTATIONS.includes(k));
}

function typesOf(schema: SchemaObject): string[] | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function asSchema(value: unknown): JsonSchema | undefined {
  if (typeof value === 'boolean') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonSchema;
  return undefined;
}

function without(schema: SchemaObject, ...keys: string[]): SchemaObject {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/** `base` and `branch` together, the branch winning on shared keywords (safe for a writer: it can only widen). */
function mergeWriter(base: SchemaObject, branch: JsonSchema): JsonSchema {
  return branch === true ? base : branch === false ? false : { ...base, ...branch };
}

/** The first combinator a schema uses, with its branches. */
function combinatorOf(schema: SchemaObject): { kind: Combinator; branches: unknown[] } | undefined {
  for (const kind of COMBINATORS) {
    const branches = schema[kind];
    if (Array.isArray(branches)) return { kind, branches };
  }
  return undefined;
}

/** Branches without duplicates (Confluent collapses them too). */
function distinct(branches: readonly unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const branch of branches) seen.set(canonicalJson(branch), branch);
  return [...seen.values()];
}

/**
 * Property dependencies of a schema: draft-07 `dependencies` (arrays and schemas) and 2019-09+
 * `dependentRequired` / `dependentSchemas`.
 */
function dependenciesOf(schema: SchemaObject): { required: Map<string, Set<string>>; schemas: Map<string, JsonSchema> } {
  const required = new Map<string, Set<string>>();
  const schemas = new Map<string, JsonSchema>();
  const addRequired = (key: string, names: unknown[]): void => {
    const set = required.get(key) ?? new Set<string>();
    for (const name of names) if (typeof name === 'string') set.add(name);
    required.set(key, set);
  };
  for (const [key, value] of Object.entries((asSchema(schema['dependencies']) ?? {}) as SchemaObject)) {
    if (Array.isArray(value)) addRequired(key, value);
    else {
      const dependency = asSchema(value);
      if (dependency !== undefined) schemas.set(key, dependency);
    }
  }
  for (const [key, value] of Object.entries((asSchema(schema['dependentRequired']) ?? {}) as SchemaObject)) {
    if (Array.isArray(value)) addRequired(key, value);
  }
  for (const [key, value] of Object.entries((asSchema(schema['dependentSchemas']) ?? {}) as SchemaObject)) {
    const dependency = asSchema(value);
    if (dependency !== undefined) schemas.set(key, dependency);
  }
  return { required, schemas };
}

/**
 * The schema applying to object members no `properties` entry names: `additionalProperties`, else
 * `unevaluatedProperties` (the same thing when no other keyword evaluates members), else anything.
 */
function restOfObject(schema: SchemaObject): JsonSchema {
  return asSchema(schema['additionalProperties']) ?? asSchema(schema['unevaluatedProperties']) ?? true;
}

/** Tuple items and the schema applying after them (draft-07 `items` array + `additionalItems`, 2020-12 `prefixItems` + `items`). */
function arrayShape(schema: SchemaObject): { prefix: unknown[] | undefined; rest: JsonSchema | undefined } {
  if (Array.isArray(schema['prefixItems'])) {
    return { prefix: schema['prefixItems'], rest: asSchema(schema['items']) ?? asSchema(schema['unevaluatedItems']) };
  }
  if (Array.isArray(schema['items'])) {
    return { prefix: schema['items'], rest: asSchema(schema['additionalItems']) ?? asSchema(schema['unevaluatedItems']) };
  }
  return { prefix: undefined, rest: asSchema(schema['items']) ?? asSchema(schema['unevaluatedItems']) };
}

function pointer(root: JsonSchema, fragment: string): JsonSchema | undefined {
  if (fragment === '' || fragment === '/') return root;
  let node: unknown = root;
  for (const raw of fragment.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return asSchema(node);
}

/** Collects the reasons a writer schema's data could be rejected by a reader schema. */
class JsonSchemaComparison {
  constructor(
    private readonly reader: ParsedJsonSchema,
    private readonly writer: ParsedJsonSchema,
    private readonly messages: string[],
  ) {}

  private deref(schema: JsonSchema, side: ParsedJsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; hops < 32 && typeof current === 'object' && typeof current['$ref'] === 'string'; hops++) {
      const ref = current['$ref'];
      const [base = '', fragment = ''] = ref.split('#');
      const doc = base === '' ? side.schema : side.references.get(base);
      const target = doc === undefined ? undefined : pointer(doc, fragment);
      if (target === undefined) return current;
      const { $ref: _ref, ...rest } = current;
      current = Object.keys(rest).length === 0 ? target : target === true ? rest : target === false ? false : { ...target, ...rest };
    }
    return current;
  }

  /** Messages of comparing `reader` with `writer` on their own, without recording them. */
  private attempt(reader: JsonSchema, writer: JsonSchema, path: string, depth: number): string[] {
    const messages: string[] = [];
    new JsonSchemaComparison(this.reader, this.writer, messages).compare(reader, writer, path, depth);
    return messages;
  }

  compare(readerIn: JsonSchema, writerIn: JsonSchema, path: string, depth: number): void {
    if (depth > MAX_DEPTH) return;
    const reader = this.deref(readerIn, this.reader);
    const writer = this.deref(writerIn, this.writer);
    if (writer === false || isEmptySchema(reader)) return;
    if (reader === false) {
      this.messages.push(`${path}: the reader accepts nothing (false schema)`);
      return;
    }
    const w: SchemaObject = writer === true ? {} : writer;
    let r = reader as SchemaObject;
    this.compareCombinators(r, w, path);

    // Sum types: every writer branch must be readable; the reader needs one branch that reads the writer.
    const writerBranches = (w['anyOf'] ?? w['oneOf']) as unknown;
    if (Array.isArray(writerBranches)) {
      const rest = without(w, 'anyOf', 'oneOf');
      writerBranches.forEach((branch, i) => {
        const schema = asSchema(branch);
        if (schema !== undefined) this.compare(r, mergeWriter(rest, schema), `${path}/anyOf/${i}`, depth + 1);
      });
      return;
    }
    const readerBranches = (r['anyOf'] ?? r['oneOf']) as unknown;
    if (Array.isArray(readerBranches)) {
      const rest = without(r, 'anyOf', 'oneOf');
      if (!isEmptySchema(rest)) this.compare(rest, w, path, depth + 1);
      let best: string[] | undefined;
      for (const branch of readerBranches) {
        const schema = asSchema(branch);
        if (schema === undefined) continue;
        const attempt = this.attempt(schema, w, path, depth + 1);
        if (attempt.length === 0) {
          best = [];
          break;
        }
        if (best === undefined || attempt.length < best.length) best = attempt;
      }
      if (best !== undefined && best.length > 0) {
        this.messages.push(`${path}: no branch of the reader's anyOf/oneOf reads the writer (${best.join('; ')})`);
      }
      return;
    }
    // Product types: every reader branch must read the writer.
    if (Array.isArray(r['allOf'])) {
      r['allOf'].forEach((branch, i) => {
        const schema = asSchema(branch);
        if (schema !== undefined) this.compare(schema, w, `${path}/allOf/${i}`, depth + 1);
      });
      r = without(r, 'allOf');
      if (isEmptySchema(r)) return;
    }
    // The writer's allOf holds all of its branches at once: one of them (with the writer's own
    // keywords) reading into the reader is enough.
    if (Array.isArray(w['allOf'])) {
      const rest = without(w, 'allOf');
      const candidates = [rest, ...w['allOf'].map((branch) => mergeWriter(rest, asSchema(branch) ?? true))];
      let best: string[] | undefined;
      for (const candidate of candidates) {
        const attempt = this.attempt(r, candidate, path, depth + 1);
        if (attempt.length === 0) return;
        if (best === undefined || attempt.length < best.length) best = attempt;
      }
      this.messages.push(...(best ?? []));
      return;
    }

    this.compareTypes(r, w, path);
    this.compareValues(r, w, path);
    this.compareBounds(r, w, path);
    this.compareNot(r, w, path, depth);
    this.compareObjects(r, w, path, depth);
    this.compareDependencies(r, w, path, depth);
    this.compareArrays(r, w, path, depth);
  }

  /**
   * Changing the combinator is allowed towards anyOf, between one-branch combinators, from a one-branch
   * writer to oneOf and from allOf to a one-branch reader (Confluent's rules); a product type may not
   * gain branches.
   */
  private compareCombinators(r: SchemaObject, w: SchemaObject, path: string): void {
    const readerCombinator = combinatorOf(r);
    const writerCombinator = combinatorOf(w);
    if (readerCombinator === undefined || writerCombinator === undefined) return;
    const { kind: rk, branches: rb } = readerCombinator;
    const { kind: wk, branches: wb } = writerCombinator;
    if (rk !== wk) {
      const allowed =
        rk === 'anyOf' || (rb.length === 1 && wb.length === 1) || (wb.length === 1 && rk === 'oneOf') || (rb.length === 1 && wk === 'allOf');
      if (!allowed) this.messages.push(`${path}: ${wk} with ${wb.length} branches changed to ${rk} with ${rb.length}`);
    } else if (rk === 'allOf' && distinct(rb).length > distinct(wb).length) {
      this.messages.push(`${path}: allOf gained branches (${distinct(wb).length} to ${distinct(rb).length})`);
    }
  }

  private compareTypes(r: SchemaObject, w: SchemaObject, path: string): void {
    const readerTypes = typesOf(r);
    if (readerTypes === undefined) return;
    const accepts = (type: string): boolean => readerTypes.includes(type) || (type === 'integer' && readerTypes.includes('number'));
    const writerTypes = typesOf(w);
    if (writerTypes === undefined) {
      const written = Array.isArray(w['enum']) ? w['enum'] : 'const' in w ? [w['const']] : undefined;
      if (written === undefined) this.messages.push(`${path}: type narrowed from any type to ${readerTypes.join('|')}`);
      else {
        for (const value of written) {
          if (!accepts(jsonTypeOf(value))) this.messages.push(`${path}: value ${JSON.stringify(value)} is not of type ${readerTypes.join('|')}`);
        }
      }
      return;
    }
    for (const type of writerTypes) {
      if (!accepts(type)) this.messages.push(`${path}: type narrowed, ${type} is no longer accepted (reader: ${readerTypes.join('|')})`);
    }
  }

  private compareValues(r: SchemaObject, w: SchemaObject, path: string): void {
    if (Array.isArray(r['enum'])) {
      const allowed = new Set(r['enum'].map((v) => canonicalJson(v)));
      const written = Array.isArray(w['enum']) ? w['enum'] : 'const' in w ? [w['const']] : undefined;
      if (written === undefined) this.messages.push(`${path}: enum added`);
      else {
        for (const value of written) {
          if (!allowed.has(canonicalJson(value))) this.messages.push(`${path}: enum value ${JSON.stringify(value)} removed`);
        }
      }
    }
    if ('const' in r) {
      const written = Array.isArray(w['enum']) ? w['enum'] : 'const' in w ? [w['const']] : undefined;
      if (written === undefined || written.some((v) => canonicalJson(v) !== canonicalJson(r['const']))) {
        this.messages.push(`${path}: const ${JSON.stringify(r['const'])} added or changed`);
      }
    }
  }

  private compareBounds(r: SchemaObject, w: SchemaObject, path: string): void {
    for (const key of LOWER_BOUNDS) {
      const rv = r[key];
      if (typeof rv !== 'number') continue;
      const wv = w[key];
      if (typeof wv !== 'number' || rv > wv) this.messages.push(`${path}: ${key} ${typeof wv === 'number' ? `increased from ${wv}` : 'added'} to ${rv}`);
    }
    for (const key of UPPER_BOUNDS) {
      const rv = r[key];
      if (typeof rv !== 'number') continue;
      const wv = w[key];
      if (typeof wv !== 'number' || rv < wv) this.messages.push(`${path}: ${key} ${typeof wv === 'number' ? `decreased from ${wv}` : 'added'} to ${rv}`);
    }
    const rm = r['multipleOf'];
    if (typeof rm === 'number') {
      const wm = w['multipleOf'];
      if (typeof wm !== 'number' || !Number.isInteger(wm / rm)) this.messages.push(`${path}: multipleOf ${rm} added or changed`);
    }
    for (const key of ['pattern', 'format', 'contentEncoding', 'contentMediaType']) {
      if (r[key] !== undefined && r[key] !== w[key]) this.messages.push(`${path}: ${key} ${w[key] === undefined ? 'added' : 'changed'} (${JSON.stringify(r[key])})`);
    }
    if (r['uniqueItems'] === true && w['uniqueItems'] !== true) this.messages.push(`${path}: uniqueItems added`);
  }

  /** A reader's `not: X` reads a writer's `not: Y` when X excludes nothing Y allows, i.e. when Y reads X (the sides swap). */
  private compareNot(r: SchemaObject, w: SchemaObject, path: string, depth: number): void {
    const readerNot = asSchema(r['not']);
    if (readerNot === undefined) return;
    const writerNot = asSchema(w['not']);
    if (writerNot === undefined) {
      this.messages.push(`${path}: not added`);
      return;
    }
    const messages: string[] = [];
    new JsonSchemaComparison(this.writer, this.reader, messages).compare(writerNot, readerNot, `${path}/not`, depth + 1);
    if (messages.length > 0) this.messages.push(`${path}/not: the reader excludes values the writer allows (${messages.join('; ')})`);
  }

  private compareObjects(r: SchemaObject, w: SchemaObject, path: string, depth: number): void {
    const rProps = (asSchema(r['properties']) ?? {}) as SchemaObject;
    const wProps = (asSchema(w['properties']) ?? {}) as SchemaObject;
    const rAdditional = restOfObject(r);
    const wAdditional = restOfObject(w);
    const objectKeywords = ['properties', 'additionalProperties', 'unevaluatedProperties', 'patternProperties', 'required'];
    if (![r, w].some((s) => objectKeywords.some((k) => k in s))) return;
    const readerPattern = (asSchema(r['patternProperties']) ?? {}) as SchemaObject;
    const readerFor = (name: string): JsonSchema => {
      const own = asSchema(rProps[name]);
      if (own !== undefined) return own;
      for (const [pattern, schema] of Object.entries(readerPattern)) {
        if (new RegExp(pattern, 'u').test(name)) return asSchema(schema) ?? true;
      }
      return rAdditional;
    };

    for (const [name, schemaValue] of Object.entries(wProps)) {
      const writerSchema = asSchema(schemaValue) ?? true;
      // A property the writer forbids (`false`) never appears in its data.
      if (writerSchema === false) continue;
      if (name in rProps) {
        this.compare(asSchema(rProps[name]) ?? true, writerSchema, `${path}/properties/${name}`, depth + 1);
        continue;
      }
      const target = readerFor(name);
      if (target === false) this.messages.push(`${path}: property '${name}' removed from a closed content model`);
      else if (target !== true) this.compare(target, writerSchema, `${path}/properties/${name}`, depth + 1);
    }
    for (const [name, schemaValue] of Object.entries(rProps)) {
      if (name in wProps || wAdditional === false) continue;
      const messages = this.attempt(asSchema(schemaValue) ?? true, wAdditional, `${path}/properties/${name}`, depth + 1);
      if (messages.length > 0) this.messages.push(`${path}: property '${name}' added to an open content model`);
    }
    if (wAdditional !== false && rAdditional !== true) {
      if (rAdditional === false) this.messages.push(`${path}: content model closed (additionalProperties: false added)`);
      else this.compare(rAdditional, wAdditional, `${path}/additionalProperties`, depth + 1);
    }
    this.compareRest('unevaluatedProperties', r, w, path, depth);

    // As Confluent does, only names the reader declares in `properties` are checked.
    const wRequired = new Set(Array.isArray(w['required']) ? (w['required'] as string[]) : []);
    for (const name of Array.isArray(r['required']) ? (r['required'] as string[]) : []) {
      if (wRequired.has(name) || !(name in rProps)) continue;
      const schema = asSchema(rProps[name]);
      const hasDefault = typeof schema === 'object' && 'default' in schema;
      if (!hasDefault) this.messages.push(`${path}: required property '${name}' added`);
    }
  }

  /** A reader dependency needs the same dependency in the writer, at least as strict. */
  private compareDependencies(r: SchemaObject, w: SchemaObject, path: string, depth: number): void {
    const reader = dependenciesOf(r);
    if (reader.required.size === 0 && reader.schemas.size === 0) return;
    const writer = dependenciesOf(w);
    for (const [key, names] of reader.required) {
      const written = writer.required.get(key);
      if (written === undefined) {
        this.messages.push(`${path}/dependencies/${key}: dependency on [${[...names].join(', ')}] added`);
        continue;
      }
      const added = [...names].filter((name) => !written.has(name));
      if (added.length > 0) this.messages.push(`${path}/dependencies/${key}: dependency extended with [${added.join(', ')}]`);
    }
    for (const [key, schema] of reader.schemas) {
      const written = writer.schemas.get(key);
      if (written === undefined) this.messages.push(`${path}/dependencies/${key}: dependent schema added`);
      else this.compare(schema, written, `${path}/dependencies/${key}`, depth + 1);
    }
  }

  /**
   * `additionalItems`, `unevaluatedItems` and `unevaluatedProperties` compared as keywords, whatever
   * they apply to: a reader's `false` needs a writer's `false`, a reader's schema one the writer's reads.
   */
  private compareRest(key: string, r: SchemaObject, w: SchemaObject, path: string, depth: number): void {
    const readerRest = asSchema(r[key]);
    if (readerRest === undefined || readerRest === true) return;
    const writerRest = asSchema(w[key]);
    if (writerRest === false) return;
    if (readerRest === false) this.messages.push(`${path}: ${key} false added`);
    else if (writerRest === undefined || writerRest === true) this.messages.push(`${path}: ${key} schema added`);
    else this.compare(readerRest, writerRest, `${path}/${key}`, depth + 1);
  }

  private compareArrays(r: SchemaObject, w: SchemaObject, path: string, depth: number): void {
    const { prefix: rPrefix, rest: rItems } = arrayShape(r);
    const { prefix: wPrefix, rest: wRest } = arrayShape(w);
    const wItems = wRest ?? true;
    if (rPrefix !== undefined) {
      rPrefix.forEach((schema, i) => {
        const writerSchema = asSchema(wPrefix?.[i]) ?? wItems;
        this.compare(asSchema(schema) ?? true, writerSchema, `${path}/items/${i}`, depth + 1);
      });
    }
    if (rItems !== undefined) {
      wPrefix?.forEach((schema, i) => {
        if (rPrefix === undefined || i >= rPrefix.length) this.compare(rItems, asSchema(schema) ?? true, `${path}/items/${i}`, depth + 1);
      });
      this.compare(rItems, wItems, `${path}/items`, depth + 1);
    }
    // Confluent compares these keywords even where the tuple form makes them inert.
    if (!Array.isArray(r['items'])) this.compareRest('additionalItems', r, w, path, depth);
    if (!(rItems !== undefined && rItems === asSchema(r['unevaluatedItems']))) this.compareRest('unevaluatedItems', r, w, path, depth);
  }
}
