import { InvalidTopicConfigError } from './errors/kafka-extended-error.js';

type Rule =
  | { readonly kind: 'int'; readonly min: number; readonly max?: number }
  | { readonly kind: 'ratio' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'cleanup' };

const INT_MAX = 2_147_483_647;

/**
 * Topic configs `optimizeKafkaPerformance` accepts, with their value rules (Kafka 3.x/4.x topic-level
 * configs). Keys may also be written in camelCase (`retentionMs`).
 */
export const TOPIC_CONFIG_RULES: Readonly<Record<string, Rule>> = {
  'cleanup.policy': { kind: 'cleanup' },
  'compression.type': { kind: 'enum', values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  'delete.retention.ms': { kind: 'int', min: 0 },
  'file.delete.delay.ms': { kind: 'int', min: 0 },
  'flush.messages': { kind: 'int', min: 1 },
  'flush.ms': { kind: 'int', min: 0 },
  'index.interval.bytes': { kind: 'int', min: 0, max: INT_MAX },
  'max.compaction.lag.ms': { kind: 'int', min: 1 },
  'max.message.bytes': { kind: 'int', min: 0, max: INT_MAX },
  'message.timestamp.type': { kind: 'enum', values: ['CreateTime', 'LogAppendTime'] },
  'message.timestamp.before.max.ms': { kind: 'int', min: 0 },
  'message.timestamp.after.max.ms': { kind: 'int', min: 0 },
  'min.cleanable.dirty.ratio': { kind: 'ratio' },
  'min.compaction.lag.ms': { kind: 'int', min: 0 },
  'min.insync.replicas': { kind: 'int', min: 1, max: INT_MAX },
  preallocate: { kind: 'bool' },
  'retention.bytes': { kind: 'int', min: -1 },
  'retention.ms': { kind: 'int', min: -1 },
  'segment.bytes': { kind: 'int', min: 1_048_576, max: INT_MAX },
  'segment.index.bytes': { kind: 'int', min: 4, max: INT_MAX },
  'segment.jitter.ms': { kind: 'int', min: 0 },
  'segment.ms': { kind: 'int', min: 1 },
  'unclean.leader.election.enable': { kind: 'bool' },
};

const CAMEL_TO_KAFKA = new Map(Object.keys(TOPIC_CONFIG_RULES).map((name) => [name.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase()), name]));

/**
 * Validates topic settings and returns them as Kafka config strings keyed by their Kafka names.
 * @throws InvalidTopicConfigError for an unknown key, a bad value, or the same config given twice
 */
export function normalizeTopicConfigs(settings: unknown): Record<string, string> {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new InvalidTopicConfigError('*', `must be given as an object of topic configs, got ${Array.isArray(settings) ? 'an array' : String(settings)}`);
  }
  const out: Record<string, string> = {};
  const entries = Object.entries(settings);
  if (entries.length === 0) throw new InvalidTopicConfigError('*', 'must name at least one topic config, got {}');
  for (const [key, value] of entries) {
    const name = TOPIC_CONFIG_RULES[key] ? key : CAMEL_TO_KAFKA.get(key);
    if (name === undefined) {
      throw new InvalidTopicConfigError(key, `is not a supported topic config (supported: ${Object.keys(TOPIC_CONFIG_RULES).join(', ')})`);
    }
    if (name in out) throw new InvalidTopicConfigError(key, `sets '${name}' a second time`);
    out[name] = checkValue(key, TOPIC_CONFIG_RULES[name] as Rule, value);
  }
  return out;
}

function checkValue(key: string, rule: Rule, value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (rule.kind) {
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
      const max = rule.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(n) || n < rule.min || n > max) {
        const range = rule.max === undefined ? `>= ${rule.min}` : `between ${rule.min} and ${rule.max}`;
        throw new InvalidTopicConfigError(key, `must be an integer ${range}, got ${shown}`);
      }
      return String(n);
    }
    case 'ratio': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidTopicConfigError(key, `must be a number between 0 and 1, got ${shown}`);
      return String(n);
    }
    case 'bool':
      if (value === true || value === 'true') return 'true';
      if (value === false || value === 'false') return 'false';
      throw new InvalidTopicConfigError(key, `must be a boolean, got ${shown}`);
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) {
        throw new InvalidTopicConfigError(key, `must be one of ${rule.values.join(', ')}, got ${shown}`);
      }
      return value;
    case 'cleanup': {
      const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((p) => p.trim()) : [];
      const valid = parts.length > 0 && parts.length <= 2 && parts.every((p) => p === 'delete' || p === 'compact') && new Set(parts).size === parts.length;
      if (!valid) throw new InvalidTopicConfigError(key, `must be 'delete', 'compact' or 'compact,delete', got ${Array.isArray(value) ? JSON.stringify(value) : shown}`);
      return (parts as string[]).join(',');
    }
    default: {
      const never: never = rule;
      return never;
    }
  }
}
