import type { LiteralSchemaType, ProtocolSchemaReference } from '@onex/spi-types';
import type { CompatibilityLevel } from '../compatibility-level.js';

/**
 * A record of the registry log. Keys are unique per claim so compaction never drops a winning
 * registration in favour of a losing one; tombstones (null values) erase a key.
 */
export type RegistryRecordKey =
  | { readonly kind: 'SCHEMA'; readonly claim: string }
  | { readonly kind: 'DELETED'; readonly claim: string }
  | { readonly kind: 'CONFIG'; readonly subject: string | null }
  | { readonly kind: 'MODE'; readonly subject: string | null };

/** Value of a `SCHEMA` record: one proposed (subject, version, id, schema) binding. */
export interface SchemaClaimValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schemaType: LiteralSchemaType;
  readonly schema: string;
  readonly references: readonly ProtocolSchemaReference[];
  /** sha256 of type, canonical form, references, metadata and rule set: the schema's identity. */
  readonly fingerprint: string;
  /** Confluent schema metadata (`tags`, `properties`, `sensitive`), stored and returned. */
  readonly metadata?: SchemaMetadata;
  /** Confluent rule set, stored and returned; this registry executes no rule. */
  readonly ruleSet?: SchemaRuleSet;
}

/** Confluent's schema metadata. */
export interface SchemaMetadata {
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  readonly properties?: Readonly<Record<string, string>>;
  readonly sensitive?: readonly string[];
}

/** Confluent's rule set (data-contract rules); kept as given, never executed here. */
export interface SchemaRuleSet {
  readonly migrationRules?: readonly Readonly<Record<string, unknown>>[];
  readonly domainRules?: readonly Readonly<Record<string, unknown>>[];
  readonly encodingRules?: readonly Readonly<Record<string, unknown>>[];
}

/** Registry modes (Confluent's `/mode`). */
export const REGISTRY_MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
/** One of {@link REGISTRY_MODES}. */
export type RegistryMode = (typeof REGISTRY_MODES)[number];

/** Value of a `DELETED` record (soft delete of the claim's version). */
export interface DeletedValue {
  readonly deleted: true;
}

/**
 * Value of a `CONFIG` record: a subject's (or the global) configuration, every field optional as in
 * Confluent. Only `compatibility` changes what the registry does; the others are stored and returned.
 */
export interface ConfigValue {
  readonly compatibility?: CompatibilityLevel;
  /** Confluent normalizes schemas before registering; this registry always compares normalized forms. */
  readonly normalize?: boolean;
  readonly validateFields?: boolean;
  readonly validateRules?: boolean;
  readonly alias?: string;
  readonly compatibilityGroup?: string;
  readonly defaultMetadata?: SchemaMetadata;
  readonly overrideMetadata?: SchemaMetadata;
  readonly defaultRuleSet?: SchemaRuleSet;
  readonly overrideRuleSet?: SchemaRuleSet;
}

/** Value of a `MODE` record. */
export interface ModeValue {
  readonly mode: RegistryMode;
}

/** One log entry. */
export interface RegistryRecord {
  readonly key: RegistryRecordKey;
  readonly value: SchemaClaimValue | DeletedValue | ConfigValue | ModeValue | null;
}

/** Serializes a key the same way in every process (the key bytes decide compaction). */
export function encodeRecordKey(key: RegistryRecordKey): string {
  return key.kind === 'CONFIG' || key.kind === 'MODE' ? JSON.stringify({ kind: key.kind, subject: key.subject }) : JSON.stringify({ kind: key.kind, claim: key.claim });
}
