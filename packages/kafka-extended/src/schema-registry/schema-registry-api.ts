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
import type { ConfigValue, RegistryMode, SchemaMetadata, SchemaRuleSet } from './store/registry-record.js';

/** A subject's (or the global) configuration: every field optional, as in Confluent. */
export type RegistryConfig = ConfigValue;

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
  /** Confluent schema GUID (derived from the schema's identity), when the registry knows it. */
  readonly guid?: string;
  /** Metadata registered with the schema. */
  readonly metadata?: SchemaMetadata;
  /** Rule set registered with the schema (stored, not executed). */
  readonly ruleSet?: SchemaRuleSet;
}

/** A registered version with what Confluent returns beside the SPI fields. */
export interface RegisteredSchemaInfo extends ProtocolSchemaInfo {
  /** Confluent schema GUID, when the registry knows it. */
  readonly guid?: string;
  /** Metadata registered with the schema. */
  readonly metadata?: SchemaMetadata;
  /** Rule set registered with the schema (stored, not executed). */
  readonly ruleSet?: SchemaRuleSet;
}

/** Options of a registration beyond references (Confluent's register body and query). */
export interface SchemaRegistrationOptions extends Pick<ProtocolSchemaOptions, 'references'> {
  /** Metadata stored with the schema; part of its identity. */
  readonly metadata?: SchemaMetadata;
  /** Rule set stored with the schema; part of its identity; never executed by this registry. */
  readonly ruleSet?: SchemaRuleSet;
  /** Global id to register under; only in IMPORT mode. */
  readonly id?: number;
  /** Version to register as; only in IMPORT mode. */
  readonly version?: number;
  /** Accepted for Confluent's `normalize=true`: identity is always the normalized form here. */
  readonly normalize?: boolean;
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
    options?: ProtocolSchemaOptions & { readonly deleted?: boolean; readonly metadata?: SchemaMetadata; readonly ruleSet?: SchemaRuleSet },
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
  /** Removes a subject's own configuration (it follows the global one again). */
  deleteSubjectCompatibility(subject: string): Promise<void>;
  /** Registers a schema (with metadata, rule set, and in IMPORT mode a given id and version). */
  registerSchema(subject: string, schema: ProtocolSchemaDefinition, schemaType: LiteralSchemaType, options?: SchemaRegistrationOptions): Promise<number>;
  /** The stored configuration of a subject (merged over the global one with `defaultToGlobal`), or the global one. */
  getConfig(subject?: string, options?: { readonly defaultToGlobal?: boolean }): Promise<RegistryConfig | undefined>;
  /** Updates the configuration field by field (fields not given are kept); resolves with the update. */
  setConfig(update: RegistryConfig, subject?: string): Promise<RegistryConfig>;
  /** The mode of a subject (its own; the global one too with `defaultToGlobal`), or the global mode. */
  getMode(subject?: string, options?: { readonly defaultToGlobal?: boolean }): Promise<RegistryMode | undefined>;
  /** Sets the mode; IMPORT over existing schemas needs `force`. */
  setMode(mode: RegistryMode, subject?: string, options?: { readonly force?: boolean }): Promise<RegistryMode>;
  /** Removes a subject's own mode (or resets the global one to READWRITE); resolves with the mode it had. */
  deleteMode(subject?: string): Promise<RegistryMode>;
  /** Fetches a schema by its GUID. */
  getSchemaByGuid(guid: string): Promise<SchemaById>;
  /** The latest version whose metadata properties hold every given pair. */
  getLatestWithMetadata(subject: string, properties: Readonly<Record<string, string>>, options?: { readonly deleted?: boolean }): Promise<RegisteredSchemaInfo>;
  /** Ids of the live schemas that reference a version. */
  getReferencedBy(subject: string, version: number | 'latest'): Promise<number[]>;
  /** Subjects that use a global id (soft-deleted ones too with `deleted`). */
  getSubjectsById(id: number, options?: { readonly deleted?: boolean }): Promise<string[]>;
}
