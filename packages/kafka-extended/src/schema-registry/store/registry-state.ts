import type { LiteralSchemaType, ProtocolSchemaReference } from '@onex/spi-types';
import { isCompatibilityLevel, type CompatibilityLevel } from '../compatibility-level.js';
import { REGISTRY_MODES, type ConfigValue, type RegistryMode, type RegistryRecord, type SchemaClaimValue, type SchemaMetadata, type SchemaRuleSet } from './registry-record.js';

/** An accepted registration. */
export interface SchemaVersionEntry {
  readonly claim: string;
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schemaType: LiteralSchemaType;
  readonly schema: string;
  readonly references: readonly ProtocolSchemaReference[];
  readonly fingerprint: string;
  readonly metadata?: SchemaMetadata;
  readonly ruleSet?: SchemaRuleSet;
  deleted: boolean;
}

/** Outcome of applying one record. */
export type ApplyOutcome = { readonly kind: 'accepted' } | { readonly kind: 'rejected'; readonly reason: string } | { readonly kind: 'ignored' };

/**
 * The registry as a pure function of its log: every process applies the same records in the same
 * order and so reaches the same state, which is what makes first-writer-wins id allocation safe.
 */
export class RegistryState {
  private readonly claims = new Map<string, SchemaVersionEntry>();
  private readonly subjects = new Map<string, Map<number, SchemaVersionEntry>>();
  private readonly idClaims = new Map<number, Set<string>>();
  private readonly fingerprintIds = new Map<string, number>();
  private readonly idFingerprints = new Map<number, string>();
  private readonly softDeleted = new Set<string>();
  private readonly configs = new Map<string | null, ConfigValue>();
  private readonly modes = new Map<string | null, RegistryMode>();
  private maxId = 0;

  /** Applies one record in log order. */
  apply(record: RegistryRecord): ApplyOutcome {
    const { key, value } = record;
    switch (key.kind) {
      case 'CONFIG':
        if (value === null) this.configs.delete(key.subject);
        else if (typeof value === 'object' && (!('compatibility' in value) || isCompatibilityLevel(value.compatibility))) this.configs.set(key.subject, value as ConfigValue);
        return { kind: 'accepted' };
      case 'MODE':
        if (value === null) this.modes.delete(key.subject);
        else if ('mode' in value && (REGISTRY_MODES as readonly string[]).includes(value.mode)) this.modes.set(key.subject, value.mode);
        return { kind: 'accepted' };
      case 'DELETED': {
        if (value === null) this.softDeleted.delete(key.claim);
        else this.softDeleted.add(key.claim);
        const entry = this.claims.get(key.claim);
        if (entry) entry.deleted = value !== null;
        return { kind: 'accepted' };
      }
      case 'SCHEMA':
        if (value === null) {
          this.remove(key.claim);
          return { kind: 'accepted' };
        }
        if (!('fingerprint' in value)) return { kind: 'ignored' };
        if (this.claims.has(key.claim)) return { kind: 'ignored' };
        return this.accept(key.claim, value);
      default:
        return { kind: 'ignored' };
    }
  }

  private accept(claim: string, value: SchemaClaimValue): ApplyOutcome {
    const versions = this.subjects.get(value.subject);
    const maxVersion = versions ? Math.max(0, ...versions.keys()) : 0;
    if (value.version <= maxVersion) {
      return { kind: 'rejected', reason: `version ${value.version} of ${value.subject} was taken first` };
    }
    const idOwner = this.idFingerprints.get(value.id);
    if (idOwner !== undefined && idOwner !== value.fingerprint) {
      return { kind: 'rejected', reason: `id ${value.id} was given to another schema first` };
    }
    const knownId = this.fingerprintIds.get(value.fingerprint);
    if (knownId !== undefined && knownId !== value.id) {
      return { kind: 'rejected', reason: `this schema already has id ${knownId}` };
    }
    const entry: SchemaVersionEntry = { claim, ...value, deleted: this.softDeleted.has(claim) };
    this.claims.set(claim, entry);
    const subject = versions ?? new Map<number, SchemaVersionEntry>();
    subject.set(value.version, entry);
    this.subjects.set(value.subject, subject);
    this.idClaims.set(value.id, (this.idClaims.get(value.id) ?? new Set()).add(claim));
    this.fingerprintIds.set(value.fingerprint, value.id);
    this.idFingerprints.set(value.id, value.fingerprint);
    this.maxId = Math.max(this.maxId, value.id);
    return { kind: 'accepted' };
  }

  private remove(claim: string): void {
    const entry = this.claims.get(claim);
    if (!entry) return;
    this.claims.delete(claim);
    const versions = this.subjects.get(entry.subject);
    versions?.delete(entry.version);
    if (versions?.size === 0) this.subjects.delete(entry.subject);
    const holders = this.idClaims.get(entry.id);
    holders?.delete(claim);
    if (holders?.size === 0) {
      this.idClaims.delete(entry.id);
      this.idFingerprints.delete(entry.id);
      this.fingerprintIds.delete(entry.fingerprint);
    }
  }

  /** The next id a new schema would get. */
  nextId(): number {
    return this.maxId + 1;
  }

  /** The id a schema identity already has. */
  idOfFingerprint(fingerprint: string): number | undefined {
    return this.fingerprintIds.get(fingerprint);
  }

  /** The next version number of a subject (counting soft-deleted versions). */
  nextVersion(subject: string): number {
    const versions = this.subjects.get(subject);
    return (versions ? Math.max(0, ...versions.keys()) : 0) + 1;
  }

  /** True when the claim was accepted (and not hard-deleted since). */
  hasClaim(claim: string): boolean {
    return this.claims.has(claim);
  }

  /** Versions of a subject in ascending order. */
  versions(subject: string, includeDeleted = false): SchemaVersionEntry[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].filter((e) => includeDeleted || !e.deleted).sort((a, b) => a.version - b.version);
  }

  /** Subjects with a live version (or any version when `includeDeleted`), sorted. */
  subjectNames(includeDeleted = false): string[] {
    return [...this.subjects.keys()].filter((s) => this.versions(s, includeDeleted).length > 0).sort();
  }

  /** An accepted entry with this id (the earliest registration). */
  byId(id: number): SchemaVersionEntry | undefined {
    const holders = this.idClaims.get(id);
    if (!holders) return undefined;
    let first: SchemaVersionEntry | undefined;
    for (const claim of holders) {
      const entry = this.claims.get(claim);
      if (entry && (!first || (!entry.deleted && first.deleted))) first = entry;
    }
    return first;
  }

  /** Every accepted entry. */
  allEntries(): SchemaVersionEntry[] {
    return [...this.claims.values()];
  }

  /** Every entry using an id. */
  entriesById(id: number): SchemaVersionEntry[] {
    return [...(this.idClaims.get(id) ?? [])].flatMap((c) => this.claims.get(c) ?? []);
  }

  /** Entries whose references point at subject/version. */
  referencedBy(subject: string, version: number): SchemaVersionEntry[] {
    return [...this.claims.values()].filter(
      (e) => !e.deleted && e.references.some((r) => r.subject === subject && r.version === version),
    );
  }

  /** The subject's own level. */
  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.configs.get(subject)?.compatibility;
  }

  /** The global level stored in the log. */
  globalLevel(): CompatibilityLevel | undefined {
    return this.configs.get(null)?.compatibility;
  }

  /** The stored configuration of a subject (or the global one for null). */
  config(subject: string | null): ConfigValue | undefined {
    return this.configs.get(subject);
  }

  /** The stored mode of a subject (or the global one for null). */
  mode(subject: string | null): RegistryMode | undefined {
    return this.modes.get(subject);
  }
}
