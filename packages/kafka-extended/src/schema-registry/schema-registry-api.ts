import type {
  LiteralSchemaType,
  ProtocolCompatibilityResult,
  ProtocolKafkaExtended,
  ProtocolSchemaDefinition,
  ProtocolSchemaInfo,
  ProtocolSchemaOptions,
  ProtocolSchemaReference,
} from '@onex/spi-types';
import type { CompatibilityLevel } from './compatibility-level.js';

/** What a global id resolves to (Confluent's `GET /schemas/ids/{id}`). */
export interface SchemaById {
  /** Global id. */
  readonly id: number;
  /** Schema type. */
  readonly schemaType: LiteralSchemaType;
  /** Schema text. */
  readonly schema: string;
  /** References. */
  readonly references: readonly ProtocolSchemaReference[];
}

/**
 * The schema registry as `KafkaExtended` and the serializers use it: the three
 * `ProtocolKafkaExtended` methods plus id lookup. Implemented by {@link KafkaSchemaRegistry},
 * {@link InMemorySchemaRegistry} and {@link RestSchemaRegistryClient}.
 */
export interface SchemaRegistryApi
  extends Pick<ProtocolKafkaExtended, 'registerSchema' | 'getSchema' | 'checkSchemaCompatibility'> {
  /** Fetches a schema by global id. */
  getSchemaById(id: number): Promise<SchemaById>;
}

/** Options of a compatibility check against one version. */
export interface SchemaCompatibilityOptions extends ProtocolSchemaOptions {
  /** Version to check against; every version the level asks for when omitted. */
  readonly version?: number | 'latest';
}

/** The full registry API served over REST and spoken by the REST client (Confluent's endpoints). */
export interface SchemaRegistryAdminApi extends SchemaRegistryApi {
  /** Fetches a version (`latest` or -1 for the latest), soft-deleted ones too when `deleted`. */
  getSchema(
    subject: string,
    options?: { readonly version?: number | 'latest'; readonly deleted?: boolean },
  ): Promise<ProtocolSchemaInfo>;
  /** Subjects with at least one live version (soft-deleted too when `deleted`). */
  listSubjects(options?: { readonly deleted?: boolean }): Promise<string[]>;
  /** Versions of a subject. */
  listVersions(subject: string, options?: { readonly deleted?: boolean }): Promise<number[]>;
  /** Finds the version of a subject holding this schema. */
  lookupSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options?: ProtocolSchemaOptions & { readonly deleted?: boolean },
  ): Promise<ProtocolSchemaInfo>;
  /** Subject/version pairs that use a global id. */
  getSubjectVersionsById(id: number): Promise<{ subject: string; version: number }[]>;
  /** Deletes every version of a subject (soft, or permanent after a soft delete); resolves with the versions. */
  deleteSubject(subject: string, options?: { readonly permanent?: boolean }): Promise<number[]>;
  /** Deletes one version (soft, or permanent after a soft delete); resolves with the version. */
  deleteSchemaVersion(
    subject: string,
    version: number | 'latest',
    options?: { readonly permanent?: boolean },
  ): Promise<number>;
  /** Checks a schema; with `version`, against that version only (Confluent's compatibility endpoint). */
  checkSchemaCompatibility(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options?: SchemaCompatibilityOptions,
  ): Promise<ProtocolCompatibilityResult>;
  /** The level of a subject (its own, else the global one), or the global level without subject. */
  getCompatibility(subject?: string): Promise<CompatibilityLevel>;
  /** The subject's own level, or undefined when it follows the global level. */
  getSubjectCompatibility(subject: string): Promise<CompatibilityLevel | undefined>;
  /** Sets the level of a subject, or the global level without subject. */
  setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel>;
  /** Removes a subject's own level (it follows the global level again). */
  deleteSubjectCompatibility(subject: string): Promise<void>;
}
