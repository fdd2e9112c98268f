import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { SchemaInvalidError } from '../errors/schema-registry-errors.js';
import type { ResolvedReference } from './schema-format.js';

// Confluent accepts a Protobuf schema as `.proto` text or as a base64 `FileDescriptorProto` (what its
// clients' serializers send) and answers `?format=serialized` with the descriptor. This registry
// stores `.proto` text; these two functions convert between the forms.

/* eslint-disable @typescript-eslint/no-explicit-any -- descriptors are protobufjs messages decoded at run time */
type Desc = Record<string, any>;

const SCALARS: Readonly<Record<number, string>> = {
  1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32', 8: 'bool',
  9: 'string', 12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64',
};
const SCALAR_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(SCALARS).map(([n, name]) => [name, Number(n)]));
const TYPE_GROUP = 10;
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;
const MAX_FIELD_NUMBER = 536_870_911;

const FILE_OPTIONS: Readonly<Record<string, string>> = {
  javaPackage: 'java_package', javaOuterClassname: 'java_outer_classname', javaMultipleFiles: 'java_multiple_files',
  javaGenerateEqualsAndHash: 'java_generate_equals_and_hash', javaStringCheckUtf8: 'java_string_check_utf8', optimizeFor: 'optimize_for',
  goPackage: 'go_package', ccGenericServices: 'cc_generic_services', javaGenericServices: 'java_generic_services',
  pyGenericServices: 'py_generic_services', deprecated: 'deprecated', ccEnableArenas: 'cc_enable_arenas',
  objcClassPrefix: 'objc_class_prefix', csharpNamespace: 'csharp_namespace', swiftPrefix: 'swift_prefix',
  phpClassPrefix: 'php_class_prefix', phpNamespace: 'php_namespace', phpMetadataNamespace: 'php_metadata_namespace', rubyPackage: 'ruby_package',
};
const MESSAGE_OPTIONS: Readonly<Record<string, string>> = { deprecated: 'deprecated' };
const FIELD_OPTIONS: Readonly<Record<string, string>> = { packed: 'packed', deprecated: 'deprecated', jstype: 'jstype' };
const ENUM_OPTIONS: Readonly<Record<string, string>> = { allowAlias: 'allow_alias', deprecated: 'deprecated' };
const VALUE_OPTIONS: Readonly<Record<string, string>> = { deprecated: 'deprecated' };
const METHOD_OPTIONS: Readonly<Record<string, string>> = { deprecated: 'deprecated' };

function invalid(message: string): never {
  throw new SchemaInvalidError(`invalid Protobuf descriptor: ${message}`);
}

/** Whether schema text is a base64 `FileDescriptorProto` rather than `.proto` text (which always holds a space, `;` or `{`). */
export function isSerializedDescriptor(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed);
}

/** Own properties set on a decoded message (protobufjs puts defaults on the prototype). */
function setKeys(message: Desc | null | undefined): string[] {
  return message ? Object.keys(message).filter((k) => message[k] !== null && message[k] !== undefined && !(Array.isArray(message[k]) && message[k].length === 0)) : [];
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function optionValue(type: protobuf.Type, camel: string, value: unknown): string {
  if (typeof value === 'string') {
    const field = type.fields[camel];
    const resolved = field?.resolve().resolvedType;
    return resolved instanceof protobuf.Enum ? value : quote(value);
  }
  if (typeof value === 'number') {
    const resolved = type.fields[camel]?.resolve().resolvedType;
    if (resolved instanceof protobuf.Enum) return resolved.valuesById[value] ?? invalid(`option ${camel} has unknown value ${value}`);
  }
  return String(value);
}

/** `[name = value, …]` / `option name = value;` entries of an options message; refuses options it cannot write. */
function optionEntries(options: Desc | null | undefined, known: Readonly<Record<string, string>>, type: protobuf.Type, where: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const key of setKeys(options)) {
    if (skip.includes(key)) continue;
    const name = known[key];
    if (name === undefined) invalid(`${where} has option ${key}, which cannot be written as .proto text here; register the .proto text instead`);
    out.push(`${name} = ${optionValue(type, key, options![key])}`);
  }
  return out;
}

function fieldOptionsOf(field: Desc, syntax: string): string[] {
  const entries = optionEntries(field['options'], FIELD_OPTIONS, descriptor.FieldOptions, `field ${field['name']}`);
  if (field['defaultValue'] !== undefined && field['defaultValue'] !== null && field['defaultValue'] !== '') {
    const value = String(field['defaultValue']);
    entries.unshift(`default = ${field['type'] === 9 || field['type'] === 12 ? quote(value) : value}`);
  } else if (field['defaultValue'] === '' && Object.hasOwn(field, 'defaultValue') && (field['type'] === 9 || field['type'] === 12)) {
    entries.unshift('default = ""');
  }
  if (field['jsonName'] && field['jsonName'] !== defaultJsonName(field['name'])) entries.push(`json_name = ${quote(field['jsonName'])}`);
  if (syntax === 'proto3' && entries.some((e) => e.startsWith('default ='))) invalid(`field ${field['name']} has a default value, which proto3 does not allow`);
  return entries;
}

/** protoc's json_name: lowerCamelCase of the field name. */
function defaultJsonName(name: string): string {
  return name.replace(/_+([a-z0-9]?)/gi, (_m, c: string) => c.toUpperCase());
}

/** protoc's map entry name: `counts` → `CountsEntry`, `my_map` → `MyMapEntry`. */
function mapEntryName(field: string): string {
  const camel = defaultJsonName(field);
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

function typeOf(field: Desc): string {
  const type = field['type'] as number;
  if (type === TYPE_GROUP) invalid(`field ${field['name']} is a group, which this registry does not support`);
  if (type === TYPE_MESSAGE || type === TYPE_ENUM) return field['typeName'] || invalid(`field ${field['name']} has no type name`);
  return SCALARS[type] ?? invalid(`field ${field['name']} has unknown type ${type}`);
}

function rangeText(start: number, endExclusive: number): string {
  const end = endExclusive - 1;
  if (end === start) return String(start);
  return `${start} to ${endExclusive > MAX_FIELD_NUMBER ? 'max' : end}`;
}

class ProtoWriter {
  readonly lines: string[] = [];
  constructor(private readonly syntax: string) {}

  line(indent: number, text: string): void {
    this.lines.push(`${'  '.repeat(indent)}${text}`);
  }

  field(indent: number, field: Desc, mapEntries: ReadonlyMap<string, Desc>, inOneof: boolean): void {
    const options = fieldOptionsOf(field, this.syntax);
    const suffix = `${field['name']} = ${field['number']}${options.length > 0 ? ` [${options.join(', ')}]` : ''};`;
    const entry = field['type'] === TYPE_MESSAGE && field['label'] === LABEL_REPEATED ? mapEntries.get(field['typeName']) : undefined;
    if (entry) {
      const key = entry['field'].find((f: Desc) => f['number'] === 1);
      const value = entry['field'].find((f: Desc) => f['number'] === 2);
      if (!key || !value) invalid(`map entry ${entry['name']} lacks its key or value field`);
      this.line(indent, `map<${typeOf(key)}, ${typeOf(value)}> ${suffix}`);
      return;
    }
    let label = '';
    if (field['label'] === LABEL_REPEATED) label = 'repeated ';
    else if (field['label'] === LABEL_REQUIRED) label = 'required ';
    else if (!inOneof && (this.syntax === 'proto2' || field['proto3Optional'] === true)) label = 'optional ';
    this.line(indent, `${label}${typeOf(field)} ${suffix}`);
  }

  enumType(indent: number, e: Desc): void {
    this.line(indent, `enum ${e['name']} {`);
    for (const option of optionEntries(e['options'], ENUM_OPTIONS, descriptor.EnumOptions, `enum ${e['name']}`)) this.line(indent + 1, `option ${option};`);
    for (const value of e['value'] ?? []) {
      const options = optionEntries(value['options'], VALUE_OPTIONS, descriptor.EnumValueOptions, `enum value ${value['name']}`);
      this.line(indent + 1, `${value['name']} = ${value['number']}${options.length > 0 ? ` [${options.join(', ')}]` : ''};`);
    }
    for (const range of e['reservedRange'] ?? []) this.line(indent + 1, `reserved ${range['start'] === range['end'] ? range['start'] : `${range['start']} to ${range['end']}`};`);
    for (const name of e['reservedName'] ?? []) this.line(indent + 1, `reserved ${quote(name)};`);
    this.line(indent, '}');
  }

  message(indent: number, m: Desc, scope: string): void {
    const fullName = `${scope}.${m['name']}`;
    this.line(indent, `message ${m['name']} {`);
    for (const option of optionEntries(m['options'], MESSAGE_OPTIONS, descriptor.MessageOptions, `message ${m['name']}`)) this.line(indent + 1, `option ${option};`);
    const mapEntries = new Map<string, Desc>();
    for (const nested of m['nestedType'] ?? []) if (nested['options']?.['mapEntry'] === true) mapEntries.set(`${fullName}.${nested['name']}`, nested);
    const oneofs: Desc[] = m['oneofDecl'] ?? [];
    const fields: Desc[] = m['field'] ?? [];
    const emittedOneofs = new Set<number>();
    for (const field of fields) {
      const index = field['oneofIndex'];
      const inRealOneof = index !== undefined && index !== null && field['proto3Optional'] !== true;
      if (!inRealOneof) {
        this.field(indent + 1, field, mapEntries, false);
        continue;
      }
      if (emittedOneofs.has(index)) continue;
      emittedOneofs.add(index);
      const oneof = oneofs[index] ?? invalid(`field ${field['name']} names oneof ${index}, which is not declared`);
      if (setKeys(oneof['options']).length > 0) invalid(`oneof ${oneof['name']} has options, which cannot be written as .proto text here`);
      this.line(indent + 1, `oneof ${oneof['name']} {`);
      for (const member of fields.filter((f) => f['oneofIndex'] === index && f['proto3Optional'] !== true)) this.field(indent + 2, member, mapEntries, true);
      this.line(indent + 1, '}');
    }
    for (const nested of m['nestedType'] ?? []) if (nested['options']?.['mapEntry'] !== true) this.message(indent + 1, nested, fullName);
    for (const e of m['enumType'] ?? []) this.enumType(indent + 1, e);
    this.extensions(indent + 1, m['extension'] ?? []);
    for (const range of m['extensionRange'] ?? []) {
      if (setKeys(range['options']).length > 0) invalid(`an extension range of ${m['name']} has options, which cannot be written as .proto text here`);
      this.line(indent + 1, `extensions ${rangeText(range['start'], range['end'])};`);
    }
    for (const range of m['reservedRange'] ?? []) this.line(indent + 1, `reserved ${rangeText(range['start'], range['end'])};`);
    for (const name of m['reservedName'] ?? []) this.line(indent + 1, `reserved ${quote(name)};`);
    this.line(indent, '}');
  }

  extensions(indent: number, fields: readonly Desc[]): void {
    const byExtendee = new Map<string, Desc[]>();
    for (const field of fields) byExtendee.set(field['extendee'], [...(byExtendee.get(field['extendee']) ?? []), field]);
    for (const [extendee, members] of byExtendee) {
      this.line(indent, `extend ${extendee} {`);
      for (const field of members) this.field(indent + 1, field, new Map(), false);
      this.line(indent, '}');
    }
  }

  service(s: Desc): void {
    if (setKeys(s['options']).length > 0) invalid(`service ${s['name']} has options, which cannot be written as .proto text here`);
    this.line(0, `service ${s['name']} {`);
    for (const method of s['method'] ?? []) {
      const options = optionEntries(method['options'], METHOD_OPTIONS, descriptor.MethodOptions, `method ${method['name']}`);
      const head = `rpc ${method['name']} (${method['clientStreaming'] ? 'stream ' : ''}${method['inputType']}) returns (${method['serverStreaming'] ? 'stream ' : ''}${method['outputType']})`;
      if (options.length === 0) this.line(1, `${head};`);
      else {
        this.line(1, `${head} {`);
        for (const option of options) this.line(2, `option ${option};`);
        this.line(1, '}');
      }
    }
    this.line(0, '}');
  }
}

/**
 * `.proto` text of a base64 `FileDescriptorProto` (proto2 or proto3).
 * @throws {SchemaInvalidError} when it does not decode, or holds what `.proto` text here cannot carry (editions, groups, custom options)
 */
export function protoTextFromDescriptor(base64: string): string {
  try {
    return writeProtoText(base64);
  } catch (error) {
    if (error instanceof SchemaInvalidError) throw error;
    // e.g. a descriptor nested deep enough to overflow the stack while it is read
    throw new SchemaInvalidError(`invalid Protobuf descriptor: ${(error as Error).message}`, { cause: error });
  }
}

function writeProtoText(base64: string): string {
  const bytes = Buffer.from(base64.trim(), 'base64');
  let file: Desc;
  try {
    file = descriptor.FileDescriptorProto.decode(bytes) as unknown as Desc;
  } catch (error) {
    throw new SchemaInvalidError(`invalid Protobuf schema: neither .proto text nor a base64 FileDescriptorProto (${(error as Error).message})`, { cause: error });
  }
  // protobufjs skips fields it does not know (custom options, newer descriptor fields): refuse rather than drop them.
  if (descriptor.FileDescriptorProto.encode(file as protobuf.Message).finish().length !== bytes.length) {
    invalid('it holds fields or custom options this registry cannot carry in .proto text; register the .proto text instead');
  }
  // Plain object of the fields present (decoded messages answer defaults from their prototype).
  file = descriptor.FileDescriptorProto.toObject(file as protobuf.Message, { defaults: false }) as Desc;
  const syntax = file['syntax'] || 'proto2';
  if (syntax !== 'proto2' && syntax !== 'proto3') invalid(`syntax ${quote(syntax)} is not supported (proto2 and proto3 are)`);
  const writer = new ProtoWriter(syntax);
  writer.line(0, `syntax = ${quote(syntax)};`);
  if (file['package']) writer.line(0, `package ${file['package']};`);
  const publicDeps = new Set<number>(file['publicDependency'] ?? []);
  const weakDeps = new Set<number>(file['weakDependency'] ?? []);
  for (const [i, dep] of ((file['dependency'] ?? []) as string[]).entries()) {
    writer.line(0, `import ${publicDeps.has(i) ? 'public ' : weakDeps.has(i) ? 'weak ' : ''}${quote(dep)};`);
  }
  for (const option of optionEntries(file['options'], FILE_OPTIONS, descriptor.FileOptions, 'the file')) writer.line(0, `option ${option};`);
  const scope = file['package'] ? `.${file['package']}` : '';
  for (const m of file['messageType'] ?? []) writer.message(0, m, scope);
  for (const e of file['enumType'] ?? []) writer.enumType(0, e);
  writer.extensions(0, file['extension'] ?? []);
  for (const s of file['service'] ?? []) writer.service(s);
  return `${writer.lines.join('\n')}\n`;
}

function parseFile(text: string, root: protobuf.Root): protobuf.IParserResult {
  try {
    return protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
  } catch (error) {
    throw new SchemaInvalidError(`invalid Protobuf schema: ${(error as Error).message}`, { cause: error });
  }
}

function fieldDescriptor(field: protobuf.Field, resolvedIn: protobuf.Type, syntax: string, oneofIndex: ReadonlyMap<string, number>, mapEntries: Desc[]): Desc {
  const resolved = resolvedIn.fields[field.name] ?? field;
  resolved.resolve();
  const out: Desc = { name: field.name, number: field.id, jsonName: defaultJsonName(field.name) };
  const typeNameOf = (type: string, resolvedType: protobuf.ReflectionObject | null): { type: number; typeName?: string } => {
    if (resolvedType instanceof protobuf.Type) return { type: TYPE_MESSAGE, typeName: resolvedType.fullName };
    if (resolvedType instanceof protobuf.Enum) return { type: TYPE_ENUM, typeName: resolvedType.fullName };
    const scalar = SCALAR_NUMBERS[type];
    if (scalar === undefined) throw new SchemaInvalidError(`invalid Protobuf schema: field ${field.name} has unknown type ${type}`);
    return { type: scalar };
  };
  if (resolved instanceof protobuf.MapField) {
    const entryName = mapEntryName(field.name);
    out['label'] = LABEL_REPEATED;
    out['type'] = TYPE_MESSAGE;
    out['typeName'] = `${resolvedIn.fullName}.${entryName}`;
    const value = typeNameOf(resolved.type, resolved.resolvedType);
    mapEntries.push({
      name: entryName,
      field: [
        { name: 'key', number: 1, label: LABEL_OPTIONAL, jsonName: 'key', ...typeNameOf(resolved.keyType, null) },
        { name: 'value', number: 2, label: LABEL_OPTIONAL, jsonName: 'value', ...value },
      ],
      options: { mapEntry: true },
    });
    return out;
  }
  if (resolved.delimited) throw new SchemaInvalidError(`invalid Protobuf schema: field ${field.name} is a group, which this registry cannot serialize as a descriptor`);
  Object.assign(out, typeNameOf(resolved.type, resolved.resolvedType));
  out['label'] = resolved.repeated ? LABEL_REPEATED : resolved.required ? LABEL_REQUIRED : LABEL_OPTIONAL;
  const options: Desc = {};
  const own = (field.options ?? {}) as Desc;
  if (own['packed'] !== undefined) options['packed'] = own['packed'] === true || own['packed'] === 'true';
  if (own['deprecated'] !== undefined) options['deprecated'] = own['deprecated'] === true || own['deprecated'] === 'true';
  if (Object.keys(options).length > 0) out['options'] = options;
  if (own['default'] !== undefined) out['defaultValue'] = String(own['default']);
  if (own['json_name'] !== undefined) out['jsonName'] = String(own['json_name']);
  if (own['proto3_optional'] === true) out['proto3Optional'] = true;
  const oneof = field.partOf ? oneofIndex.get(field.partOf.name) : undefined;
  if (oneof !== undefined) out['oneofIndex'] = oneof;
  if (syntax === 'proto3' && out['label'] === LABEL_REQUIRED) throw new SchemaInvalidError(`invalid Protobuf schema: field ${field.name} is required, which proto3 does not allow`);
  return out;
}

function enumDescriptor(e: protobuf.Enum): Desc {
  const out: Desc = { name: e.name, value: Object.entries(e.values).map(([name, number]) => ({ name, number })) };
  if ((e.options as Desc | undefined)?.['allow_alias'] === true) out['options'] = { allowAlias: true };
  reserved(e, out, false);
  return out;
}

function reserved(type: protobuf.Type | protobuf.Enum, out: Desc, exclusiveEnd: boolean): void {
  for (const r of type.reserved ?? []) {
    if (typeof r === 'string') (out['reservedName'] ??= []).push(r);
    else (out['reservedRange'] ??= []).push({ start: r[0], end: exclusiveEnd ? Math.min(r[1] ?? r[0] ?? 0, MAX_FIELD_NUMBER) + 1 : r[1] });
  }
}

function messageDescriptor(type: protobuf.Type, resolvedIn: protobuf.Root, syntax: string): Desc {
  const resolvedType = resolvedIn.lookupType(type.fullName);
  const oneofs = type.oneofsArray;
  // Real oneofs first, then proto3 `optional` synthetic ones, as protoc orders them.
  const synthetic = (o: protobuf.OneOf) => o.oneof.length === 1 && ((type.fields[o.oneof[0]!]?.options ?? {}) as Desc)['proto3_optional'] === true;
  const ordered = [...oneofs.filter((o) => !synthetic(o)), ...oneofs.filter(synthetic)];
  const oneofIndex = new Map(ordered.map((o, i) => [o.name, i]));
  const mapEntries: Desc[] = [];
  const out: Desc = {
    name: type.name,
    field: type.fieldsArray.map((f) => fieldDescriptor(f, resolvedType, syntax, oneofIndex, mapEntries)),
    oneofDecl: ordered.map((o) => ({ name: o.name })),
    nestedType: [] as Desc[],
    enumType: [] as Desc[],
  };
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Type) out['nestedType'].push(messageDescriptor(nested, resolvedIn, syntax));
    else if (nested instanceof protobuf.Enum) out['enumType'].push(enumDescriptor(nested));
  }
  out['nestedType'].push(...mapEntries);
  for (const [start, end] of type.extensions ?? []) (out['extensionRange'] ??= []).push({ start, end: Math.min(end ?? start ?? 0, MAX_FIELD_NUMBER) + 1 });
  reserved(type, out, true);
  return out;
}

/**
 * The base64 `FileDescriptorProto` of `.proto` text (Confluent's `?format=serialized`); `references`
 * resolve imported types, dependencies first. Services and extensions are left out: readers of the
 * descriptor decode messages, which neither changes.
 * @throws {SchemaInvalidError} when the text does not parse or uses groups
 */
export function descriptorFromProtoText(text: string, references: readonly ResolvedReference[], fileName: string): string {
  const root = new protobuf.Root();
  for (const reference of references) parseFile(reference.schema, root);
  const fileRoot = new protobuf.Root();
  const parsed = parseFile(text, fileRoot);
  parseFile(text, root);
  for (const name of parsed.imports ?? []) {
    if (references.some((r) => r.name === name)) continue;
    const common = name.startsWith('google/protobuf/') ? protobuf.common.get(name) : null;
    if (common) root.addJSON(common.nested ?? {});
  }
  try {
    root.resolveAll();
  } catch (error) {
    throw new SchemaInvalidError(`invalid Protobuf schema: ${(error as Error).message}`, { cause: error });
  }
  const declared = /^\s*(syntax|edition)\s*=\s*["']([^"']*)["']\s*;/m.exec(text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''));
  const syntax = declared?.[1] === 'edition' ? `edition ${declared[2]}` : (declared?.[2] ?? 'proto2');
  if (syntax !== 'proto2' && syntax !== 'proto3') throw new SchemaInvalidError(`invalid Protobuf schema: ${syntax} cannot be served as a descriptor (proto2 and proto3 can)`);
  let start: protobuf.NamespaceBase = fileRoot;
  if (parsed.package) start = fileRoot.lookup(parsed.package) as protobuf.Namespace;
  const file: Desc = {
    name: fileName,
    dependency: [...(parsed.imports ?? [])],
    messageType: [] as Desc[],
    enumType: [] as Desc[],
    // protoc leaves `syntax` unset for proto2, its default
    ...(syntax === 'proto3' ? { syntax } : {}),
  };
  if (parsed.package) file['package'] = parsed.package;
  if (parsed.weakImports?.length) {
    file['weakDependency'] = parsed.weakImports.map((_n, i) => file['dependency'].length + i);
    file['dependency'].push(...parsed.weakImports);
  }
  for (const nested of start.nestedArray) {
    if (nested instanceof protobuf.Type) file['messageType'].push(messageDescriptor(nested, root, syntax));
    else if (nested instanceof protobuf.Enum) file['enumType'].push(enumDescriptor(nested));
  }
  const message = descriptor.FileDescriptorProto.fromObject(file);
  return Buffer.from(descriptor.FileDescriptorProto.encode(message).finish()).toString('base64');
}
