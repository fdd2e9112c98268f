import { toCompatibilityLevel, type CompatibilityLevel } from './compatibility-level.js';
import { EmbeddedSchemaRegistry } from './store/embedded-schema-registry.js';
import { InMemoryRegistryLog } from './store/in-memory-registry-log.js';

/** Options of {@link InMemorySchemaRegistry}. */
export interface InMemorySchemaRegistryOptions {
  /** Level of subjects without their own, until a global level is set. @default 'BACKWARD' */
  readonly defaultCompatibility?: CompatibilityLevel;
}

/** The same registry logic as {@link KafkaSchemaRegistry}, held in process memory (tests, tools). */
export class InMemorySchemaRegistry extends EmbeddedSchemaRegistry {
  /** @throws {SchemaInvalidLevelError} for an unknown `defaultCompatibility` */
  constructor(options: InMemorySchemaRegistryOptions = {}) {
    super(new InMemoryRegistryLog(), toCompatibilityLevel(options.defaultCompatibility ?? 'BACKWARD', 'defaultCompatibility'));
  }
}
