import type avro from 'avsc';

/** The parts of avsc types the rules read. */
interface AnyType {
  readonly typeName: string;
  readonly name?: string;
  readonly aliases?: readonly string[];
  readonly fields?: readonly { readonly name: string; readonly aliases: readonly string[]; readonly type: AnyType; defaultValue(): unknown }[];
  readonly symbols?: readonly string[];
  readonly default?: string;
  readonly size?: number;
  readonly itemsType?: AnyType;
  readonly valuesType?: AnyType;
  readonly types?: readonly AnyType[];
}

/** Writer types each reader type can read besides its own (the Avro specification's promotions). */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

function kind(type: AnyType): string {
  if (type.typeName.startsWith('union')) return 'union';
  return type.typeName === 'error' ? 'record' : type.typeName;
}

function unqualified(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * Names match when their unqualified parts are equal, or when a reader alias, qualified with the
 * reader's namespace when it has none of its own, is the writer's full name (the alias `Old` of
 * `ns.New` is `ns.Old` and does not match `other.Old`).
 */
function namesMatch(reader: AnyType, writer: AnyType): boolean {
  if (reader.name === undefined || writer.name === undefined) return true;
  return unqualified(reader.name) === unqualified(writer.name) || (reader.aliases ?? []).includes(writer.name);
}

function describe(type: AnyType): string {
  return type.name ?? kind(type);
}

/**
 * Reasons data written with `writer` cannot be read with `reader`, empty when it can, following
 * the schema resolution rules of the Avro specification as Apache Avro's `SchemaCompatibility`
 * applies them: every branch of a writer union must be readable, a reader union needs one branch
 * that reads the writer, named types match by unqualified name or reader alias, reader fields the
 * writer lacks need a default, and enum symbols the reader lacks need a reader default.
 */
export function avroReaderAccepts(reader: avro.Type, writer: avro.Type): string[] {
  return new Checker().check(reader as unknown as AnyType, writer as unknown as AnyType, '');
}

class Checker {
  /** Pairs being checked: a recursive schema meeting itself again is assumed compatible, as Avro does. */
  private readonly inProgress = new Map<AnyType, Set<AnyType>>();

  check(reader: AnyType, writer: AnyType, path: string): string[] {
    let writers = this.inProgress.get(reader);
    if (writers?.has(writer)) return [];
    if (writers === undefined) this.inProgress.set(reader, (writers = new Set()));
    writers.add(writer);
    try {
      return this.compare(reader, writer, path);
    } finally {
      writers.delete(writer);
    }
  }

  private compare(reader: AnyType, writer: AnyType, path: string): string[] {
    const r = kind(reader);
    const w = kind(writer);
    const at = path === '' ? '/' : path;
    if (w === 'union') {
      return (writer.types ?? []).flatMap((branch, i) => this.check(reader, branch, `${path}/${i}`));
    }
    if (r === 'union') {
      const branches = reader.types ?? [];
      if (branches.some((branch) => this.check(branch, writer, path).length === 0)) return [];
      return [`at ${at}: no branch of the reader union [${branches.map(describe).join(', ')}] reads the writer's ${describe(writer)}`];
    }
    if (r !== w) {
      if (PROMOTIONS[r]?.includes(w)) return [];
      return [`at ${at}: reader type ${describe(reader)} cannot read writer type ${describe(writer)}`];
    }
    switch (r) {
      case 'record':
        return this.record(reader, writer, path);
      case 'enum':
        return this.enum(reader, writer, at);
      case 'fixed': {
        if (!namesMatch(reader, writer)) return [nameMismatch(reader, writer, at)];
        return reader.size === writer.size ? [] : [`at ${at}: fixed ${describe(reader)} has size ${reader.size}, the writer's ${writer.size}`];
      }
      case 'array':
        return this.check(reader.itemsType!, writer.itemsType!, `${path}/items`);
      case 'map':
        return this.check(reader.valuesType!, writer.valuesType!, `${path}/values`);
      default:
        return [];
    }
  }

  private record(reader: AnyType, writer: AnyType, path: string): string[] {
    const at = path === '' ? '/' : path;
    if (!namesMatch(reader, writer)) return [nameMismatch(reader, writer, at)];
    const writerFields = new Map((writer.fields ?? []).map((f) => [f.name, f]));
    const reasons: string[] = [];
    for (const field of reader.fields ?? []) {
      const source = writerFields.get(field.name) ?? field.aliases.map((alias) => writerFields.get(alias)).find((f) => f !== undefined);
      if (source !== undefined) {
        reasons.push(...this.check(field.type, source.type, `${path}/${field.name}`));
      } else if (field.defaultValue() === undefined) {
        reasons.push(`at ${path}/${field.name}: the writer has no field ${field.name} and the reader field is default-less`);
      }
    }
    return reasons;
  }

  private enum(reader: AnyType, writer: AnyType, at: string): string[] {
    if (!namesMatch(reader, writer)) return [nameMismatch(reader, writer, at)];
    const symbols = reader.symbols ?? [];
    const missing = (writer.symbols ?? []).filter((s) => !symbols.includes(s));
    if (missing.length === 0 || (reader.default !== undefined && symbols.includes(reader.default))) return [];
    return [`at ${at}: reader enum ${describe(reader)} lacks writer symbols ${missing.join(', ')} and has no default`];
  }
}

function nameMismatch(reader: AnyType, writer: AnyType, at: string): string {
  const aliases = reader.aliases?.length ? ` (aliases ${reader.aliases.join(', ')})` : '';
  return `at ${at}: reader ${kind(reader)} ${reader.name}${aliases} does not match writer name ${writer.name}`;
}
