import { BridgeConfigError } from '../errors/bridge-errors.js';
import { bridgeCheck } from '../internal/bridge-check.js';

/** A registry subject a topic's record values must match. */
export interface IngressSchemaBinding {
  /** Registry subject. */
  readonly subject: string;
  /** Schema version to validate against (pinned), or the subject's latest. @default 'latest' */
  readonly version?: number | 'latest';
}

/** What the validator is asked about one record. */
export interface IngressSchemaRequest {
  readonly topic: string;
  readonly subject: string;
  readonly version: number | 'latest';
  /** The record's value as the client sent it (JSON). */
  readonly value: unknown;
}

/** The validator's answer: the value in Confluent wire format, or why it does not match. */
export type IngressSchemaResult = { readonly bytes: Uint8Array } | { readonly errors: readonly string[] };

/**
 * Validates a record value against a registry schema and serializes it (a Confluent serializer for
 * AVRO, JSON or PROTOBUF, composed by the caller: the bridge depends on no registry). A rejection is
 * reported as that record's error; `{ errors }` means the value does not match.
 */
export type IngressSchemaValidator = (request: IngressSchemaRequest) => Promise<IngressSchemaResult>;

/** Schema validation at ingest: which topics bind a subject, and the validator. */
export interface IngressSchemaOptions {
  /** Bindings by topic (the bridge's `targetTopic`). */
  readonly bindings: Readonly<Record<string, IngressSchemaBinding>>;
  readonly validate: IngressSchemaValidator;
}

/**
 * Checks the `schemas` option once.
 * @throws BridgeConfigError when a binding or the validator is invalid
 */
export function checkSchemaOptions(schemas: unknown): IngressSchemaOptions | undefined {
  if (schemas === undefined) return undefined;
  if (typeof schemas !== 'object' || schemas === null) {
    throw bridgeCheck.fail('schemas', 'an object', schemas);
  }
  const { bindings } = schemas as Partial<IngressSchemaOptions>;
  const validate = bridgeCheck.function<IngressSchemaOptions['validate']>('schemas.validate', (schemas as Partial<IngressSchemaOptions>).validate);
  if (typeof bindings !== 'object' || bindings === null) {
    throw new BridgeConfigError(`\`schemas.bindings\` must be an object of topic → { subject, version? }`);
  }
  const checked: Record<string, IngressSchemaBinding> = {};
  for (const [topic, binding] of Object.entries(bindings)) {
    const { subject, version } = (binding ?? {}) as Partial<IngressSchemaBinding>;
    if (typeof subject !== 'string' || subject === '') throw bridgeCheck.fail(`schemas.bindings['${topic}'].subject`, 'a non-empty string', subject);
    if (version !== undefined && version !== 'latest' && !(Number.isInteger(version) && version >= 1)) {
      throw bridgeCheck.fail(`schemas.bindings['${topic}'].version`, "a positive integer or 'latest'", version);
    }
    checked[topic] = { subject, version: version ?? 'latest' };
  }
  return { bindings: checked, validate };
}
