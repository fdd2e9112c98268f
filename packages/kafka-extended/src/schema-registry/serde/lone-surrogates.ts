import type avro from 'avsc';
import type protobuf from 'protobufjs';

/**
 * Whether `text` has no lone surrogate, i.e. UTF-8 can carry it unchanged (Buffer and protobufjs
 * would write U+FFFD in place of one). `String.prototype.isWellFormed`: Node 20, not yet in our TS lib.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Thrown by the encoders at a string with a lone surrogate; the serde then finds its path and throws its typed error. */
export class LoneSurrogateError extends Error {
  constructor() {
    super('a string has a lone surrogate, which UTF-8 cannot carry');
  }
}

function key(path: string, name: string): string {
  return `${path}/${JSON.stringify(name)} (the key)`;
}

/** The parts of avsc types the walk reads. */
interface AvroWalkable {
  readonly typeName: string;
  readonly branchName?: string;
  readonly fields?: readonly { readonly name: string; readonly type: AvroWalkable }[];
  readonly itemsType?: AvroWalkable;
  readonly valuesType?: AvroWalkable;
  readonly types?: readonly AvroWalkable[];
}

function avroPath(type: AvroWalkable, value: unknown, path: string): string | undefined {
  if (type.types !== undefined) {
    if (type.typeName === 'union:wrapped' && value !== null && typeof value === 'object') {
      const name = Object.keys(value)[0];
      const branch = type.types.find((b) => b.branchName === name);
      return branch === undefined || name === undefined ? undefined : avroPath(branch, (value as Record<string, unknown>)[name], path);
    }
    for (const branch of type.types) {
      const found = avroPath(branch, value, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  switch (type.typeName) {
    case 'string':
      return typeof value === 'string' && !isWellFormed(value) ? path || '/' : undefined;
    case 'array':
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        const found = avroPath(type.itemsType!, value[i], `${path}/${i}`);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'map':
      if (value === null || typeof value !== 'object') return undefined;
      for (const name of Object.keys(value)) {
        if (!isWellFormed(name)) return key(path, name);
        const found = avroPath(type.valuesType!, (value as Record<string, unknown>)[name], `${path}/${name}`);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      if (type.fields === undefined || value === null || typeof value !== 'object') return undefined;
      for (const field of type.fields) {
        const found = avroPath(field.type, (value as Record<string, unknown>)[field.name], `${path}/${field.name}`);
        if (found !== undefined) return found;
      }
      return undefined;
  }
}

/** Where in `value`, written as `type`, a string (or map key) has a lone surrogate: `/tags/1`, `/meta/"\ud800" (the key)`. */
export function avroLoneSurrogatePath(type: avro.Type, value: unknown): string | undefined {
  return avroPath(type as unknown as AvroWalkable, value, '');
}

function protobufElement(field: protobuf.Field, value: unknown, path: string): string | undefined {
  if (field.type === 'string') return typeof value === 'string' && !isWellFormed(value) ? path : undefined;
  const type = field.resolvedType as protobuf.Type | null;
  return type !== null && 'fieldsArray' in type && value !== null && typeof value === 'object' ? protobufPath(type, value as Record<string, unknown>, path) : undefined;
}

function protobufPath(type: protobuf.Type, message: Record<string, unknown>, path: string): string | undefined {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const at = `${path}/${field.name}`;
    let found: string | undefined;
    if ('keyType' in field && typeof value === 'object') {
      for (const name of Object.keys(value)) {
        if (!isWellFormed(name)) return key(at, name);
        found = protobufElement(field, (value as Record<string, unknown>)[name], `${at}/${name}`);
        if (found !== undefined) return found;
      }
    } else if (field.repeated && Array.isArray(value)) {
      for (let i = 0; i < value.length && found === undefined; i++) found = protobufElement(field, value[i], `${at}/${i}`);
    } else {
      found = protobufElement(field, value, at);
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Where in `message` of `type` a string field, element or map key has a lone surrogate. */
export function protobufLoneSurrogatePath(type: protobuf.Type, message: unknown): string | undefined {
  return message !== null && typeof message === 'object' ? protobufPath(type, message as Record<string, unknown>, '') : undefined;
}

/** The message of the serdes' error for a lone surrogate. */
export function loneSurrogateMessage(path: string | undefined, schema: string): string {
  return `value has a lone surrogate at ${path ?? 'a string'} (${schema}): UTF-8 cannot carry it unchanged (it would be written as U+FFFD); a string must be well-formed UTF-16`;
}
