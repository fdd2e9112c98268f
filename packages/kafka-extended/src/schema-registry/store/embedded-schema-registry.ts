import { describeValue } from '@onex/spi-types/support';
import { createHash, randomUUID } from 'node:crypto';
import type {
  LiteralSchemaType,
  ProtocolCompatibilityResult,
  ProtocolSchemaDefinition,
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
  SchemaOperationNotPermittedError,
  SchemaReferencedError,
  SchemaReferenceNotFoundError,
  SchemaRegistryClosedError,
  SchemaRegistryInvalidArgumentError,
  SchemaRegistryStoreError,
  SchemaSubjectNotFoundError,
  SchemaVersionNotFoundError,
} from '../errors/schema-registry-errors.js';
import { canonicalJson } from '../formats/canonical-json.js';
import { formatFor } from '../formats/format-for.js';
import { descriptorFromProtoText, protoTextFromDescriptor } from '../formats/protobuf-descriptor.js';
import type { ResolvedReference } from '../formats/schema-format.js';
import type {
  RegisteredSchemaInfo,
  RegistryConfig,
  SchemaById,
  SchemaCompatibilityOptions,
  SchemaRegistrationOptions,
  SchemaRegistryAdminApi,
} from '../schema-registry-api.js';
import { checkConfig, checkMetadata, checkMode, checkRuleSet, guidOf } from './registry-input.js';
import type { RegistryMode, SchemaMetadata, SchemaRuleSet } from './registry-record.js';
import type { RegistryLog } from './registry-log.js';
import { RegistryState, type SchemaVersionEntry } from './registry-state.js';
import { checkId, checkReferences, checkSchemaType, checkSubject, checkVersion, schemaText, storedSchemaText } from './schema-input.js';

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

/** What a registration stores beside the schema; part of its identity when given. */
interface Extra {
  readonly metadata?: SchemaMetadata | undefined;
  readonly ruleSet?: SchemaRuleSet | undefined;
}

function withExtra(extra: Extra): { metadata?: SchemaMetadata; ruleSet?: SchemaRuleSet } {
  return { ...(extra.metadata ? { metadata: extra.metadata } : {}), ...(extra.ruleSet ? { ruleSet: extra.ruleSet } : {}) };
}

function checkPositiveVersion(version: unknown): number {
  const checked = checkVersion(version);
  if (checked === 'latest') throw new SchemaRegistryInvalidArgumentError(`\`version\` of an import must be a positive integer, got ${describeValue(version)}`);
  return checked;
}

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
    options: SchemaRegistrationOptions = {},
  ): Promise<number> {
    checkSubject(subject);
    const type = checkSchemaType(schemaType);
    const given = schemaText(schema);
    const text = storedSchemaText(type, given);
    const fromDescriptor = type === 'PROTOBUF' && text !== given;
    const references = checkReferences(options.references);
    const extra: Extra = { metadata: checkMetadata(options.metadata, 'metadata'), ruleSet: checkRuleSet(options.ruleSet, 'ruleSet') };
    const imported = {
      id: options.id === undefined ? undefined : checkId(options.id),
      version: options.version === undefined ? undefined : checkPositiveVersion(options.version),
    };
    // Registrations of one process go one at a time: they would only race each other in the log.
    const turn = this.registrationQueue.then(() => this.register(subject, type, text, references, extra, imported, fromDescriptor));
    this.registrationQueue = turn.catch(() => undefined);
    return turn;
  }

  private async register(
    subject: string,
    type: LiteralSchemaType,
    text: string,
    references: ProtocolSchemaReference[],
    extra: Extra,
    imported: { readonly id: number | undefined; readonly version: number | undefined },
    fromDescriptor: boolean,
  ): Promise<number> {
    const converted = text;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await this.fresh();
      // A descriptor equivalent to a registered .proto text is that schema (same id), as in Confluent.
      if (fromDescriptor) text = this.equivalentProtoText(converted, references, this.state.allEntries()) ?? converted;
      const mode = this.modeOf(subject);
      this.assertWritable(subject, mode);
      const importing = mode === 'IMPORT';
      if (!importing && (imported.id !== undefined || imported.version !== undefined)) {
        throw new SchemaOperationNotPermittedError(`registering with a given id or version needs IMPORT mode; subject "${subject}" is in ${mode} mode`, { details: { subject, mode } });
      }
      const { parsed, fingerprint } = this.parse(type, text, references, extra);
      const existing = this.state.versions(subject).find((e) => e.fingerprint === fingerprint);
      if (existing && (imported.id === undefined || imported.id === existing.id) && (imported.version === undefined || imported.version === existing.version)) {
        this.counters.idempotentRegistrations++;
        return existing.id;
      }
      if (importing) return this.importVersion(subject, type, text, references, extra, fingerprint, imported);
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
        value: { subject, version, id, schemaType: type, schema: text, references, fingerprint, ...withExtra(extra) },
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

  /** IMPORT mode: the caller's id and version, no compatibility check (Confluent's migration path). */
  private async importVersion(
    subject: string,
    type: LiteralSchemaType,
    text: string,
    references: ProtocolSchemaReference[],
    extra: Extra,
    fingerprint: string,
    imported: { readonly id: number | undefined; readonly version: number | undefined },
  ): Promise<number> {
    if (imported.id === undefined) {
      throw new SchemaOperationNotPermittedError(`subject "${subject}" is in IMPORT mode: a registration must give the schema's "id"`, { details: { subject } });
    }
    const id = imported.id;
    const holder = this.state.byId(id);
    if (holder && holder.fingerprint !== fingerprint) {
      throw new SchemaOperationNotPermittedError(`id ${id} already belongs to another schema (${holder.subject} version ${holder.version}); an import cannot overwrite it`, { details: { subject, id } });
    }
    const known = this.state.idOfFingerprint(fingerprint);
    if (known !== undefined && known !== id) {
      throw new SchemaOperationNotPermittedError(`this schema already has id ${known}; it cannot be imported again as id ${id}`, { details: { subject, id } });
    }
    const next = this.state.nextVersion(subject);
    const version = imported.version ?? next;
    if (version < next) {
      throw new SchemaOperationNotPermittedError(`version ${version} of "${subject}" cannot be imported: the subject already has versions up to ${next - 1}`, { details: { subject, version } });
    }
    const claim = randomUUID();
    await this.log.append({
      key: { kind: 'SCHEMA', claim },
      value: { subject, version, id, schemaType: type, schema: text, references, fingerprint, ...withExtra(extra) },
    });
    if (!this.state.hasClaim(claim)) {
      await this.log.append({ key: { kind: 'SCHEMA', claim }, value: null });
      throw new SchemaOperationNotPermittedError(`importing version ${version} of "${subject}" as id ${id} lost a race with another registration; try again`, { details: { subject, id, version } });
    }
    this.counters.registrations++;
    if (schemaRegisteredChannel.hasSubscribers) schemaRegisteredChannel.publish({ subject, version, id, schemaType: type });
    return id;
  }

  /**
   * Fetches a version of a subject (the latest live one when omitted).
   * @throws {SchemaSubjectNotFoundError} when the subject has no live version
   * @throws {SchemaVersionNotFoundError} when the version does not exist
   */
  async getSchema(subject: string, options: { readonly version?: number | 'latest'; readonly deleted?: boolean } = {}): Promise<RegisteredSchemaInfo> {
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
    return { id, schemaType: entry.schemaType, schema: entry.schema, references: entry.references, guid: guidOf(entry.fingerprint), ...withExtra(entry) };
  }

  /**
   * Fetches a schema by its GUID (Confluent's `GET /schemas/guids/{guid}`).
   * @throws {SchemaIdNotFoundError} when no schema has this GUID
   */
  async getSchemaByGuid(guid: string): Promise<SchemaById> {
    if (typeof guid !== 'string') throw new SchemaRegistryInvalidArgumentError(`\`guid\` must be a string, got ${describeValue(guid)}`);
    await this.fresh();
    const entry = this.state.allEntries().find((e) => guidOf(e.fingerprint) === guid.toLowerCase());
    if (!entry) throw new SchemaIdNotFoundError(`no schema has guid ${JSON.stringify(guid)}`, { details: { guid } });
    return { id: entry.id, schemaType: entry.schemaType, schema: entry.schema, references: entry.references, guid: guidOf(entry.fingerprint), ...withExtra(entry) };
  }

  /**
   * The latest version of a subject whose metadata properties hold every given pair.
   * @throws {SchemaSubjectNotFoundError} when the subject has no version
   * @throws {SchemaNotFoundError} when no version matches
   */
  async getLatestWithMetadata(subject: string, properties: Readonly<Record<string, string>>, options: { readonly deleted?: boolean } = {}): Promise<RegisteredSchemaInfo> {
    checkSubject(subject);
    await this.fresh();
    const versions = this.state.versions(subject, options.deleted === true);
    if (versions.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    const pairs = Object.entries(properties ?? {});
    const entry = versions.filter((e) => pairs.every(([k, v]) => e.metadata?.properties?.[k] === v)).at(-1);
    if (!entry) throw new SchemaNotFoundError(`no version of "${subject}" has metadata ${JSON.stringify(properties)}`, { details: { subject } });
    return toInfo(entry);
  }

  /**
   * Ids of the live schemas that reference a version (Confluent's `referencedby`).
   * @throws {SchemaSubjectNotFoundError} / {SchemaVersionNotFoundError} when it does not exist
   */
  async getReferencedBy(subject: string, version: number | 'latest'): Promise<number[]> {
    checkSubject(subject);
    const v = checkVersion(version);
    await this.fresh();
    const entry = this.entry(subject, v, false);
    return [...new Set(this.state.referencedBy(entry.subject, entry.version).map((e) => e.id))].sort((a, b) => a - b);
  }

  /**
   * Subjects using a global id, soft-deleted ones too with `deleted`.
   * @throws {SchemaIdNotFoundError} when no schema has this id
   */
  async getSubjectsById(id: number, options: { readonly deleted?: boolean } = {}): Promise<string[]> {
    checkId(id);
    await this.fresh();
    const entries = this.state.entriesById(id);
    if (entries.length === 0) throw new SchemaIdNotFoundError(`no schema has id ${id}`, { details: { id } });
    return [...new Set(entries.filter((e) => options.deleted === true || !e.deleted).map((e) => e.subject))].sort();
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
    const { parsed } = this.parse(type, storedSchemaText(type, text), references);
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
    options: ProtocolSchemaOptions & { readonly deleted?: boolean; readonly metadata?: SchemaMetadata; readonly ruleSet?: SchemaRuleSet; readonly normalize?: boolean } = {},
  ): Promise<RegisteredSchemaInfo> {
    checkSubject(subject);
    const text = schemaText(schema);
    const extra: Extra = { metadata: checkMetadata(options.metadata, 'metadata'), ruleSet: checkRuleSet(options.ruleSet, 'ruleSet') };
    await this.fresh();
    const versions = this.state.versions(subject, options.deleted === true);
    if (versions.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
    const type = checkSchemaType(options.schemaType ?? 'AVRO');
    const stored = storedSchemaText(type, text);
    const refs = checkReferences(options.references);
    const { fingerprint } = this.parse(type, type === 'PROTOBUF' && stored !== text ? (this.equivalentProtoText(stored, refs, versions) ?? stored) : stored, refs, extra);
    // Without metadata or rules in the lookup, they do not take part in the match (as in Confluent).
    const plain = extra.metadata === undefined && extra.ruleSet === undefined;
    const entry = versions.filter((e) => (plain ? this.parse(e.schemaType, e.schema, e.references).fingerprint : e.fingerprint) === fingerprint).at(-1);
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
    this.assertWritable(subject, this.modeOf(subject));
    const all = this.state.versions(subject, true);
    const live = all.filter((e) => !e.deleted);
    if (options.permanent === true) {
      if (all.length === 0) throw new SchemaSubjectNotFoundError(`subject "${subject}" not found`, { details: { subject } });
      if (live.length > 0) throw new SchemaNotSoftDeletedError(`subject "${subject}" must be soft-deleted before it is permanently deleted`, { details: { subject } });
      for (const entry of all) await this.erase(entry);
      if (this.state.config(subject) !== undefined) await this.log.append({ key: { kind: 'CONFIG', subject }, value: null });
      if (this.state.mode(subject) !== undefined) await this.log.append({ key: { kind: 'MODE', subject }, value: null });
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
    this.assertWritable(subject, this.modeOf(subject));
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
    await this.fresh();
    const before = this.state.config(subject ?? null);
    await this.log.append({ key: { kind: 'CONFIG', subject: subject ?? null }, value: { ...before, compatibility: checked } });
    return checked;
  }

  /**
   * The stored configuration of a subject (with `defaultToGlobal`, merged over the global one and
   * the default level), or the global one (with the default level when none is stored).
   */
  async getConfig(subject?: string, options: { readonly defaultToGlobal?: boolean } = {}): Promise<RegistryConfig | undefined> {
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    const global: RegistryConfig = { ...this.state.config(null), compatibility: this.globalLevel() };
    if (subject === undefined) return global;
    const own = this.state.config(subject);
    return options.defaultToGlobal === true ? { ...global, ...own } : own;
  }

  /**
   * Updates a subject's (or the global) configuration field by field; fields not given are kept.
   * @throws {SchemaInvalidLevelError} for an unknown field or level, or a field of the wrong type
   */
  async setConfig(update: RegistryConfig, subject?: string): Promise<RegistryConfig> {
    const checked = checkConfig(update);
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    const before = this.state.config(subject ?? null);
    await this.log.append({ key: { kind: 'CONFIG', subject: subject ?? null }, value: { ...before, ...checked } });
    return checked;
  }

  /** A subject's own mode (with `defaultToGlobal`, else the global one), or the global mode. */
  async getMode(subject?: string, options: { readonly defaultToGlobal?: boolean } = {}): Promise<RegistryMode | undefined> {
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    if (subject === undefined) return this.state.mode(null) ?? 'READWRITE';
    return this.state.mode(subject) ?? (options.defaultToGlobal === true ? (this.state.mode(null) ?? 'READWRITE') : undefined);
  }

  /**
   * Sets a subject's (or the global) mode. IMPORT over a registry (or subject) that holds schemas needs `force`.
   * @throws {SchemaRegistryInvalidArgumentError} for an unknown mode
   * @throws {SchemaOperationNotPermittedError} for IMPORT over existing schemas without `force`
   */
  async setMode(mode: RegistryMode, subject?: string, options: { readonly force?: boolean } = {}): Promise<RegistryMode> {
    const checked = checkMode(mode);
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    if (checked === 'IMPORT' && options.force !== true) {
      const populated = subject === undefined ? this.state.subjectNames(true).length > 0 : this.state.versions(subject, true).length > 0;
      if (populated) {
        throw new SchemaOperationNotPermittedError(
          `cannot enter IMPORT mode: ${subject === undefined ? 'the registry' : `subject "${subject}"`} already holds schemas (set it with force to import anyway)`,
          { details: { subject, mode: checked } },
        );
      }
    }
    await this.log.append({ key: { kind: 'MODE', subject: subject ?? null }, value: { mode: checked } });
    return checked;
  }

  /** Removes a subject's own mode (or resets the global one to READWRITE); resolves with the mode it had. */
  async deleteMode(subject?: string): Promise<RegistryMode> {
    if (subject !== undefined) checkSubject(subject);
    await this.fresh();
    const before = (subject === undefined ? this.state.mode(null) : (this.state.mode(subject) ?? this.modeOf(subject))) ?? 'READWRITE';
    await this.log.append({ key: { kind: 'MODE', subject: subject ?? null }, value: null });
    return before;
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

  /** The mode that governs a subject: a global READONLY_OVERRIDE wins over the subject's own mode. */
  private modeOf(subject: string): RegistryMode {
    const global = this.state.mode(null) ?? 'READWRITE';
    if (global === 'READONLY_OVERRIDE') return 'READONLY';
    return this.state.mode(subject) ?? global;
  }

  private assertWritable(subject: string, mode: RegistryMode): void {
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      throw new SchemaOperationNotPermittedError(`subject "${subject}" is in ${mode} mode: schemas cannot be registered or deleted`, { details: { subject, mode } });
    }
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

  private parse(
    type: LiteralSchemaType,
    text: string,
    references: readonly ProtocolSchemaReference[],
    extra?: Extra,
  ): { parsed: unknown; fingerprint: string } {
    const base = this.parseBase(type, text, references);
    if (!extra || (extra.metadata === undefined && extra.ruleSet === undefined)) return base;
    const fingerprint = createHash('sha256').update(`${base.fingerprint}\n${canonicalJson(withExtra(extra))}`).digest('hex');
    return { parsed: base.parsed, fingerprint };
  }

  /**
   * The text of a registered PROTOBUF schema equivalent to `text` (a descriptor converted to .proto):
   * both compared through the same descriptor round trip, which erases spelling (relative type names).
   */
  private equivalentProtoText(text: string, references: readonly ProtocolSchemaReference[], candidates: readonly SchemaVersionEntry[]): string | undefined {
    const key = JSON.stringify(references.map((r) => [r.name, r.subject, r.version]));
    const target = this.protoIdentity(text, references);
    if (target === undefined) return undefined;
    const sorted = [...candidates].sort((a, b) => Number(a.deleted) - Number(b.deleted) || a.id - b.id);
    return sorted.find(
      (e) => e.schemaType === 'PROTOBUF' && JSON.stringify(e.references.map((r) => [r.name, r.subject, r.version])) === key && this.protoIdentity(e.schema, e.references) === target,
    )?.schema;
  }

  private protoIdentity(text: string, references: readonly ProtocolSchemaReference[]): string | undefined {
    const cacheKey = `proto-identity\u0000${text}\u0000${JSON.stringify(references)}`;
    let cached = this.parsedCache.get(cacheKey) as string | undefined;
    if (cached === undefined) {
      try {
        const roundTripped = protoTextFromDescriptor(descriptorFromProtoText(text, this.resolveReferences(references), 'schema.proto'));
        cached = this.parseBase('PROTOBUF', roundTripped, references).fingerprint;
      } catch {
        return undefined;
      }
      this.parsedCache.set(cacheKey, cached);
    }
    return cached;
  }

  private parseBase(type: LiteralSchemaType, text: string, references: readonly ProtocolSchemaReference[]): { parsed: unknown; fingerprint: string } {
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

function toInfo(entry: SchemaVersionEntry): RegisteredSchemaInfo {
  return {
    id: entry.id,
    subject: entry.subject,
    version: entry.version,
    schemaType: entry.schemaType,
    schema: entry.schema,
    references: entry.references,
    guid: guidOf(entry.fingerprint),
    ...withExtra(entry),
  };
}
