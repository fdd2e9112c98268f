import { describeValue } from '@onex/spi-types/support';
import { toCompatibilityLevel } from '../compatibility-level.js';
import { SchemaInvalidError, SchemaInvalidLevelError, SchemaRegistryInvalidArgumentError } from '../errors/schema-registry-errors.js';
import { REGISTRY_MODES, type ConfigValue, type RegistryMode, type SchemaMetadata, type SchemaRuleSet } from './registry-record.js';

const RULE_LISTS = ['migrationRules', 'domainRules', 'encodingRules'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates Confluent schema metadata (`{ tags, properties, sensitive }`).
 * @throws {SchemaInvalidError} for any other shape
 */
export function checkMetadata(value: unknown, name: string): SchemaMetadata | undefined {
  if (value === undefined || value === null) return undefined;
  const bad = (why: string): never => {
    throw new SchemaInvalidError(`\`${name}\` ${why}, got ${describeValue(value)}`);
  };
  if (!isPlainObject(value)) bad('must be an object { tags, properties, sensitive }');
  const metadata = value as Record<string, unknown>;
  for (const key of Object.keys(metadata)) if (!['tags', 'properties', 'sensitive'].includes(key)) bad(`has unknown field "${key}" (known: tags, properties, sensitive)`);
  const { tags, properties, sensitive } = metadata;
  if (tags !== undefined && tags !== null && (!isPlainObject(tags) || !Object.values(tags).every((t) => Array.isArray(t) && t.every((x) => typeof x === 'string')))) {
    bad('.tags must map names to arrays of strings');
  }
  if (properties !== undefined && properties !== null && (!isPlainObject(properties) || !Object.values(properties).every((p) => typeof p === 'string'))) {
    bad('.properties must map names to strings');
  }
  if (sensitive !== undefined && sensitive !== null && (!Array.isArray(sensitive) || !sensitive.every((s) => typeof s === 'string'))) {
    bad('.sensitive must be an array of strings');
  }
  return {
    ...(isPlainObject(tags) ? { tags: tags as Record<string, string[]> } : {}),
    ...(isPlainObject(properties) ? { properties: properties as Record<string, string> } : {}),
    ...(Array.isArray(sensitive) ? { sensitive: sensitive as string[] } : {}),
  };
}

/**
 * Validates a Confluent rule set (`{ migrationRules, domainRules, encodingRules }`, each rule an object
 * with a string `name`). Rules are stored as given; this registry executes none.
 * @throws {SchemaInvalidError} for any other shape
 */
export function checkRuleSet(value: unknown, name: string): SchemaRuleSet | undefined {
  if (value === undefined || value === null) return undefined;
  const bad = (why: string): never => {
    throw new SchemaInvalidError(`\`${name}\` ${why}, got ${describeValue(value)}`);
  };
  if (!isPlainObject(value)) bad('must be an object { migrationRules, domainRules, encodingRules }');
  const ruleSet = value as Record<string, unknown>;
  const out: Record<string, readonly Readonly<Record<string, unknown>>[]> = {};
  for (const key of Object.keys(ruleSet)) {
    if (!(RULE_LISTS as readonly string[]).includes(key)) bad(`has unknown field "${key}" (known: ${RULE_LISTS.join(', ')})`);
    const rules = ruleSet[key];
    if (rules === null || rules === undefined) continue;
    if (!Array.isArray(rules) || !rules.every((r) => isPlainObject(r) && typeof r['name'] === 'string' && r['name'] !== '')) {
      bad(`.${key} must be an array of rules, each an object with a non-empty "name"`);
    }
    out[key] = rules as Record<string, unknown>[];
  }
  return out as SchemaRuleSet;
}

function optionalType(config: Record<string, unknown>, key: string, type: 'boolean' | 'string'): void {
  const value = config[key];
  if (value !== undefined && value !== null && typeof value !== type) {
    throw new SchemaInvalidLevelError(`config \`${key}\` must be a ${type}, got ${describeValue(value)}`);
  }
}

const CONFIG_FIELDS = [
  'compatibility',
  'compatibilityLevel',
  'normalize',
  'validateFields',
  'validateRules',
  'alias',
  'compatibilityGroup',
  'defaultMetadata',
  'overrideMetadata',
  'defaultRuleSet',
  'overrideRuleSet',
] as const;

/**
 * Validates a configuration update; every field is optional (Confluent's `PUT /config`), null
 * means "not given", and `compatibilityLevel` is read as `compatibility`.
 * @throws {SchemaInvalidLevelError} for an unknown field, level or a field of the wrong type
 */
export function checkConfig(value: unknown): ConfigValue {
  if (!isPlainObject(value)) throw new SchemaInvalidLevelError(`a config must be an object, got ${describeValue(value)}`);
  for (const key of Object.keys(value)) {
    if (!(CONFIG_FIELDS as readonly string[]).includes(key)) throw new SchemaInvalidLevelError(`config has unknown field "${key}" (known: ${CONFIG_FIELDS.join(', ')})`);
  }
  for (const key of ['normalize', 'validateFields', 'validateRules']) optionalType(value, key, 'boolean');
  for (const key of ['alias', 'compatibilityGroup']) optionalType(value, key, 'string');
  const given = (key: string): boolean => value[key] !== undefined && value[key] !== null;
  if (given('compatibility') && given('compatibilityLevel') && value['compatibility'] !== value['compatibilityLevel']) {
    throw new SchemaInvalidLevelError(`config gives both \`compatibility\` ${describeValue(value['compatibility'])} and \`compatibilityLevel\` ${describeValue(value['compatibilityLevel'])}`);
  }
  const level = given('compatibility') ? value['compatibility'] : value['compatibilityLevel'];
  const wrap = <T>(check: () => T): T => {
    try {
      return check();
    } catch (error) {
      throw new SchemaInvalidLevelError(`invalid config: ${(error as Error).message}`, { cause: error });
    }
  };
  const out: Record<string, unknown> = {};
  if (level !== undefined && level !== null) out['compatibility'] = toCompatibilityLevel(level, 'compatibility');
  for (const key of ['normalize', 'validateFields', 'validateRules', 'alias', 'compatibilityGroup']) if (given(key)) out[key] = value[key];
  for (const key of ['defaultMetadata', 'overrideMetadata']) if (given(key)) out[key] = wrap(() => checkMetadata(value[key], key));
  for (const key of ['defaultRuleSet', 'overrideRuleSet']) if (given(key)) out[key] = wrap(() => checkRuleSet(value[key], key));
  return out as ConfigValue;
}

/**
 * Validates a mode.
 * @throws {SchemaRegistryInvalidArgumentError} for anything but READWRITE, READONLY, READONLY_OVERRIDE, IMPORT
 */
export function checkMode(value: unknown): RegistryMode {
  if (typeof value === 'string' && (REGISTRY_MODES as readonly string[]).includes(value)) return value as RegistryMode;
  throw new SchemaRegistryInvalidArgumentError(`\`mode\` must be one of ${REGISTRY_MODES.join(', ')}, got ${describeValue(value)}`);
}

/** The schema GUID Confluent clients can fetch by: a UUID taken from the schema's identity, the same in every process. */
export function guidOf(fingerprint: string): string {
  const hex = fingerprint.slice(0, 32).split('');
  hex[12] = '8'; // RFC 9562 version 8 (custom), variant 10
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
