import { createHash, randomUUID } from 'node:crypto';
import type {
  LiteralSchemaType,
  ProtocolCompatibilityResult,
  ProtocolSchemaDefinition,
  ProtocolSchemaInfo,
  ProtocolSchemaOptions,
  ProtocolSchemaReference,
} from '@onex/spi-types';
import { toCompatibilityLevel, type CompatibilityLevel } from '../compatibility-level.js';
import { schemaConflictChannel, schemaDeletedChannel, schemaRegisteredChannel } from '../diagnostics.js';
import {
  SchemaIdNotFoundError,
  SchemaIncompatibleError,
  SchemaNotFoundError,
  SchemaNotSoftDeletedError,
  SchemaReferencedError,
  SchemaReferenceNotFoundError,
  SchemaRegistryClosedError,
  SchemaRegistryStoreError,
  SchemaSubjectNotFoundError,
  SchemaVersionNotFoundError,
} from '../errors/schema-registry-errors.js';
import { formatFor } from '../formats/format-for.js';
import type { ResolvedReference } from '../formats/schema-format.js';
import type { SchemaById, SchemaCompatibilityOptions, SchemaRegistryAdminApi } from '../schema-registry-api.js';
import type { RegistryLog } from './registry-log.js';
import { RegistryState, type SchemaVersionEntry } from './registry-state.js';
import { checkId, checkReferences, checkSchemaType, checkSubject, checkVersion, schemaText } from './schema-input.js';

/** Counters of an embedded registry, as a plain snapshot. */
export interface SchemaRegistryMetrics {
  /** New versions this process registered. */
  readonly registrations: number;
  /** Registrations answered with an existing id. */
  readonly idempotentRegistrations: number;
  /** Registrations refused as incompatible. */
  readonly incompatibleRejections: number;
  /** Registration races lost to another process (then retried). */
  readonly conflictsRetried: number;
  /** Subjects with a live version. */
  readonly subjects: number;
}

const MAX_ATTEMPTS = 16;

type Lifecycle = { readonly kind: 'idle' } | { readonly kind: 'starting'; readonly ready: Promise<void> } | { readonly kind: 'closed' };

/**
 * Confluent-compatible registry logic over an ordered log. Ids are allocated optimistically
 * (next id = highest id + 1) and the log's order decides races: the first claim of an id or
 * version wins in every process, the loser retries with fresh state.
 */
export class EmbeddedSchemaRegistry implements SchemaRegistryAdminApi {
  private readonly state = new RegistryState();
  private readonly parsedCache = new Map<string, unknown>();
  private lifecycle: Lifecycle = { kind: 'idle' };
  private registrationQueue: Promise<unknown> = Promise.resolve();
  private counters = { registrations: 0, idempotentRegistrations: 0, incompatibleRejections: 0, conflictsRetried: 0 };

  protected constructor(
    private readonly log: RegistryLog,
    private readonly defaultCompatibility: CompatibilityLevel,
  ) {}

  /** Connects and replays the log; the other methods call it on first use. */
  async start(): Promise<void> {
    switch (this.lifecycle.kind) {
      case 'closed':
        throw new SchemaRegistryClosedError('the schema registry is closed');
      case 'starting':
        return this.lifecycle.ready;
      case 'idle': {
        const ready = this.log.start((record) => {
          this.state.apply(record);
        });
        this.lifecycle = { kind: 'starting', ready };
        try {
          await ready;
        } catch (error) {
          this.lifecycle = { kind: 'idle' };
          throw error;
        }
        return;
      }
    }
  }

  private async fresh(): Promise<void> {
    await this.start();
    await this.log.sync();
  }

  /**
   * Registers a schema under a subject; an identical live schema returns its existing id.
   * @throws {SchemaInvalidError} when the schema does not parse
   * @throws {SchemaIncompatibleError} when it breaks the subject's compatibility level
   * @throws {SchemaReferenceNotFoundError} when a reference does not exist
   */
  async registerSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    schemaType: LiteralSchemaType,
    options: Pick<ProtocolSchemaOptions, 'references'> = {},
  ): Promise<number> {
    checkSubject(subject);
    const type = checkSchemaType(schemaType);
    const text = schemaText(schema);
    const references = checkReferences(options.references);
    // Registrations of one process go one at a time: they would only race each other in the log.
    const turn = this.registrationQueue.then(() => this.register(subject, type, text, references));
    this.registrationQueue = turn.catch(() => undefined);
    return turn;
  }

  private async register(subject: string, type: LiteralSchemaType, text: string, references: ProtocolSchemaReference[]): Promise<number> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await this.fresh();
      const { parsed, fingerprint } = this.parse(type, text, references);
      const existing = this.state.versions(subject).find((e) => e.fingerprint === fingerprint);
      if (existing) {
        this.counters.idempotentRegistrations++;
        return existing.id;
      }
      const level = this.levelOf(subject);
      const messages = this.compatibilityMessages(subject, type, parsed, level, 'latest');
      if (messages.length > 0) {
        this.counters.incompatibleRejections++;
        throw new SchemaIncompatibleError(
          `schema is incompatible with subject "${subject}" under ${level}: ${messages.join('; ')}`,
          messages,
          { details: { subject, level } },
        );
      }
      const id = this.state.idOfFingerprint(fingerprint) ?? this.state.nextId();
      const version = this.state.nextVersion(subject);
      const claim = randomUUID();
      await this.log.append({
        key: { kind: 'SCHEMA', claim },
        value: { subject, version, id, schemaType: type, schema: text, references, fingerprint },
      });
      if (this.state.hasClaim(claim)) {
        this.counters.registrations++;
        if (schemaRegisteredChannel.hasSubscribers) schemaRegisteredChannel.publish({ subject, version, id, schemaType: type });
        return id;
      }
      this.counters.conflictsRetried++;
      if (schemaConflictChannel.hasSubscribers) schemaConflictChannel.publish({ subject, id, version, attempt });
      // Erase the losing claim so compaction can never resurrect it ahead of the winner.
      await this.log.append({ key: { kind: 'SCHEMA', claim }, value: null });
    }
    throw new SchemaRegistryStoreError(`registering under "${subject}" lost ${MAX_ATTEMPTS} races in a row; try again`);
  }

  /**
   * Fetches a version of a subject (the latest live one when omitted).
   * @throws {SchemaSubjectNotFoundError} when the subject has no live version
   * @throws {SchemaVersionNotFoundError} when the version does not exist
   */
  async getSchema(subject: string, options: { readonly version?: number | 'latest'; readonly deleted?: boolean } = {}): Promise<ProtocolSchemaInfo> {
    checkSubject(subject);
    const version = checkVersion(options.version);
    await this.fresh();
    return toInfo(this.entry(subject, version, options.deleted === true));
  }

  /**
   * Fetches a schema by global id (soft-deleted versions included, as Confluent does).
   * @throws {SchemaIdNotFoundError} when no schema has this id
   */
  async getSchemaById(id: number): Promise<SchemaById> {
    checkId(id);
    await this.start();
    let entry = this.state.byId(id);
    if (!entry) {
      await this.log.sync();
      entry = this.state.byId(id);
    }
    if (!entry) throw new SchemaIdNotFoundError(`no schema has id ${id}`, { details: { id } });
    return { id, schemaType: entry.schemaType, schema: entry.schema, references: entry.references };
  }

  /**
   * Checks a schema against the versions the subject's level names (or one `version`).
   * @throws {SchemaInvalidError} when the schema does not parse
   */
  async checkSchemaCompatibility(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options: SchemaCompatibilityOptions = {},
  ): Promise<ProtocolCompatibilityResult> {
    checkSubject(subject);
    const text = schemaText(schema);
    const references = checkReferences(options.references);
    const target = options.version === undefined ? undefined : checkVersion(options.version);
    await this.fresh();
    const type = checkSchemaType(options.schemaType ?? this.state.versions(subject).at(-1)?.schemaType ?? 'AVRO');
    const { parsed } = this.parse(type, text, references);
    if (target !== undefined) this.entry(subject, target, false);
    const messages = this.compatibilityMessages(subject, type, parsed, this.levelOf(subject), target ?? 'level');
    return { isCompatible: messages.length === 0, messages };
  }

  /**
   * Finds the version of a subject holding this schema.
   * @throws {SchemaSubjectNotFoundError} when the subject does not exist
   * @throws {SchemaNotFoundError} when the schema is not registered under it
   */
  async lookupSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options: ProtocolSchemaOptions & { readonly deleted?: boolean } = {},
  ): Promise<ProtocolSchemaInfo> {
    checkSubject(subject);
    const text = schemaText(schema);
    await this.fresh();
    const versions = this.state.versions(subject, options.deleted === true);
    if (versions.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    const type = checkSchemaType(options.schemaType ?? 'AVRO');
    const { fingerprint } = this.parse(type, text, checkReferences(options.references));
    const entry = versions.filter((e) => e.fingerprint === fingerprint).at(-1);
    if (!entry) throw new SchemaNotFoundError(`schema not found under subject "${subject}"`, { details: { subject } });
    return toInfo(entry);
  }

  /** Subjects with a live version (soft-deleted ones too when `deleted`). */
  async listSubjects(options: { readonly deleted?: boolean } = {}): Promise<string[]> {
    await this.fresh();
    return this.state.subjectNames(options.deleted === true);
  }

  /**
   * Versions of a subject.
   * @throws {SchemaSubjectNotFoundError} when it has none
   */
  async listVersions(subject: string, options: { readonly deleted?: boolean } = {}): Promise<number[]> {
    checkSubject(subject);
    await this.fresh();
    const versions = this.state.versions(subject, options.deleted === true).map((e) => e.version);
    if (versions.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    return versions;
  }

  /**
   * Subject/version pairs using an id.
   * @throws {SchemaIdNotFoundError} when no schema has this id
   */
  async getSubjectVersionsById(id: number): Promise<{ subject: string; version: number }[]> {
    checkId(id);
    await this.fresh();
    const entries = this.state.entriesById(id).filter((e) => !e.deleted);
    if (this.state.entriesById(id).length === 0) throw new SchemaIdNotFoundError(`no schema has id ${id}`, { details: { id } });
    return entries.map((e) => ({ subject: e.subject, version: e.version })).sort((a, b) => a.subject.localeCompare(b.subject) || a.version - b.version);
  }

  /**
   * Soft-deletes every live version of a subject, or with `permanent` erases a soft-deleted subject.
   * @throws {SchemaSubjectNotFoundError} when there is nothing to delete
   * @throws {SchemaNotSoftDeletedError} for a permanent delete of live versions
   * @throws {SchemaReferencedError} when another schema references a version
   */
  async deleteSubject(subject: string, options: { readonly permanent?: boolean } = {}): Promise<number[]> {
    checkSubject(subject);
    await this.fresh();
    const all = this.state.versions(subject, true);
    const live = all.filter((e) => !e.deleted);
    if (options.permanent === true) {
      if (all.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
      if (live.length > 0) throw new SchemaNotSoftDeletedError(`subject "${subject}" must be soft-deleted before it is permanently deleted`, { details: { subject } });
      for (const entry of all) await this.erase(entry);
      if (this.state.subjectLevel(subject) !== undefined) await this.log.append({ key: { kind: 'CONFIG', subject }, value: null });
      schemaDeletedChannel.publish({ subject, versions: all.map((e) => e.version), permanent: true });
      return all.map((e) => e.version);
    }
    if (live.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    for (const entry of live) this.assertUnreferenced(entry);
    for (const entry of live) await this.log.append({ key: { kind: 'DELETED', claim: entry.claim }, value: { deleted: true } });
    schemaDeletedChannel.publish({ subject, versions: live.map((e) => e.version), permanent: false });
    return live.map((e) => e.version);
  }

  /**
   * Soft-deletes one version, or with `permanent` erases a soft-deleted version.
   * @throws {SchemaSubjectNotFoundError} / {SchemaVersionNotFoundError} when it does not exist
   * @throws {SchemaNotSoftDeletedError} for a permanent delete of a live version
   * @throws {SchemaReferencedError} when another schema references it
   */
  async deleteSchemaVersion(subject: string, version: number | 'latest', options: { readonly permanent?: boolean } = {}): Promise<number> {
    checkSubject(subject);
    const v = checkVersion(version);
    await this.fresh();
    const entry = this.entry(subject, v, options.permanent === true);
    if (options.permanent === true) {
      if (!entry.deleted) throw new SchemaNotSoftDeletedError(`version ${entry.version} of "${subject}" must be soft-deleted before it is permanently deleted`, { details: { subject, version: entry.version } });
      await this.erase(entry);
    } else {
      this.assertUnreferenced(entry);
      await this.log.append({ key: { kind: 'DELETED', claim: entry.claim }, value: { deleted: true } });
    }
    schemaDeletedChannel.publish({ subject, versions: [entry.version], permanent: options.permanent === true });
    return entry.version;
  }

  /** The level of a subject (own, else global), or the global level. */
  async getCompatibility(subject?: string): Promise<CompatibilityLevel> {
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    return subject === undefined ? this.globalLevel() : this.levelOf(subject);
  }

  /** The subject's own level, undefined when it follows the global one. */
  async getSubjectCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    checkSubject(subject);
    await this.fresh();
    return this.state.subjectLevel(subject);
  }

  /**
   * Sets the level of a subject, or the global level without subject.
   * @throws {SchemaInvalidLevelError} for an unknown level
   */
  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    const checked = toCompatibilityLevel(level, 'compatibility');
    if (subject !== undefined) checkSubject(subject);
    await this.start();
    await this.log.append({ key: { kind: 'CONFIG', subject: subject ?? null }, value: { compatibility: checked } });
    return checked;
  }

  /** Removes a subject's own level. */
  async deleteSubjectCompatibility(subject: string): Promise<void> {
    checkSubject(subject);
    await this.start();
    await this.log.append({ key: { kind: 'CONFIG', subject }, value: null });
  }

  /** Counters as a plain snapshot. */
  getMetrics(): SchemaRegistryMetrics {
    return { ...this.counters, subjects: this.state.subjectNames().length };
  }

  /** Disconnects; later calls throw `SCHEMA_REGISTRY_CLOSED`. */
  async close(): Promise<void> {
    if (this.lifecycle.kind === 'closed') return;
    const previous = this.lifecycle;
    this.lifecycle = { kind: 'closed' };
    if (previous.kind === 'starting') await previous.ready.catch(() => undefined);
    await this.log.close();
  }

  private globalLevel(): CompatibilityLevel {
    return this.state.globalLevel() ?? this.defaultCompatibility;
  }

  private levelOf(subject: string): CompatibilityLevel {
    return this.state.subjectLevel(subject) ?? this.globalLevel();
  }

  private entry(subject: string, version: number | 'latest', includeDeleted: boolean): SchemaVersionEntry {
    const all = this.state.versions(subject, true);
    const visible = all.filter((e) => includeDeleted || !e.deleted);
    if (visible.length === 0 && (version === 'latest' || all.length === 0)) {
      throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    }
    const entry = version === 'latest' ? visible.at(-1) : visible.find((e) => e.version === version);
    if (!entry) throw new SchemaVersionNotFoundError(`version ${version} of subject "${subject}" not found`, { details: { subject, version } });
    return entry;
  }

  private assertUnreferenced(entry: SchemaVersionEntry): void {
    const users = this.state.referencedBy(entry.subject, entry.version).filter((e) => e.subject !== entry.subject);
    if (users.length > 0) {
      throw new SchemaReferencedError(
        `version ${entry.version} of "${entry.subject}" is referenced by ${users.map((u) => `${u.subject} v${u.version}`).join(', ')}`,
        { details: { subject: entry.subject, version: entry.version } },
      );
    }
  }

  private async erase(entry: SchemaVersionEntry): Promise<void> {
    await this.log.append({ key: { kind: 'DELETED', claim: entry.claim }, value: null });
    await this.log.append({ key: { kind: 'SCHEMA', claim: entry.claim }, value: null });
  }

  private resolveReferences(references: readonly ProtocolSchemaReference[], seen = new Set<string>()): ResolvedReference[] {
    const out: ResolvedReference[] = [];
    for (const reference of references) {
      const key = `${reference.subject}\u0000${reference.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = this.state.versions(reference.subject).find((e) => e.version === reference.version);
      if (!entry) {
        throw new SchemaReferenceNotFoundError(
          `reference "${reference.name}" points at ${reference.subject} version ${reference.version}, which does not exist`,
          { details: { ...reference } },
        );
      }
      out.push(...this.resolveReferences(entry.references, seen));
      out.push({ ...reference, schema: entry.schema });
    }
    return out;
  }

  private parse(type: LiteralSchemaType, text: string, references: readonly ProtocolSchemaReference[]): { parsed: unknown; fingerprint: string } {
    const resolved = this.resolveReferences(references);
    const cacheKey = `${type}\u0000${text}\u0000${JSON.stringify(resolved)}`;
    let cached = this.parsedCache.get(cacheKey) as { parsed: unknown; fingerprint: string } | undefined;
    if (!cached) {
      const format = formatFor(type);
      const parsed = format.parse(text, resolved);
      const fingerprint = createHash('sha256')
        .update(`${type}\n${format.canonical(parsed)}\n${JSON.stringify(references.map((r) => [r.name, r.subject, r.version]))}`)
        .digest('hex');
      cached = { parsed, fingerprint };
      if (this.parsedCache.size > 1000) this.parsedCache.clear();
      this.parsedCache.set(cacheKey, cached);
    }
    return cached;
  }

  private compatibilityMessages(
    subject: string,
    type: LiteralSchemaType,
    parsed: unknown,
    level: CompatibilityLevel,
    against: 'latest' | 'level' | number,
  ): string[] {
    if (level === 'NONE' && typeof against !== 'number') return [];
    const live = this.state.versions(subject);
    const transitive = level.endsWith('_TRANSITIVE');
    const previous =
      typeof against === 'number' ? live.filter((e) => e.version === against) : transitive ? live : live.slice(-1);
    const backward = level.startsWith('BACKWARD') || level.startsWith('FULL') || (level === 'NONE' && typeof against === 'number');
    const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
    const format = formatFor(type);
    const messages: string[] = [];
    for (const entry of previous) {
      if (entry.schemaType !== type) {
        messages.push(`version ${entry.version}: schema type changed from ${entry.schemaType} to ${type}`);
        continue;
      }
      const old = this.parse(entry.schemaType, entry.schema, entry.references).parsed;
      if (backward) for (const m of format.readerAccepts(parsed, old)) messages.push(`version ${entry.version} (backward): ${m}`);
      if (forward) for (const m of format.readerAccepts(old, parsed)) messages.push(`version ${entry.version} (forward): ${m}`);
    }
    return level === 'NONE' ? [] : messages;
  }
}

function toInfo(entry: SchemaVersionEntry): ProtocolSchemaInfo {
  return {
    id: entry.id,
    subject: entry.subject,
    version: entry.version,
    schemaType: entry.schemaType,
    schema: entry.schema,
    references: entry.references,
  };
}
