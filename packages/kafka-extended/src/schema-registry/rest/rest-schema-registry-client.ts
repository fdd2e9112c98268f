import { backoffDelay, describeValue } from '@onex/spi-types/support';
import { setTimeout as sleep } from 'node:timers/promises';
import { registryOptionCheck } from '../errors/registry-option-check.js';
import type {
  LiteralSchemaType,
  ProtocolCompatibilityResult,
  ProtocolSchemaDefinition,
  ProtocolSchemaOptions,
  ProtocolSchemaReference,
} from '@onex/spi-types';
import { toCompatibilityLevel, type CompatibilityLevel } from '../compatibility-level.js';
import {
  SchemaIdNotFoundError,
  SchemaIncompatibleError,
  SchemaInvalidError,
  SchemaInvalidLevelError,
  SchemaNotFoundError,
  SchemaNotSoftDeletedError,
  SchemaOperationNotPermittedError,
  SchemaReferencedError,
  SchemaRegistryHttpError,
  SchemaRegistryInvalidArgumentError,
  SchemaRegistryInvalidOptionError,
  SchemaSubjectNotFoundError,
  SchemaVersionNotFoundError,
  type SchemaRegistryError,
} from '../errors/schema-registry-errors.js';
import type {
  RegisteredSchemaInfo,
  RegistryConfig,
  SchemaById,
  SchemaCompatibilityOptions,
  SchemaRegistrationOptions,
  SchemaRegistryAdminApi,
} from '../schema-registry-api.js';
import { checkConfig, checkMetadata, checkMode, checkRuleSet } from '../store/registry-input.js';
import type { RegistryMode, SchemaMetadata, SchemaRuleSet } from '../store/registry-record.js';
import { checkId, checkReferences, checkSchemaType, checkSubject, checkVersion, schemaText } from '../store/schema-input.js';

/** Options of {@link RestSchemaRegistryClient}. */
export interface RestSchemaRegistryClientOptions {
  /** Base URL of the registry (`http://localhost:8081`). */
  readonly url: string;
  /** HTTP basic auth. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Bearer token (or a function returning a fresh one). */
  readonly bearerToken?: string | (() => string | Promise<string>);
  /** Deadline of one attempt in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Retries of 5xx answers, 429 and network errors. @default 3 */
  readonly maxRetries?: number;
  /** First backoff in ms, doubled each retry with jitter. @default 100 */
  readonly retryBackoffMs?: number;
  /** Extra headers of every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

interface ConfluentErrorBody {
  readonly error_code?: number;
  readonly message?: string;
}

function mapError(status: number, body: ConfluentErrorBody, what: string): SchemaRegistryError {
  const message = `${what}: ${body.message ?? `HTTP ${status}`}`;
  const details = { status, errorCode: body.error_code };
  switch (body.error_code) {
    case 40401: return new SchemaSubjectNotFoundError(message, { details });
    case 40402: return new SchemaVersionNotFoundError(message, { details });
    case 40403: return what.startsWith('GET /schemas/ids') ? new SchemaIdNotFoundError(message, { details }) : new SchemaNotFoundError(message, { details });
    case 40405: case 40407: return new SchemaNotSoftDeletedError(message, { details });
    case 42201: return new SchemaInvalidError(message, { details });
    case 42202: return new SchemaRegistryInvalidArgumentError(message, { details });
    case 42203: return new SchemaInvalidLevelError(message, { details });
    case 42206: return new SchemaReferencedError(message, { details });
    case 42205: return new SchemaOperationNotPermittedError(message, { details });
    case 409: return new SchemaIncompatibleError(message, [body.message ?? 'incompatible'], { details });
    default: return new SchemaRegistryHttpError(message, status, body.error_code);
  }
}

/**
 * A client of any Confluent-compatible schema registry REST API (Confluent, Karapace, Apicurio's
 * ccompat API, or {@link SchemaRegistryServer}) with basic/bearer auth, timeouts and retries on 5xx.
 */
export class RestSchemaRegistryClient implements SchemaRegistryAdminApi {
  private readonly baseUrl: string;
  private readonly basicAuth: string | undefined;
  private readonly bearerToken: RestSchemaRegistryClientOptions['bearerToken'];
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBackoffMs: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly idCache = new Map<number, Promise<SchemaById>>();

  /** @throws {SchemaRegistryInvalidOptionError} for invalid options */
  constructor(options: RestSchemaRegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(options?.url);
    } catch (error) {
      throw new SchemaRegistryInvalidOptionError(`\`url\` must be an absolute http(s) URL, got ${describeValue(options?.url)}`, { cause: error });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SchemaRegistryInvalidOptionError(`\`url\` must be an absolute http(s) URL, got ${describeValue(options.url)}`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    if (options.basicAuth && options.bearerToken) throw new SchemaRegistryInvalidOptionError('`basicAuth` and `bearerToken` cannot both be set');
    this.basicAuth = options.basicAuth ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}` : undefined;
    this.bearerToken = options.bearerToken;
    this.timeoutMs = registryOptionCheck.integer('timeoutMs', options.timeoutMs, { min: 0, max: Number.POSITIVE_INFINITY, fallback: 10_000 });
    if (this.timeoutMs === 0) throw new SchemaRegistryInvalidOptionError('`timeoutMs` must be a positive integer, got 0');
    this.maxRetries = registryOptionCheck.integer('maxRetries', options.maxRetries, { min: 0, max: Number.POSITIVE_INFINITY, fallback: 3 });
    this.retryBackoffMs = registryOptionCheck.integer('retryBackoffMs', options.retryBackoffMs, { min: 0, max: Number.POSITIVE_INFINITY, fallback: 100 });
    this.headers = { ...(options.headers ?? {}) };
  }

  private async authorization(): Promise<string | undefined> {
    if (this.basicAuth) return this.basicAuth;
    if (this.bearerToken === undefined) return undefined;
    return `Bearer ${typeof this.bearerToken === 'function' ? await this.bearerToken() : this.bearerToken}`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `${method} ${path.split('?')[0]}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        const authorization = await this.authorization();
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            accept: 'application/vnd.schemaregistry.v1+json, application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }),
            ...(authorization ? { authorization } : {}),
            ...this.headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (attempt < this.maxRetries) {
          await this.backoff(attempt);
          continue;
        }
        const timedOut = (error as Error).name === 'TimeoutError';
        throw new SchemaRegistryHttpError(`${what}: ${timedOut ? `no answer within ${this.timeoutMs} ms` : (error as Error).message}`, 0, undefined, { cause: error });
      }
      const text = await response.text();
      if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
      if ((response.status >= 500 || response.status === 429) && attempt < this.maxRetries) {
        await this.backoff(attempt);
        continue;
      }
      let parsed: ConfluentErrorBody = {};
      try {
        parsed = JSON.parse(text) as ConfluentErrorBody;
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
      throw mapError(response.status, parsed, what);
    }
  }

  private backoff(attempt: number): Promise<void> {
    return sleep(backoffDelay(attempt + 1, { initialDelayMs: this.retryBackoffMs, jitter: 'equal' }));
  }

  private static path(subject: string): string {
    return encodeURIComponent(checkSubject(subject));
  }

  private static body(schema: ProtocolSchemaDefinition, type: LiteralSchemaType, references: readonly ProtocolSchemaReference[]): Record<string, unknown> {
    return { schema: schemaText(schema), ...(type === 'AVRO' ? {} : { schemaType: type }), ...(references.length > 0 ? { references } : {}) };
  }

  private static info(subject: string, raw: Record<string, unknown>): RegisteredSchemaInfo {
    return {
      id: raw['id'] as number,
      subject: (raw['subject'] as string | undefined) ?? subject,
      version: raw['version'] as number,
      schemaType: (raw['schemaType'] as LiteralSchemaType | undefined) ?? 'AVRO',
      schema: raw['schema'] as string,
      references: (raw['references'] as ProtocolSchemaReference[] | undefined) ?? [],
      ...RestSchemaRegistryClient.extra(raw),
    };
  }

  private static extra(raw: Record<string, unknown>): Pick<RegisteredSchemaInfo, 'guid' | 'metadata' | 'ruleSet'> {
    return {
      ...(typeof raw['guid'] === 'string' ? { guid: raw['guid'] } : {}),
      ...(raw['metadata'] ? { metadata: raw['metadata'] as RegisteredSchemaInfo['metadata'] } : {}),
      ...(raw['ruleSet'] ? { ruleSet: raw['ruleSet'] as RegisteredSchemaInfo['ruleSet'] } : {}),
    };
  }

  async registerSchema(subject: string, schema: ProtocolSchemaDefinition, schemaType: LiteralSchemaType, options: SchemaRegistrationOptions = {}): Promise<number> {
    const type = checkSchemaType(schemaType);
    const metadata = checkMetadata(options.metadata, 'metadata');
    const ruleSet = checkRuleSet(options.ruleSet, 'ruleSet');
    const body = {
      ...RestSchemaRegistryClient.body(schema, type, checkReferences(options.references)),
      ...(metadata ? { metadata } : {}),
      ...(ruleSet ? { ruleSet } : {}),
      ...(options.id === undefined ? {} : { id: checkId(options.id) }),
      ...(options.version === undefined ? {} : { version: checkVersion(options.version) }),
    };
    const query = options.normalize === true ? '?normalize=true' : '';
    const result = await this.request<{ id: number }>('POST', `/subjects/${RestSchemaRegistryClient.path(subject)}/versions${query}`, body);
    return result.id;
  }

  async getSchema(subject: string, options: { readonly version?: number | 'latest'; readonly deleted?: boolean } = {}): Promise<RegisteredSchemaInfo> {
    const version = checkVersion(options.version);
    const raw = await this.request<Record<string, unknown>>('GET', `/subjects/${RestSchemaRegistryClient.path(subject)}/versions/${version}${options.deleted ? '?deleted=true' : ''}`);
    return RestSchemaRegistryClient.info(subject, raw);
  }

  /** Fetches a schema by id; answers are cached (ids are immutable). */
  getSchemaById(id: number): Promise<SchemaById> {
    checkId(id);
    let cached = this.idCache.get(id);
    if (!cached) {
      cached = this.request<Record<string, unknown>>('GET', `/schemas/ids/${id}`).then((raw) => ({
        id,
        schemaType: (raw['schemaType'] as LiteralSchemaType | undefined) ?? 'AVRO',
        schema: raw['schema'] as string,
        references: (raw['references'] as ProtocolSchemaReference[] | undefined) ?? [],
        ...RestSchemaRegistryClient.extra(raw),
      }));
      cached.catch(() => this.idCache.delete(id));
      this.idCache.set(id, cached);
    }
    return cached;
  }

  async checkSchemaCompatibility(subject: string, schema: ProtocolSchemaDefinition, options: SchemaCompatibilityOptions = {}): Promise<ProtocolCompatibilityResult> {
    const type = checkSchemaType(options.schemaType ?? 'AVRO');
    const body = RestSchemaRegistryClient.body(schema, type, checkReferences(options.references));
    const target = options.version === undefined ? '' : `/${checkVersion(options.version)}`;
    const path = `/compatibility/subjects/${RestSchemaRegistryClient.path(subject)}/versions${target}?verbose=true`;
    try {
      const result = await this.request<{ is_compatible: boolean; messages?: string[] }>('POST', path, body);
      return { isCompatible: result.is_compatible, messages: result.messages ?? [] };
    } catch (error) {
      // A subject with no version is compatible with anything (Confluent answers 40401).
      if (error instanceof SchemaSubjectNotFoundError && options.version === undefined) return { isCompatible: true, messages: [] };
      throw error;
    }
  }

  async listSubjects(options: { readonly deleted?: boolean } = {}): Promise<string[]> {
    return this.request<string[]>('GET', `/subjects${options.deleted ? '?deleted=true' : ''}`);
  }

  async listVersions(subject: string, options: { readonly deleted?: boolean } = {}): Promise<number[]> {
    return this.request<number[]>('GET', `/subjects/${RestSchemaRegistryClient.path(subject)}/versions${options.deleted ? '?deleted=true' : ''}`);
  }

  async lookupSchema(
    subject: string,
    schema: ProtocolSchemaDefinition,
    options: ProtocolSchemaOptions & { readonly deleted?: boolean; readonly metadata?: SchemaMetadata; readonly ruleSet?: SchemaRuleSet } = {},
  ): Promise<RegisteredSchemaInfo> {
    const type = checkSchemaType(options.schemaType ?? 'AVRO');
    const metadata = checkMetadata(options.metadata, 'metadata');
    const ruleSet = checkRuleSet(options.ruleSet, 'ruleSet');
    const body = { ...RestSchemaRegistryClient.body(schema, type, checkReferences(options.references)), ...(metadata ? { metadata } : {}), ...(ruleSet ? { ruleSet } : {}) };
    const raw = await this.request<Record<string, unknown>>('POST', `/subjects/${RestSchemaRegistryClient.path(subject)}${options.deleted ? '?deleted=true' : ''}`, body);
    return RestSchemaRegistryClient.info(subject, raw);
  }

  async getSubjectVersionsById(id: number): Promise<{ subject: string; version: number }[]> {
    return this.request('GET', `/schemas/ids/${checkId(id)}/versions`);
  }

  async deleteSubject(subject: string, options: { readonly permanent?: boolean } = {}): Promise<number[]> {
    return this.request('DELETE', `/subjects/${RestSchemaRegistryClient.path(subject)}${options.permanent ? '?permanent=true' : ''}`);
  }

  async deleteSchemaVersion(subject: string, version: number | 'latest', options: { readonly permanent?: boolean } = {}): Promise<number> {
    return this.request('DELETE', `/subjects/${RestSchemaRegistryClient.path(subject)}/versions/${checkVersion(version)}${options.permanent ? '?permanent=true' : ''}`);
  }

  async getCompatibility(subject?: string): Promise<CompatibilityLevel> {
    const path = subject === undefined ? '/config' : `/config/${RestSchemaRegistryClient.path(subject)}?defaultToGlobal=true`;
    const result = await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', path);
    return toCompatibilityLevel(result.compatibilityLevel ?? result.compatibility, 'compatibilityLevel');
  }

  async getSubjectCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    try {
      const result = await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', `/config/${RestSchemaRegistryClient.path(subject)}`);
      return toCompatibilityLevel(result.compatibilityLevel ?? result.compatibility, 'compatibilityLevel');
    } catch (error) {
      if (error instanceof SchemaRegistryHttpError && error.status === 404) return undefined;
      if (error instanceof SchemaSubjectNotFoundError) return undefined;
      throw error;
    }
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    const checked = toCompatibilityLevel(level, 'compatibility');
    const path = subject === undefined ? '/config' : `/config/${RestSchemaRegistryClient.path(subject)}`;
    const result = await this.request<{ compatibility: string }>('PUT', path, { compatibility: checked });
    return toCompatibilityLevel(result.compatibility, 'compatibility');
  }

  async deleteSubjectCompatibility(subject: string): Promise<void> {
    await this.request('DELETE', `/config/${RestSchemaRegistryClient.path(subject)}`);
  }

  async getConfig(subject?: string, options: { readonly defaultToGlobal?: boolean } = {}): Promise<RegistryConfig | undefined> {
    const path = subject === undefined ? '/config' : `/config/${RestSchemaRegistryClient.path(subject)}${options.defaultToGlobal ? '?defaultToGlobal=true' : ''}`;
    try {
      return checkConfig(await this.request<Record<string, unknown>>('GET', path));
    } catch (error) {
      if (subject !== undefined && error instanceof SchemaRegistryHttpError && error.errorCode === 40408) return undefined;
      throw error;
    }
  }

  async setConfig(update: RegistryConfig, subject?: string): Promise<RegistryConfig> {
    const body = checkConfig(update);
    const path = subject === undefined ? '/config' : `/config/${RestSchemaRegistryClient.path(subject)}`;
    return checkConfig(await this.request<Record<string, unknown>>('PUT', path, body));
  }

  async getMode(subject?: string, options: { readonly defaultToGlobal?: boolean } = {}): Promise<RegistryMode | undefined> {
    const path = subject === undefined ? '/mode' : `/mode/${RestSchemaRegistryClient.path(subject)}${options.defaultToGlobal ? '?defaultToGlobal=true' : ''}`;
    try {
      return checkMode((await this.request<{ mode?: unknown }>('GET', path)).mode);
    } catch (error) {
      if (subject !== undefined && error instanceof SchemaRegistryHttpError && error.errorCode === 40409) return undefined;
      throw error;
    }
  }

  async setMode(mode: RegistryMode, subject?: string, options: { readonly force?: boolean } = {}): Promise<RegistryMode> {
    const path = `/mode${subject === undefined ? '' : `/${RestSchemaRegistryClient.path(subject)}`}${options.force ? '?force=true' : ''}`;
    return checkMode((await this.request<{ mode?: unknown }>('PUT', path, { mode: checkMode(mode) })).mode);
  }

  async deleteMode(subject?: string): Promise<RegistryMode> {
    const path = subject === undefined ? '/mode' : `/mode/${RestSchemaRegistryClient.path(subject)}`;
    return checkMode((await this.request<{ mode?: unknown }>('DELETE', path)).mode);
  }

  async getSchemaByGuid(guid: string): Promise<SchemaById> {
    if (typeof guid !== 'string' || guid === '') throw new SchemaRegistryInvalidArgumentError(`\`guid\` must be a non-empty string, got ${describeValue(guid)}`);
    const raw = await this.request<Record<string, unknown>>('GET', `/schemas/guids/${encodeURIComponent(guid)}`);
    return {
      id: raw['id'] as number,
      schemaType: (raw['schemaType'] as LiteralSchemaType | undefined) ?? 'AVRO',
      schema: raw['schema'] as string,
      references: (raw['references'] as ProtocolSchemaReference[] | undefined) ?? [],
      ...RestSchemaRegistryClient.extra({ guid, ...raw }),
    };
  }

  async getLatestWithMetadata(subject: string, properties: Readonly<Record<string, string>>, options: { readonly deleted?: boolean } = {}): Promise<RegisteredSchemaInfo> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(properties)) {
      query.append('key', key);
      query.append('value', value);
    }
    if (options.deleted) query.set('deleted', 'true');
    const raw = await this.request<Record<string, unknown>>('GET', `/subjects/${RestSchemaRegistryClient.path(subject)}/metadata?${query.toString()}`);
    return RestSchemaRegistryClient.info(subject, raw);
  }

  async getReferencedBy(subject: string, version: number | 'latest'): Promise<number[]> {
    return this.request('GET', `/subjects/${RestSchemaRegistryClient.path(subject)}/versions/${checkVersion(version)}/referencedby`);
  }

  async getSubjectsById(id: number, options: { readonly deleted?: boolean } = {}): Promise<string[]> {
    return this.request('GET', `/schemas/ids/${checkId(id)}/subjects${options.deleted ? '?deleted=true' : ''}`);
  }
}
