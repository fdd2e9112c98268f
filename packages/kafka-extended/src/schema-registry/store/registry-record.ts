import type { LiteralSchemaType, ProtocolSchemaReference } from '@onex/spi-types';
import type { CompatibilityLevel } from '../compatibility-level.js';

/**
 * A record of the registry log. Keys are unique per claim so compaction never drops a winning
 * registration in favour of a losing one; tombstones (null values) erase a key.
 */
export type RegistryRecordKey =
  | { readonly kind: 'SCHEMA'; readonly claim: string }
  | { readonly kind: 'DELETED'; readonly claim: string }
  | { readonly kind: 'CONFIG'; readonly subject: string | null };

/** Value of a `SCHEMA` record: one proposed (subject, version, id, schema) binding. */
export interface SchemaClaimValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schemaType: LiteralSchemaType;
  readonly schema: string;
  readonly references: readonly ProtocolSchemaReference[];
  /** sha256 of type, canonical form and references: the schema's identity. */
  readonly fingerprint: string;
}

/** Value of a `DELETED` record (soft delete of the claim's version). */
export interface DeletedValue {
  readonly deleted: true;
}

/** Value of a `CONFIG` record. */
export interface ConfigValue {
  readonly compatibility: CompatibilityLevel;
}

/** One log entry. */
export interface RegistryRecord {
  readonly key: RegistryRecordKey;
  readonly value: SchemaClaimValue | DeletedValue | ConfigValue | null;
}

/** Serializes a key the same way in every process (the key bytes decide compaction). */
export function encodeRecordKey(key: RegistryRecordKey): string {
  return key.kind === 'CONFIG' ? JSON.stringify({ kind: key.kind, subject: key.subject }) : JSON.stringify({ kind: key.kind, claim: key.claim });
}
