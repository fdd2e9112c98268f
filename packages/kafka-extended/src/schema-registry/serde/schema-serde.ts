import { describeValue } from '@onex/spi-types/support';
import type { LiteralSchemaType, ProtocolSchemaDefinition, ProtocolSchemaReference } from '@onex/spi-types';
import { SchemaRegistryInvalidArgumentError, SchemaRegistryInvalidOptionError } from '../errors/schema-registry-errors.js';
import type { ResolvedReference, SchemaFormat } from '../formats/schema-format.js';
import type { SchemaRegistryAdminApi, SchemaRegistryApi } from '../schema-registry-api.js';
import { checkReferences, schemaText } from '../store/schema-input.js';
import { SUBJECT_NAME_STRATEGIES, subjectName, type SubjectNameStrategy } from './subject-name-strategy.js';
import { readSchemaId } from './wire-format.js';

/** What stream processors and producers need from a serializer. */
export interface Serde {
  /** Encodes a value in the Confluent wire format for `topic`. */
  serialize(topic: string, value: unknown): Promise<Uint8Array>;
  /** Decodes Confluent-framed bytes read from `topic`. */
  deserialize(topic: string, bytes: Uint8Array): Promise<unknown>;
}

/** Options shared by the three serdes. */
export interface SchemaSerdeOptions {
  /** Where ids are registered and looked up (cached: no registry call per message). */
  readonly registry: SchemaRegistryApi;
  /** The writer schema; without it the subject's latest version is used. */
  readonly schema?: ProtocolSchemaDefinition;
  /** References of `schema`. */
  readonly references?: readonly ProtocolSchemaReference[];
  /** Register `schema` on first use (else it must already be registered). @default true */
  readonly autoRegister?: boolean;
  /** Subject naming. @default 'topic-name' */
  readonly subjectNameStrategy?: SubjectNameStrategy;
  /** Serializes keys (`<topic>-key` subjects). @default false */
  readonly isKey?: boolean;
}

interface Writer<W> {
  readonly id: number;
  readonly state: W;
}

/**
 * The registry plumbing of a serde: subject naming, id lookup and caches. Subclasses supply the
 * payload codec. The last (topic, writer) and (id, reader) pairs are kept in fields so a steady
 * stream costs no Map lookup; other hits cost one; misses are coalesced per topic and per id.
 */
export abstract class SchemaSerde<P, W, R> implements Serde {
  protected abstract readonly format: SchemaFormat<P>;
  protected readonly registry: SchemaRegistryApi;
  private readonly schema: string | undefined;
  private readonly references: ProtocolSchemaReference[];
  private readonly autoRegister: boolean;
  private readonly strategy: SubjectNameStrategy;
  private readonly isKey: boolean;
  private readonly writers = new Map<string, Writer<W>>();
  private readonly pendingWriters = new Map<string, Promise<Writer<W>>>();
  private readonly readers = new Map<number, R>();
  private readonly pendingReaders = new Map<number, Promise<R>>();
  // One-entry caches in front of the maps: most serdes see one topic and one schema id.
  private lastTopic: string | undefined;
  private lastWriter: Writer<W> | undefined;
  private lastId = -1;
  private lastReader: R | undefined;

  protected constructor(options: SchemaSerdeOptions, protected readonly schemaType: LiteralSchemaType) {
    if (options === null || typeof options !== 'object') throw new SchemaRegistryInvalidOptionError(`options must be an object, got ${describeValue(options)}`);
    const registry = options.registry as Partial<SchemaRegistryApi> | undefined;
    if (!registry || typeof registry.registerSchema !== 'function' || typeof registry.getSchema !== 'function' || typeof registry.getSchemaById !== 'function') {
      throw new SchemaRegistryInvalidOptionError('`registry` must implement registerSchema, getSchema and getSchemaById, got ' + (registry === undefined ? 'undefined' : typeof registry));
    }
    this.registry = options.registry;
    this.schema = options.schema === undefined ? undefined : schemaText(options.schema);
    this.references = checkReferences(options.references);
    if (options.autoRegister !== undefined && typeof options.autoRegister !== 'boolean') {
      throw new SchemaRegistryInvalidOptionError(`\`autoRegister\` must be a boolean, got ${describeValue(options.autoRegister)}`);
    }
    this.autoRegister = options.autoRegister ?? true;
    if (!this.autoRegister && this.schema !== undefined && typeof (registry as Partial<SchemaRegistryAdminApi>).lookupSchema !== 'function') {
      throw new SchemaRegistryInvalidOptionError('`autoRegister: false` with a `schema` needs a registry with lookupSchema');
    }
    const strategy = options.subjectNameStrategy ?? 'topic-name';
    if (typeof strategy !== 'function' && !(SUBJECT_NAME_STRATEGIES as readonly string[]).includes(strategy)) {
      throw new SchemaRegistryInvalidOptionError(`\`subjectNameStrategy\` must be one of ${SUBJECT_NAME_STRATEGIES.join(', ')} or a function, got ${describeValue(strategy)}`);
    }
    this.strategy = strategy;
    this.isKey = options.isKey === true;
  }

  /** Builds the writer state from the parsed writer schema. */
  protected abstract createWriter(parsed: P): W;
  /** Builds the reader state from the parsed writer schema of an id. */
  protected abstract createReader(parsed: P, id: number): R;
  /** Encodes one value with a cached writer. */
  protected abstract encode(id: number, writer: W, value: unknown): Uint8Array;
  /** Decodes one framed message with a cached reader. */
  protected abstract decode(reader: R, bytes: Uint8Array): unknown;

  // Not `async`: a cached call returns an already-settled promise without an extra tick.
  serialize(topic: string, value: unknown): Promise<Uint8Array> {
    const writer = this.cachedWriter(topic);
    if (writer !== undefined) {
      try {
        return Promise.resolve(this.encode(writer.id, writer.state, value));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.writerFor(topic).then((w) => this.encode(w.id, w.state, value));
  }

  deserialize(_topic: string, bytes: Uint8Array): Promise<unknown> {
    try {
      const id = readSchemaId(bytes);
      const reader = this.cachedReader(id);
      if (reader !== undefined) return Promise.resolve(this.decode(reader, bytes));
      return this.readerFor(id).then((r) => this.decode(r, bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Loads (registers or looks up) the writer schema of `topic` so {@link serializeSync} can be used. */
  async prepare(topic: string): Promise<void> {
    if (!this.writers.has(topic)) await this.writerFor(topic);
  }

  /**
   * Synchronous {@link serialize} for hot loops, once the topic's writer is cached.
   * @throws {SchemaRegistryInvalidArgumentError} when `topic` was not prepared or serialized before
   */
  serializeSync(topic: string, value: unknown): Uint8Array {
    const writer = this.cachedWriter(topic);
    if (writer === undefined) throw notPrepared(topic);
    return this.encode(writer.id, writer.state, value);
  }

  /**
   * Synchronous {@link deserialize} for hot loops, once the schema id of `bytes` is cached.
   * @throws {SchemaRegistryInvalidArgumentError} when the id was never seen by this serde
   */
  deserializeSync(_topic: string, bytes: Uint8Array): unknown {
    const id = readSchemaId(bytes);
    const reader = this.cachedReader(id);
    if (reader === undefined) throw notCached(id);
    return this.decode(reader, bytes);
  }

  /** The subject a topic maps to under this serde's strategy. */
  async subjectFor(topic: string): Promise<string> {
    if (this.schema === undefined) return subjectName(this.strategy, topic, undefined, this.isKey);
    const parsed = this.format.parse(this.schema, await this.resolve(this.references));
    return subjectName(this.strategy, topic, this.format.recordName(parsed), this.isKey);
  }

  private cachedWriter(topic: string): Writer<W> | undefined {
    if (topic === this.lastTopic) return this.lastWriter;
    const writer = this.writers.get(topic);
    if (writer !== undefined) {
      this.lastTopic = topic;
      this.lastWriter = writer;
    }
    return writer;
  }

  private cachedReader(id: number): R | undefined {
    if (id === this.lastId) return this.lastReader;
    const reader = this.readers.get(id);
    if (reader !== undefined) {
      this.lastId = id;
      this.lastReader = reader;
    }
    return reader;
  }

  private writerFor(topic: string): Promise<Writer<W>> {
    let pending = this.pendingWriters.get(topic);
    if (!pending) {
      pending = this.loadWriter(topic).finally(() => this.pendingWriters.delete(topic));
      this.pendingWriters.set(topic, pending);
    }
    return pending;
  }

  private async loadWriter(topic: string): Promise<Writer<W>> {
    let id: number;
    let parsed: P;
    if (this.schema !== undefined) {
      parsed = this.format.parse(this.schema, await this.resolve(this.references));
      const subject = subjectName(this.strategy, topic, this.format.recordName(parsed), this.isKey);
      id = this.autoRegister
        ? await this.registry.registerSchema(subject, this.schema, this.schemaType, { references: this.references })
        : (await (this.registry as SchemaRegistryAdminApi).lookupSchema(subject, this.schema, { schemaType: this.schemaType, references: this.references })).id;
    } else {
      const subject = subjectName(this.strategy, topic, undefined, this.isKey);
      const latest = await this.registry.getSchema(subject);
      parsed = this.format.parse(latest.schema, await this.resolve(latest.references));
      id = latest.id;
    }
    const writer = { id, state: this.createWriter(parsed) };
    this.writers.set(topic, writer);
    return writer;
  }

  private readerFor(id: number): Promise<R> {
    let pending = this.pendingReaders.get(id);
    if (!pending) {
      pending = this.loadReader(id).finally(() => this.pendingReaders.delete(id));
      this.pendingReaders.set(id, pending);
    }
    return pending;
  }

  private async loadReader(id: number): Promise<R> {
    const found = await this.registry.getSchemaById(id);
    const reader = this.createReader(this.format.parse(found.schema, await this.resolve(found.references)), id);
    this.readers.set(id, reader);
    return reader;
  }

  private async resolve(references: readonly ProtocolSchemaReference[], seen = new Set<string>()): Promise<ResolvedReference[]> {
    const out: ResolvedReference[] = [];
    for (const reference of references) {
      const key = `${reference.subject}\u0000${reference.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const info = await this.registry.getSchema(reference.subject, { version: reference.version });
      out.push(...(await this.resolve(info.references, seen)), { ...reference, schema: info.schema });
    }
    return out;
  }
}

// Error builders kept out of the hot methods, so those stay small enough for V8 to inline.
function notPrepared(topic: string): SchemaRegistryInvalidArgumentError {
  return new SchemaRegistryInvalidArgumentError(`topic ${JSON.stringify(topic)} has no cached writer schema yet: await prepare(topic) or serialize() first`);
}

function notCached(id: number): SchemaRegistryInvalidArgumentError {
  return new SchemaRegistryInvalidArgumentError(`schema id ${id} is not cached yet: deserialize() it once first`);
}
