import protobuf from 'protobufjs';
import { SchemaInvalidError } from '../errors/schema-registry-errors.js';
import { canonicalJson } from './canonical-json.js';
import type { ResolvedReference, SchemaFormat } from './schema-format.js';

/** A message type of a parsed `.proto` file with its Confluent message-index path. */
export interface ProtobufMessageEntry {
  /** Full name without the leading dot (`acme.Order.Line`). */
  readonly fullName: string;
  /** Indexes from the file's top-level messages down to this one. */
  readonly indexes: readonly number[];
  /** The protobufjs type (resolved against the references). */
  readonly type: protobuf.Type;
}

/** A parsed `.proto` schema (or protobufjs JSON). */
export interface ParsedProtobufSchema {
  /** Package of the file ('' when none). */
  readonly packageName: string;
  /** The file's own messages, depth-first in declaration order. */
  readonly messages: readonly ProtobufMessageEntry[];
  /** The file alone (for identity), as protobufjs JSON. */
  readonly fileJson: unknown;
}

const SCALAR_GROUPS: Readonly<Record<string, string>> = {
  int32: 'varint', int64: 'varint', uint32: 'varint', uint64: 'varint', bool: 'varint',
  sint32: 'zigzag', sint64: 'zigzag',
  fixed32: 'fixed32', sfixed32: 'fixed32',
  fixed64: 'fixed64', sfixed64: 'fixed64',
  string: 'length-delimited', bytes: 'length-delimited',
  float: 'float', double: 'double',
};

function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}

function parseInto(text: string, root: protobuf.Root, what: string): { packageName: string; imports: string[] } {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const json = JSON.parse(trimmed) as protobuf.INamespace;
      root.addJSON(json.nested ?? {});
      return { packageName: '', imports: [] };
    }
    const result = protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
    return { packageName: result.package ?? '', imports: [...(result.imports ?? []), ...(result.weakImports ?? [])] };
  } catch (error) {
    throw new SchemaInvalidError(`invalid Protobuf ${what}: ${(error as Error).message}`, { cause: error });
  }
}

function fileMessages(fileRoot: protobuf.Root, packageName: string): { fullName: string; indexes: number[] }[] {
  const out: { fullName: string; indexes: number[] }[] = [];
  const visit = (ns: protobuf.NamespaceBase, prefix: number[]): void => {
    let index = 0;
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const indexes = [...prefix, index++];
        out.push({ fullName: stripDot(nested.fullName), indexes });
        visit(nested, indexes);
      }
    }
  };
  let start: protobuf.NamespaceBase = fileRoot;
  if (packageName !== '') {
    const found = fileRoot.lookup(packageName);
    if (found instanceof protobuf.Namespace) start = found;
  } else {
    // protobufjs JSON: descend through plain namespaces to the first level that holds messages.
    while (start.nestedArray.length === 1 && start.nestedArray[0] instanceof protobuf.Namespace && !(start.nestedArray[0] instanceof protobuf.Type)) {
      start = start.nestedArray[0] as protobuf.Namespace;
    }
  }
  visit(start, []);
  return out;
}

/** The name of a type inside its package: the chain of enclosing messages (`Order.Line`). */
function localName(type: protobuf.ReflectionObject): string {
  const names: string[] = [];
  for (let node: protobuf.ReflectionObject | null = type; node instanceof protobuf.Type || node instanceof protobuf.Enum; node = node.parent) {
    names.unshift(node.name);
  }
  return names.join('.');
}

/** How a field's values travel: a scalar wire-type group (enums are varints), a message, or a map. */
type FieldKind =
  | { readonly kind: 'scalar'; readonly group: string; readonly name: string }
  | { readonly kind: 'message'; readonly type: protobuf.Type; readonly name: string }
  | { readonly kind: 'map' };

function kindOfType(typeName: string, resolved: protobuf.ReflectionObject | null): FieldKind {
  if (resolved instanceof protobuf.Type) return { kind: 'message', type: resolved, name: localName(resolved) };
  if (resolved instanceof protobuf.Enum) return { kind: 'scalar', group: 'varint', name: `enum ${localName(resolved)}` };
  return { kind: 'scalar', group: SCALAR_GROUPS[typeName] ?? typeName, name: typeName };
}

/** The oneof a field belongs to, proto3 `optional` (a synthetic oneof) not counted. */
function oneofOf(field: protobuf.Field): string | undefined {
  const oneof = field.partOf;
  if (oneof === null || (oneof.name === `_${field.name}` && oneof.oneof.length === 1)) return undefined;
  return oneof.name;
}

/** Compares messages field by field number, following Confluent's Protobuf rules. */
class ProtobufComparison {
  private readonly compared = new Set<string>();

  constructor(private readonly messages: string[]) {}

  /** Compares each message pair once (message-typed fields recurse, possibly in cycles). */
  compareMessage(reader: protobuf.Type, writer: protobuf.Type, name: string): string[] {
    const key = `${reader.fullName}\u0000${writer.fullName}`;
    if (this.compared.has(key)) return [];
    this.compared.add(key);
    const found: string[] = [];
    this.compareFields(reader, writer, name, found);
    this.messages.push(...found);
    return found;
  }

  private compareFields(reader: protobuf.Type, writer: protobuf.Type, name: string, out: string[]): void {
    const readerOneofs = new Set(reader.fieldsArray.map(oneofOf).filter((o) => o !== undefined));
    // A oneof that is gone with all of its fields is a plain deletion.
    const deletedOneofs = new Set(
      writer.oneofsArray
        .filter((o) => !readerOneofs.has(o.name) && o.fieldsArray.every((f) => reader.fieldsById[f.id] === undefined))
        .map((o) => o.name),
    );

    // Fields the writer keeps apart must not become mutually exclusive in the reader.
    const groups = new Map<string, { origins: Set<string>; movedIn: number }>();
    for (const readerField of reader.fieldsArray) {
      const oneof = oneofOf(readerField);
      const writerField = writer.fieldsById[readerField.id];
      if (oneof === undefined || writerField === undefined) continue;
      const group = groups.get(oneof) ?? { origins: new Set<string>(), movedIn: 0 };
      const origin = oneofOf(writerField);
      group.origins.add(origin === undefined ? `field ${writerField.id}` : `oneof ${origin}`);
      if (origin === undefined) group.movedIn++;
      groups.set(oneof, group);
    }
    for (const [oneof, { origins, movedIn }] of groups) {
      if (origins.size <= 1) continue;
      out.push(movedIn > 1 ? `several fields of ${name} moved into the oneof ${oneof}` : `a field of ${name} moved into the existing oneof ${oneof}`);
    }

    for (const writerField of writer.fieldsArray) {
      const readerField = reader.fieldsById[writerField.id];
      const where = `${name}.${writerField.name} (${writerField.id})`;
      if (readerField !== undefined) {
        this.compareField(readerField, writerField, where, out);
        continue;
      }
      const oneof = oneofOf(writerField);
      if (oneof !== undefined && !deletedOneofs.has(oneof)) out.push(`field ${where} removed from oneof ${oneof}`);
      else if (writerField.required) out.push(`required field ${where} removed`);
    }
    for (const readerField of reader.fieldsArray) {
      if (writer.fieldsById[readerField.id] === undefined && readerField.required) {
        out.push(`required field ${name}.${readerField.name} (${readerField.id}) added`);
      }
    }
  }

  private compareField(readerField: protobuf.Field, writerField: protobuf.Field, where: string, out: string[]): void {
    if (readerField.required && !writerField.required) out.push(`field ${where} became required`);
    if (readerField instanceof protobuf.MapField || writerField instanceof protobuf.MapField) {
      if (!(readerField instanceof protobuf.MapField && writerField instanceof protobuf.MapField)) {
        out.push(`field ${where} changed kind between map and ${readerField instanceof protobuf.MapField ? writerField.type : readerField.type}`);
        return;
      }
      this.compareKinds(kindOfType(readerField.keyType, null), kindOfType(writerField.keyType, null), `${where} key`, undefined, out);
      this.compareKinds(kindOfType(readerField.type, readerField.resolvedType), kindOfType(writerField.type, writerField.resolvedType), `${where} value`, undefined, out);
      return;
    }
    this.compareKinds(
      kindOfType(readerField.type, readerField.resolvedType),
      kindOfType(writerField.type, writerField.resolvedType),
      where,
      { reader: readerField.repeated, writer: writerField.repeated },
      out,
    );
  }

  private compareKinds(reader: FieldKind, writer: FieldKind, where: string, labels: { reader: boolean; writer: boolean } | undefined, out: string[]): void {
    if (reader.kind === 'scalar' && writer.kind === 'scalar') {
      if (reader.group !== writer.group) {
        out.push(`field ${where} changed kind from ${writer.name} (${writer.group}) to ${reader.name} (${reader.group})`);
      } else if (labels !== undefined && labels.reader !== labels.writer && reader.group !== 'length-delimited') {
        // Numbers may be packed when repeated; strings and bytes read the same either way.
        out.push(`field ${where} changed label from ${labels.writer ? 'repeated' : 'singular'} to ${labels.reader ? 'repeated' : 'singular'}`);
      }
      return;
    }
    if (reader.kind === 'message' && writer.kind === 'message') {
      // Messages match by their name inside their package (the package may move); a singular
      // message reads a repeated one (the last wins) and the other way round.
      if (reader.name !== writer.name) {
        out.push(`field ${where} changed message type from ${writer.name} to ${reader.name}`);
        return;
      }
      const inner = this.compareMessage(reader.type, writer.type, reader.name);
      if (inner.length > 0) out.push(`field ${where} has an incompatible message type ${reader.name}`);
      return;
    }
    out.push(`field ${where} changed kind from ${writer.kind === 'map' ? 'map' : writer.name} to ${reader.kind === 'map' ? 'map' : reader.name}`);
  }
}

/** Protobuf: `.proto` text (or protobufjs JSON) parsed by protobufjs; compatibility by field numbers and wire types. */
export class ProtobufFormat implements SchemaFormat<ParsedProtobufSchema> {
  readonly type = 'PROTOBUF' as const;

  parse(text: string, references: readonly ResolvedReference[]): ParsedProtobufSchema {
    const root = new protobuf.Root();
    const provided = new Set<string>();
    for (const reference of references) {
      parseInto(reference.schema, root, `reference ${reference.name}`);
      provided.add(reference.name);
    }
    const { packageName, imports } = parseInto(text, root, 'schema');
    for (const name of imports) {
      if (provided.has(name)) continue;
      const common = name.startsWith('google/protobuf/') ? protobuf.common.get(name) : null;
      if (common) root.addJSON(common.nested ?? {});
      else throw new SchemaInvalidError(`invalid Protobuf schema: import "${name}" is not given as a reference`);
    }
    try {
      root.resolveAll();
    } catch (error) {
      throw new SchemaInvalidError(`invalid Protobuf schema: ${(error as Error).message}`, { cause: error });
    }
    const fileRoot = new protobuf.Root();
    parseInto(text, fileRoot, 'schema');
    const entries = fileMessages(fileRoot, packageName).map((entry) => ({ ...entry, type: root.lookupType(entry.fullName) }));
    if (entries.length === 0) throw new SchemaInvalidError('invalid Protobuf schema: the file declares no message');
    return { packageName, messages: entries, fileJson: fileRoot.toJSON() };
  }

  canonical(parsed: ParsedProtobufSchema): string {
    return canonicalJson({ package: parsed.packageName, file: parsed.fileJson });
  }

  recordName(parsed: ParsedProtobufSchema): string | undefined {
    return parsed.messages[0]?.fullName;
  }

  readerAccepts(reader: ParsedProtobufSchema, writer: ParsedProtobufSchema): string[] {
    const messages: string[] = [];
    if (reader.packageName !== writer.packageName) {
      messages.push(`package changed from '${writer.packageName}' to '${reader.packageName}'`);
    }
    const readerTypes = new Map(reader.messages.map((m) => [localName(m.type), m.type]));
    const comparison = new ProtobufComparison(messages);
    for (const entry of writer.messages) {
      const local = localName(entry.type);
      const readerType = readerTypes.get(local);
      if (readerType === undefined) messages.push(`message ${local} removed`);
      else comparison.compareMessage(readerType, entry.type, local);
    }
    return messages;
  }
}
