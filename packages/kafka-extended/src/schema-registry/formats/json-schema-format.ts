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
    throw new SchemaInvalidError(`${what} must be an object or a boolean, got ${JSON.stringify(value)}`);
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

function isEmptySchema(schema: JsonSchema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  return Object.keys(schema).every((k) => ['$schema', '$id', 'title', 'description', '$comment', 'default', 'examples', '$defs', 'definitions'].includes(k));
}

function typesOf(schema: Readonly<Record<string, unknown>>): string[] | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

function asSchema(value: unknown): JsonSchema | undefined {
  if (typeof value === 'boolean') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonSchema;
  return undefined;
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

  compare(readerIn: JsonSchema, writerIn: JsonSchema, path: string, depth: number): void {
    if (depth > MAX_DEPTH) return;
    const reader = this.deref(readerIn, this.reader);
    const writer = this.deref(writerIn, this.writer);
    if (writer === false || isEmptySchema(reader)) return;
    if (reader === false) {
      this.messages.push(`${path}: the reader accepts nothing (false schema)`);
      return;
    }
    const w: Readonly<Record<string, unknown>> = writer === true ? {} : writer;
    const r = reader as Readonly<Record<string, unknown>>;

    // Sum types: every writer branch must be readable; the reader needs one branch that reads the writer.
    const writerBranches = (w['anyOf'] ?? w['oneOf']) as unknown;
    if (Array.isArray(writerBranches)) {
      const { anyOf: _a, oneOf: _o, ...rest } = w;
      writerBranches.forEach((branch, i) => {
        const schema = asSchema(branch);
        if (schema !== undefined) this.compare(r, schema === true ? rest : schema === false ? false : { ...rest, ...schema }, `${path}/anyOf/${i}`, depth + 1);
      });
      return;
    }
    const readerBranches = (r['anyOf'] ?? r['oneOf']) as unknown;
    if (Array.isArray(readerBranches)) {
      let best: string[] | undefined;
      for (const branch of readerBranches) {
        const schema = asSchema(branch);
        if (schema === undefined) continue;
        const attempt: string[] = [];
        new JsonSchemaComparison(this.reader, this.writer, attempt).compare(schema, w, path, depth + 1);
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
    if (Array.isArray(r['allOf'])) {
      for (const branch of r['allOf']) {
        const schema = asSchema(branch);
        if (schema !== undefined) this.compare(schema, w, `${path}/allOf`, depth + 1);
      }
    }

    this.compareTypes(r, w, path);
    this.compareValues(r, w, path);
    this.compareBounds(r, w, path);
    this.compareObjects(r, w, path, depth);
    this.compareArrays(r, w, path, depth);
  }

  private compareTypes(r: Readonly<Record<string, unknown>>, w: Readonly<Record<string, unknown>>, path: string): void {
    const readerTypes = typesOf(r);
    if (readerTypes === undefined) return;
    const writerTypes = typesOf(w);
    if (writerTypes === undefined) {
      if (w['enum'] === undefined && w['const'] === undefined) {
        this.messages.push(`${path}: type narrowed from any type to ${readerTypes.join('|')}`);
      }
      return;
    }
    for (const type of writerTypes) {
      const ok = readerTypes.includes(type) || (type === 'integer' && readerTypes.includes('number'));
      if (!ok) this.messages.push(`${path}: type narrowed, ${type} is no longer accepted (reader: ${readerTypes.join('|')})`);
    }
  }

  private compareValues(r: Readonly<Record<string, unknown>>, w: Readonly<Record<string, unknown>>, path: string): void {
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

  private compareBounds(r: Readonly<Record<string, unknown>>, w: Readonly<Record<string, unknown>>, path: string): void {
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

  private compareObjects(r: Readonly<Record<string, unknown>>, w: Readonly<Record<string, unknown>>, path: string, depth: number): void {
    const rProps = (asSchema(r['properties']) ?? {}) as Readonly<Record<string, unknown>>;
    const wProps = (asSchema(w['properties']) ?? {}) as Readonly<Record<string, unknown>>;
    const rAdditional = asSchema(r['additionalProperties']) ?? true;
    const wAdditional = asSchema(w['additionalProperties']) ?? true;
    const isObject = [r, w].some((s) => 'properties' in s || 'additionalProperties' in s || 'required' in s);
    if (!isObject) return;
    const readerPattern = (asSchema(r['patternProperties']) ?? {}) as Readonly<Record<string, unknown>>;
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
      const before = this.messages.length;
      this.compare(asSchema(schemaValue) ?? true, wAdditional, `${path}/properties/${name}`, depth + 1);
      if (this.messages.length > before) {
        this.messages.splice(before, this.messages.length - before, `${path}: property '${name}' added to an open content model`);
      }
    }
    if (wAdditional !== false && rAdditional !== true) {
      if (rAdditional === false) this.messages.push(`${path}: content model closed (additionalProperties: false added)`);
      else this.compare(rAdditional, wAdditional, `${path}/additionalProperties`, depth + 1);
    }

    const wRequired = new Set(Array.isArray(w['required']) ? (w['required'] as string[]) : []);
    for (const name of Array.isArray(r['required']) ? (r['required'] as string[]) : []) {
      if (wRequired.has(name)) continue;
      const schema = asSchema(rProps[name]);
      const hasDefault = typeof schema === 'object' && 'default' in schema;
      if (!hasDefault) this.messages.push(`${path}: required property '${name}' added`);
    }
  }

  private compareArrays(r: Readonly<Record<string, unknown>>, w: Readonly<Record<string, unknown>>, path: string, depth: number): void {
    const rPrefix = Array.isArray(r['prefixItems']) ? r['prefixItems'] : Array.isArray(r['items']) ? r['items'] : undefined;
    const wPrefix = Array.isArray(w['prefixItems']) ? w['prefixItems'] : Array.isArray(w['items']) ? w['items'] : undefined;
    const rItems = Array.isArray(r['items']) ? asSchema(r['additionalItems']) : asSchema(r['items']);
    const wItems = (Array.isArray(w['items']) ? asSchema(w['additionalItems']) : asSchema(w['items'])) ?? true;
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
  }
}
