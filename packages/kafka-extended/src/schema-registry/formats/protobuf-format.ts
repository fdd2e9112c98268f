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

function kindOf(field: protobuf.Field): string {
  if (field instanceof protobuf.MapField) return `map<${field.keyType}, ${SCALAR_GROUPS[field.type] ?? stripDot(field.resolvedType?.fullName ?? field.type)}>`;
  if (field.resolvedType instanceof protobuf.Type) return `message ${stripDot(field.resolvedType.fullName)}`;
  if (field.resolvedType instanceof protobuf.Enum) return `enum ${stripDot(field.resolvedType.fullName)}`;
  return SCALAR_GROUPS[field.type] ?? field.type;
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
    const readerTypes = new Map(reader.messages.map((m) => [m.fullName.split('.').slice(reader.packageName ? reader.packageName.split('.').length : 0).join('.'), m.type]));
    for (const entry of writer.messages) {
      const local = entry.fullName.split('.').slice(writer.packageName ? writer.packageName.split('.').length : 0).join('.');
      const readerType = readerTypes.get(local);
      if (readerType === undefined) {
        messages.push(`message ${local} removed`);
        continue;
      }
      this.compareMessage(readerType, entry.type, local, messages);
    }
    return messages;
  }

  private compareMessage(reader: protobuf.Type, writer: protobuf.Type, name: string, messages: string[]): void {
    const movedIntoNewOneof = new Map<string, string[]>();
    for (const writerField of writer.fieldsArray) {
      const readerField = reader.fieldsById[writerField.id];
      const where = `${name}.${writerField.name} (${writerField.id})`;
      if (readerField === undefined) {
        const renamed = reader.fields[writerField.name];
        // A removed field is skipped as unknown; a renumbered one silently loses its data.
        if (renamed !== undefined) messages.push(`field ${where} renumbered to ${renamed.id}`);
        continue;
      }
      const readerKind = kindOf(readerField);
      const writerKind = kindOf(writerField);
      if (readerKind !== writerKind) {
        messages.push(`field ${where} changed kind from ${writerField.type} (${writerKind}) to ${readerField.type} (${readerKind})`);
      }
      if (readerField.repeated !== writerField.repeated) {
        messages.push(`field ${where} changed label from ${writerField.repeated ? 'repeated' : 'singular'} to ${readerField.repeated ? 'repeated' : 'singular'}`);
      }
      if (readerField.required && !writerField.required) messages.push(`field ${where} became required`);
      const readerOneof = readerField.partOf?.name;
      const writerOneof = writerField.partOf?.name;
      if (readerOneof !== undefined && readerOneof !== writerOneof && !readerField.partOf?.name.startsWith('_')) {
        const existed = writer.oneofsArray.some((o) => o.name === readerOneof);
        if (existed) messages.push(`field ${where} moved into existing oneof ${readerOneof}`);
        else movedIntoNewOneof.set(readerOneof, [...(movedIntoNewOneof.get(readerOneof) ?? []), writerField.name]);
      }
    }
    for (const [oneof, fields] of movedIntoNewOneof) {
      if (fields.length > 1) messages.push(`fields ${fields.join(', ')} of ${name} moved into the new oneof ${oneof}`);
    }
    for (const readerField of reader.fieldsArray) {
      if (writer.fieldsById[readerField.id] === undefined && readerField.required) {
        messages.push(`required field ${name}.${readerField.name} (${readerField.id}) added`);
      }
    }
  }
}
