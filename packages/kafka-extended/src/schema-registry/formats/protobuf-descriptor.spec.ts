// Differential tests against protoc (Debian package protobuf-compiler) for the two conversions the
// registry makes for Confluent's clients: .proto text → FileDescriptorProto (`?format=serialized`) and
// FileDescriptorProto → .proto text (a serializer registering a descriptor). Without protoc these fail
// with the reason, they never skip.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { descriptorFromProtoText, isSerializedDescriptor, protoTextFromDescriptor } from './protobuf-descriptor.js';
import { ProtobufFormat } from './protobuf-format.js';

type Protoc = (args: string[], options: { cwd: string; input: string }) => Buffer;
const root = path.resolve(__dirname, '../../../../..');

const FILES: Readonly<Record<string, string>> = {
  'common.proto': 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }\n',
  'shop.proto': `syntax = "proto3";
package shop;
import "common.proto";
import "google/protobuf/timestamp.proto";
option java_package = "com.acme.shop";
option go_package = "acme/shop";
message Item {
  string name = 1;
  map<string, int32> counts = 2;
  oneof pick { int32 a = 3; string b = 4; }
  optional int64 maybe = 5;
  repeated Part parts = 6;
  Kind kind = 7;
  common.Money price = 8;
  repeated int32 plain = 9 [packed = false];
  string legacy_name = 13 [deprecated = true, json_name = "legacy"];
  google.protobuf.Timestamp at = 14;
  map<int64, Part> by_id = 15;
  message Part { string id = 1; enum Size { S = 0; M = 1; } Size size = 2; }
  reserved 10 to 12, 20;
  reserved "old";
}
enum Kind { option allow_alias = true; KIND_UNSET = 0; KIND_BIG = 1; KIND_LARGE = 1; reserved 5 to 7; reserved "GONE"; }
service Shop { rpc Get (Item) returns (Item); rpc Watch (stream Item) returns (stream common.Money); }
`,
  'legacy.proto': `syntax = "proto2";
package legacy;
message Rec {
  required int32 id = 1;
  optional string label = 2 [default = "n/a"];
  optional double ratio = 3 [default = 0.5];
  optional Color color = 4 [default = BLUE];
  repeated sint64 deltas = 5 [packed = true];
  optional bool on = 6 [default = true];
  extensions 100 to 199;
  enum Color { RED = 1; BLUE = 2; }
}
`,
};
const REFERENCES = { 'shop.proto': [{ name: 'common.proto', subject: 'common', version: 1, schema: FILES['common.proto']! }] } as Record<string, { name: string; subject: string; version: number; schema: string }[]>;

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

let protoc: Protoc;
let dir: string;
beforeAll(async () => {
  ({ protoc } = (await import(pathToFileURL(path.join(root, 'tools/oracle/oracle.mjs')).href)) as { protoc: Protoc });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-protoc-desc-'));
  protoc(['--version'], { cwd: dir, input: '' }); // fails here, with the install hint, when protoc is missing
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** protoc's FileDescriptorProto of `name` (written with `text`, the others from FILES) as a plain object. */
function protocDescriptor(name: string, text: string): Record<string, any> {
  const work = fs.mkdtempSync(path.join(dir, 'case-'));
  for (const [file, content] of Object.entries(FILES)) fs.writeFileSync(path.join(work, file), content);
  fs.writeFileSync(path.join(work, name), text);
  protoc(['-I', '.', `--descriptor_set_out=out.pb`, name], { cwd: work, input: '' });
  const set = descriptor.FileDescriptorSet.decode(fs.readFileSync(path.join(work, 'out.pb'))) as unknown as { file: unknown[] };
  return plain(set.file[0]);
}

function plain(file: unknown): Record<string, any> {
  return descriptor.FileDescriptorProto.toObject(file as never, { defaults: false }) as Record<string, any>;
}

/** What `?format=serialized` carries: no services or file options; nested types in name order (protoc puts map entries where their field is). */
function messagesOnly(file: Record<string, any>): Record<string, any> {
  const sortNested = (m: Record<string, any>): Record<string, any> => ({
    ...m,
    ...(m['nestedType'] ? { nestedType: [...m['nestedType']].map(sortNested).sort((a, b) => a.name.localeCompare(b.name)) } : {}),
  });
  const { service: _service, options: _options, ...rest } = file;
  return { ...rest, messageType: (rest['messageType'] ?? []).map(sortNested) };
}

describe('Protobuf descriptors (protoc as the reference)', () => {
  it.each(Object.keys(FILES))('serializes %s to the FileDescriptorProto protoc builds (services and file options left out)', (name) => {
    const ours = descriptorFromProtoText(FILES[name]!, REFERENCES[name] ?? [], name);
    expect(isSerializedDescriptor(ours)).toBe(true);
    expect(messagesOnly(plain(descriptor.FileDescriptorProto.decode(Buffer.from(ours, 'base64'))))).toEqual(messagesOnly(protocDescriptor(name, FILES[name]!)));
  });

  it.each(Object.keys(FILES))('writes .proto text from protoc’s descriptor of %s that protoc compiles back to the same descriptor', (name) => {
    const theirs = protocDescriptor(name, FILES[name]!);
    const base64 = Buffer.from(descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(theirs)).finish()).toString('base64');
    const text = protoTextFromDescriptor(base64);
    expect(protocDescriptor(name, text)).toEqual(theirs);
    // and our own parser reads it as a schema with the same messages
    const format = new ProtobufFormat();
    const refs = REFERENCES[name] ?? [];
    expect(format.parse(text, refs).messages.map((m) => [m.fullName, m.indexes])).toEqual(format.parse(FILES[name]!, refs).messages.map((m) => [m.fullName, m.indexes]));
  });

  it('refuses descriptors it cannot carry in .proto text instead of dropping parts', () => {
    const theirs = protocDescriptor('common.proto', FILES['common.proto']!);
    const encode = (file: Record<string, unknown>) => Buffer.from(descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(file)).finish());
    const withUnknownField = Buffer.concat([encode(theirs), Buffer.from([0xa0, 0x06, 0x01])]).toString('base64'); // field 100, varint 1
    expect(() => protoTextFromDescriptor(withUnknownField)).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID', message: expect.stringContaining('cannot carry') }));
    expect(() => protoTextFromDescriptor(encode({ ...theirs, syntax: 'editions' }).toString('base64'))).toThrow('syntax "editions" is not supported');
    const group = { ...theirs, syntax: 'proto2', messageType: [{ name: 'G', field: [{ name: 'g', number: 1, label: 1, type: 10, typeName: '.common.G' }] }] };
    expect(() => protoTextFromDescriptor(encode(group).toString('base64'))).toThrow('is a group');
    expect(() => protoTextFromDescriptor('AAAA')).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    // 2,000 nested messages: refused as SCHEMA_INVALID (protobufjs bounds the nesting), never a RangeError
    let nested = Buffer.from([0x0a, 0x01, 0x4e]); // DescriptorProto { name: "N" }
    for (let i = 0; i < 2000; i++) nested = Buffer.concat([Buffer.from([0x0a, 0x01, 0x4e, 0x1a]), varint(nested.length), nested]);
    const deep = Buffer.concat([Buffer.from([0x22]), varint(nested.length), nested]).toString('base64');
    expect(() => protoTextFromDescriptor(deep)).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
    expect(isSerializedDescriptor(FILES['common.proto']!)).toBe(false);
  });
});
