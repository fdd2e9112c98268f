import { describeValue } from '@onex/spi-types/support';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SCHEMA_TYPES, hasErrorCode, isOnexError, type ProtocolSchemaReference } from '@onex/spi-types';
import { SchemaRegistryInvalidArgumentError, SchemaRegistryInvalidOptionError } from '../errors/schema-registry-errors.js';
import { descriptorFromProtoText } from '../formats/protobuf-descriptor.js';
import type { ResolvedReference } from '../formats/schema-format.js';
import type { RegistryConfig, SchemaRegistryAdminApi } from '../schema-registry-api.js';
import { checkMetadata, checkMode, checkRuleSet } from '../store/registry-input.js';
import type { SchemaMetadata, SchemaRuleSet } from '../store/registry-record.js';
import { checkSchemaType } from '../store/schema-input.js';
import { CONFLUENT_ERRORS } from './confluent-error-codes.js';

/** Options of {@link SchemaRegistryServer}. */
export interface SchemaRegistryServerOptions {
  /** The registry to serve (usually a {@link KafkaSchemaRegistry}). */
  readonly registry: SchemaRegistryAdminApi;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Require HTTP basic auth with these credentials. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Largest request body in bytes; a larger one is answered 413. @default 1048576 */
  readonly maxBodyBytes?: number;
  /**
   * Deepest nesting of `{`/`[` in a request body and in the `schema` text it carries; deeper is
   * answered 400 (body) or 422/42201 (schema) before anything parses it recursively. @default 256
   */
  readonly maxJsonDepth?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A client error answered as Confluent's `{ error_code, message }` body with this status. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/** A handler result sent as it is, not as JSON (the `/schema` routes answer the schema text itself). */
class RawText {
  constructor(readonly text: string) {}
}

interface Route {
  readonly method: string;
  /** Decoded path segments; `null` captures one segment. */
  readonly segments: readonly (string | null)[];
  readonly handle: (params: string[], query: URLSearchParams, body: () => Promise<Record<string, unknown>>) => Promise<unknown>;
}

/** `'/subjects/:s/versions'` → `['subjects', null, 'versions']`. */
function route(method: string, template: string, handle: Route['handle']): Route {
  const segments = template.split('/').filter(Boolean).map((s) => (s.startsWith(':') ? null : s));
  return { method, segments, handle };
}

/**
 * Splits a request target into path segments, each percent-decoded exactly once (so `a%2Fb` is the
 * subject `a/b` and `a%252Fb` the subject `a%2Fb`), and its query.
 */
function parseTarget(target: string): { segments: string[]; query: URLSearchParams } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    // absolute-form (`GET http://host/path`), which proxies send
    const absolute = /^https?:\/\/[^/?#]*(.*)$/i.exec(target);
    if (!absolute) throw new HttpProblem(400, 400, `request target must be a path starting with '/', got ${JSON.stringify(target.slice(0, 100))}`);
    pathAndQuery = absolute[1] || '/';
  }
  const hash = pathAndQuery.indexOf('#');
  if (hash >= 0) pathAndQuery = pathAndQuery.slice(0, hash);
  const mark = pathAndQuery.indexOf('?');
  const path = mark >= 0 ? pathAndQuery.slice(0, mark) : pathAndQuery;
  const query = new URLSearchParams(mark >= 0 ? pathAndQuery.slice(mark + 1) : '');
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new HttpProblem(400, 400, `path segment ${JSON.stringify(segment.slice(0, 100))} is not valid percent-encoding of UTF-8 (RFC 3986)`);
      }
    });
  return { segments, query };
}

/** Whether `{`/`[` outside JSON string literals nest deeper than `limit`; linear, never recursive. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function parseVersion(raw: string): number | 'latest' {
  if (raw === 'latest' || raw === '-1') return 'latest';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 2 ** 31 - 1) throw new HttpProblem(422, 42202, `The specified version '${raw}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
  return n;
}

function parseId(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new HttpProblem(404, 40403, `Schema ${raw} not found`);
  return n;
}

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name) === 'true';
}

interface SchemaBody {
  schema: string;
  schemaType: (typeof SCHEMA_TYPES)[number];
  references: ProtocolSchemaReference[];
  metadata?: SchemaMetadata;
  ruleSet?: SchemaRuleSet;
}

/** Confluent's config body: `compatibilityLevel` for the level, the other fields as stored. */
function configBody(config: RegistryConfig): Record<string, unknown> {
  const { compatibility, ...rest } = config;
  return { ...(compatibility === undefined ? {} : { compatibilityLevel: compatibility }), ...rest };
}

function schemaBody(body: Record<string, unknown>, maxDepth: number): SchemaBody {
  const schema = body['schema'];
  if (typeof schema !== 'string') throw new HttpProblem(422, 42201, 'Invalid schema: the body needs a "schema" string');
  const schemaType = checkSchemaType(body['schemaType'] ?? 'AVRO');
  const references = body['references'] ?? [];
  if (!Array.isArray(references)) throw new HttpProblem(422, 42201, `Invalid schema: "references" must be an array, got ${JSON.stringify(references).slice(0, 100)}`);
  if (nestsDeeperThan(schema, maxDepth)) throw new HttpProblem(422, 42201, `Invalid schema: it nests deeper than ${maxDepth} levels`);
  // A `\ud800` escape in the body decodes to a lone surrogate; stored, it would read back as U+FFFD.
  if (LONE_SURROGATE.test(schema)) throw new HttpProblem(422, 42201, 'Invalid schema: the text holds a lone UTF-16 surrogate, which UTF-8 cannot carry');
  const metadata = checkMetadata(body['metadata'], 'metadata');
  const ruleSet = checkRuleSet(body['ruleSet'], 'ruleSet');
  return { schema, schemaType, references: references as ProtocolSchemaReference[], ...(metadata ? { metadata } : {}), ...(ruleSet ? { ruleSet } : {}) };
}

/** An integer body field (`id`, `version` of an import); absent, null or Confluent's -1/0 "unset" are undefined. */
function optionalInteger(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === -1 || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new HttpProblem(422, 42202, `"${name}" must be a positive 32-bit integer, got ${JSON.stringify(value).slice(0, 100)}`);
  }
  return value;
}

/** Omits `schemaType` for AVRO and empty references, as Confluent does. */
function confluentSchema<T extends { schemaType: string; references: readonly unknown[] }>(info: T): Record<string, unknown> {
  const { schemaType, references, ...rest } = info;
  return { ...rest, ...(schemaType === 'AVRO' ? {} : { schemaType }), ...(references.length > 0 ? { references } : {}) };
}

/**
 * Serves a registry over Confluent's REST API on node:http, so Confluent clients (Java, librdkafka,
 * `@kafkajs/confluent-schema-registry`) can use the embedded registry with no extra server.
 */
export class SchemaRegistryServer {
  private readonly registry: SchemaRegistryAdminApi;
  private readonly host: string;
  private readonly port: number;
  private readonly authorization: string | undefined;
  private readonly maxBodyBytes: number;
  private readonly maxJsonDepth: number;
  private readonly routes: Route[];
  private server: Server | undefined;
  private readonly detached = new Set<Socket>();
  private readonly inFlight = new WeakMap<Socket, ServerResponse>();

  /** @throws {SchemaRegistryInvalidOptionError} for invalid options */
  constructor(options: SchemaRegistryServerOptions) {
    if (!options || typeof options.registry?.registerSchema !== 'function' || typeof options.registry.listSubjects !== 'function') {
      throw new SchemaRegistryInvalidOptionError('`registry` must implement the registry admin API (e.g. a KafkaSchemaRegistry)');
    }
    this.registry = options.registry;
    this.host = options.host ?? '127.0.0.1';
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SchemaRegistryInvalidOptionError(`\`port\` must be an integer from 0 to 65535, got ${describeValue(port)}`);
    this.port = port;
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new SchemaRegistryInvalidOptionError(`\`maxBodyBytes\` must be a positive integer, got ${describeValue(maxBodyBytes)}`);
    this.maxBodyBytes = maxBodyBytes;
    const maxJsonDepth = options.maxJsonDepth ?? 256;
    if (!Number.isInteger(maxJsonDepth) || maxJsonDepth < 1) throw new SchemaRegistryInvalidOptionError(`\`maxJsonDepth\` must be a positive integer, got ${describeValue(maxJsonDepth)}`);
    this.maxJsonDepth = maxJsonDepth;
    this.authorization = options.basicAuth
      ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
      : undefined;
    this.routes = this.buildRoutes();
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:PORT`). */
  async listen(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => {
      const socket = req.socket;
      this.inFlight.set(socket, res);
      res.once('close', () => {
        if (this.inFlight.get(socket) === res) this.inFlight.delete(socket);
      });
      void this.handle(req, res);
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.answerClientError(error, socket));
    // Without a listener node:http drops CONNECT requests with no answer at all.
    server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      // node:http no longer tracks this socket (closeAllConnections misses it) and left it paused: with
      // unread bytes it never saw the client's FIN and stayed open, so close() hung.
      this.detached.add(socket);
      socket.once('close', () => this.detached.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
      this.answerRaw(socket, 405, 'Method Not Allowed', 'HTTP 405 Method Not Allowed');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    return this.url;
  }

  /** The base URL once listening. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new SchemaRegistryInvalidArgumentError('the server is not listening');
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Stops listening and closes every open connection (the registry stays open). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of this.detached) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.authorization !== undefined && req.headers.authorization !== this.authorization) {
        res.setHeader('www-authenticate', 'Basic realm="schema-registry"');
        throw new HttpProblem(401, 40101, 'Unauthorized');
      }
      const { segments, query } = parseTarget(req.url ?? '/');
      let pathMatched = false;
      for (const route of this.routes) {
        const params = matchSegments(route.segments, segments);
        if (!params) continue;
        pathMatched = true;
        if (route.method !== req.method) continue;
        const result = await route.handle(params, query, () => this.readBody(req));
        this.send(res, 200, result);
        return;
      }
      throw pathMatched ? new HttpProblem(405, 405, 'HTTP 405 Method Not Allowed') : new HttpProblem(404, 404, 'HTTP 404 Not Found');
    } catch (error) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
      } else if (error instanceof HttpProblem) {
        if (error.closeConnection) res.setHeader('connection', 'close');
        this.send(res, error.status, { error_code: error.errorCode, message: error.message });
      } else if (isOnexError(error)) {
        const mapped = CONFLUENT_ERRORS[error.code as keyof typeof CONFLUENT_ERRORS] ?? { status: 500, errorCode: 50001 };
        this.send(res, mapped.status, { error_code: mapped.errorCode, message: error.message });
      } else {
        this.send(res, 500, { error_code: 50001, message: (error as Error | undefined)?.message ?? String(error) });
      }
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = body instanceof RawText ? body.text : JSON.stringify(body);
    res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Requests node:http cannot parse (bad request line or headers, headers too large, timeouts) get Confluent's body too. */
  private answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    // The parser can fail after it dispatched a request on this socket: once that response has started, an
    // answer of ours would corrupt it, so the connection is dropped instead (node:http's own rule).
    if (!socket.writable || this.inFlight.get(socket)?.headersSent === true || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') this.answerRaw(socket, 431, 'Request Header Fields Too Large', 'request headers are too large');
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.answerRaw(socket, 408, 'Request Timeout', 'request not received in time');
    else this.answerRaw(socket, 400, 'Bad Request', `malformed HTTP request (${error.code ?? 'parse error'})`);
  }

  private answerRaw(socket: Socket, status: number, reason: string, message: string): void {
    const text = JSON.stringify({ error_code: status, message });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  }

  private async readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const tooLarge = () => new HttpProblem(413, 413, `request body larger than ${this.maxBodyBytes} bytes`, true);
    if (Number(req.headers['content-length']) > this.maxBodyBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBodyBytes) throw tooLarge();
      chunks.push(chunk);
    }
    if (size === 0) return {};
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new HttpProblem(400, 400, 'request body is not valid UTF-8');
    }
    if (nestsDeeperThan(text, this.maxJsonDepth)) throw new HttpProblem(400, 400, `request body nests deeper than ${this.maxJsonDepth} levels`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HttpProblem(400, 400, `request body is not JSON: ${(error as Error).message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new HttpProblem(400, 400, `request body must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
    }
    return value as Record<string, unknown>;
  }

  /** Resolves references for `?format=serialized`, dependencies first (soft-deleted versions too). */
  private async resolveReferences(references: readonly ProtocolSchemaReference[], seen = new Set<string>()): Promise<ResolvedReference[]> {
    const out: ResolvedReference[] = [];
    for (const reference of references) {
      const key = `${reference.subject}\u0000${reference.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const info = await this.registry.getSchema(reference.subject, { version: reference.version, deleted: true });
      out.push(...(await this.resolveReferences(info.references, seen)), { ...reference, schema: info.schema });
    }
    return out;
  }

  /** Applies `?format=`: `serialized` turns a PROTOBUF schema into its base64 FileDescriptorProto. */
  private async formatted<T extends { schemaType: string; schema: string; references: readonly ProtocolSchemaReference[] }>(info: T, query: URLSearchParams): Promise<T> {
    const format = query.get('format') ?? '';
    if (format === '' || format === 'default') return info;
    if (format === 'serialized' && info.schemaType === 'PROTOBUF') {
      return { ...info, schema: descriptorFromProtoText(info.schema, await this.resolveReferences(info.references), 'schema.proto') };
    }
    throw new HttpProblem(422, 42202, `format ${JSON.stringify(format.slice(0, 50))} is not supported for ${info.schemaType} schemas (supported: default${info.schemaType === 'PROTOBUF' ? ', serialized' : ''})`);
  }

  private buildRoutes(): Route[] {
    const r = this.registry;
    const schemaOf = async (body: () => Promise<Record<string, unknown>>) => schemaBody(await body(), this.maxJsonDepth);
    const compatibility = async (s: string, v: number | 'latest' | undefined, q: URLSearchParams, body: () => Promise<Record<string, unknown>>) => {
      const { schema, schemaType, references } = await schemaOf(body);
      let result;
      try {
        result = await r.checkSchemaCompatibility(s, schema, { schemaType, references, ...(v === undefined ? {} : { version: v }) });
      } catch (error) {
        // Confluent: a subject with no version is compatible with anything against "latest".
        if (v !== 'latest' || !hasErrorCode(error, 'SCHEMA_SUBJECT_NOT_FOUND')) throw error;
        result = await r.checkSchemaCompatibility(s, schema, { schemaType, references });
      }
      return flag(q, 'verbose') ? { is_compatible: result.isCompatible, messages: result.messages } : { is_compatible: result.isCompatible };
    };
    const listSubjects = async (q: URLSearchParams) => {
      if (!flag(q, 'deletedOnly')) return r.listSubjects({ deleted: flag(q, 'deleted') });
      const live = new Set(await r.listSubjects());
      return (await r.listSubjects({ deleted: true })).filter((s) => !live.has(s));
    };
    const listVersions = async (s: string, q: URLSearchParams) => {
      if (!flag(q, 'deletedOnly')) return r.listVersions(s, { deleted: flag(q, 'deleted') });
      const all = await r.listVersions(s, { deleted: true });
      const live = new Set(await r.listVersions(s).catch(() => [] as number[]));
      return all.filter((v) => !live.has(v));
    };
    return [
      route('GET', '/', async () => ({})),
      route('GET', '/schemas/types', async () => [...SCHEMA_TYPES]),
      route('GET', '/schemas/ids/:id', async ([id], q) => {
        const { id: _id, ...rest } = await r.getSchemaById(parseId(id!));
        return confluentSchema(await this.formatted(rest, q));
      }),
      // Confluent answers the schema string itself, which is not JSON for PROTOBUF.
      route('GET', '/schemas/ids/:id/schema', async ([id]) => new RawText((await r.getSchemaById(parseId(id!))).schema)),
      route('GET', '/schemas/ids/:id/versions', async ([id]) => r.getSubjectVersionsById(parseId(id!))),
      route('GET', '/schemas/ids/:id/subjects', async ([id], q) => r.getSubjectsById(parseId(id!), { deleted: flag(q, 'deleted') })),
      route('GET', '/schemas/guids/:guid', async ([guid], q) => confluentSchema(await this.formatted(await r.getSchemaByGuid(guid!), q))),
      route('GET', '/subjects', async (_p, q) => listSubjects(q)),
      route('GET', '/subjects/:s/versions', async ([s], q) => listVersions(s!, q)),
      route('POST', '/subjects/:s/versions', async ([s], q, body) => {
        const raw = await body();
        const { schema, schemaType, references, metadata, ruleSet } = schemaBody(raw, this.maxJsonDepth);
        const id = optionalInteger(raw, 'id');
        const version = optionalInteger(raw, 'version');
        const options = { references, metadata, ruleSet, normalize: flag(q, 'normalize'), ...(id === undefined ? {} : { id }), ...(version === undefined ? {} : { version }) };
        const registered = await r.registerSchema(s!, schema, schemaType, options);
        return { id: registered };
      }),
      route('POST', '/subjects/:s', async ([s], q, body) => {
        const { schema, schemaType, references, metadata, ruleSet } = await schemaOf(body);
        const info = await r.lookupSchema(s!, schema, { schemaType, references, deleted: flag(q, 'deleted'), ...(metadata ? { metadata } : {}), ...(ruleSet ? { ruleSet } : {}) });
        return confluentSchema(info);
      }),
      route('DELETE', '/subjects/:s', async ([s], q) => r.deleteSubject(s!, { permanent: flag(q, 'permanent') })),
      route('GET', '/subjects/:s/metadata', async ([s], q) => {
        const keys = q.getAll('key');
        const values = q.getAll('value');
        if (keys.length !== values.length) throw new HttpProblem(422, 42202, `metadata lookup needs one "value" for each "key" (got ${keys.length} keys, ${values.length} values)`);
        const properties = Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
        return confluentSchema(await this.formatted(await r.getLatestWithMetadata(s!, properties, { deleted: flag(q, 'deleted') }), q));
      }),
      route('GET', '/subjects/:s/versions/:v', async ([s, v], q) =>
        confluentSchema(await this.formatted(await r.getSchema(s!, { version: parseVersion(v!), deleted: flag(q, 'deleted') }), q)),
      ),
      route('GET', '/subjects/:s/versions/:v/schema', async ([s, v]) => new RawText((await r.getSchema(s!, { version: parseVersion(v!) })).schema)),
      route('GET', '/subjects/:s/versions/:v/referencedby', async ([s, v]) => r.getReferencedBy(s!, parseVersion(v!))),
      route('DELETE', '/subjects/:s/versions/:v', async ([s, v], q) => {
        try {
          return await r.deleteSchemaVersion(s!, parseVersion(v!), { permanent: flag(q, 'permanent') });
        } catch (error) {
          // Confluent tells a live version (40407) from a live subject (40405).
          if (hasErrorCode(error, 'SCHEMA_NOT_SOFT_DELETED')) throw new HttpProblem(404, 40407, (error as Error).message);
          throw error;
        }
      }),
      route('POST', '/compatibility/subjects/:s/versions/:v', async ([s, v], q, body) => compatibility(s!, parseVersion(v!), q, body)),
      route('POST', '/compatibility/subjects/:s/versions', async ([s], q, body) => compatibility(s!, undefined, q, body)),
      route('GET', '/config', async () => configBody((await r.getConfig()) ?? {})),
      route('PUT', '/config', async (_p, _q, body) => await r.setConfig((await body()) as RegistryConfig)),
      route('GET', '/config/:s', async ([s], q) => {
        const config = await r.getConfig(s!, { defaultToGlobal: flag(q, 'defaultToGlobal') });
        if (config !== undefined) return configBody(config);
        throw new HttpProblem(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`);
      }),
      route('PUT', '/config/:s', async ([s], _q, body) => await r.setConfig((await body()) as RegistryConfig, s!)),
      route('DELETE', '/config/:s', async ([s]) => {
        const before = await r.getConfig(s!);
        if (before === undefined) throw new HttpProblem(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`);
        await r.deleteSubjectCompatibility(s!);
        return configBody(before);
      }),
      route('GET', '/mode', async () => ({ mode: await r.getMode() })),
      route('PUT', '/mode', async (_p, q, body) => ({ mode: await r.setMode(checkMode((await body())['mode']), undefined, { force: flag(q, 'force') }) })),
      route('DELETE', '/mode', async () => ({ mode: await r.deleteMode() })),
      route('GET', '/mode/:s', async ([s], q) => {
        const mode = await r.getMode(s!, { defaultToGlobal: flag(q, 'defaultToGlobal') });
        if (mode !== undefined) return { mode };
        throw new HttpProblem(404, 40409, `Subject '${s}' does not have subject-level mode configured`);
      }),
      route('PUT', '/mode/:s', async ([s], q, body) => ({ mode: await r.setMode(checkMode((await body())['mode']), s!, { force: flag(q, 'force') }) })),
      route('DELETE', '/mode/:s', async ([s]) => {
        if ((await r.getMode(s!)) === undefined) throw new HttpProblem(404, 40409, `Subject '${s}' does not have subject-level mode configured`);
        return { mode: await r.deleteMode(s!) };
      }),
    ];
  }
}

/** The captured segments when `segments` fits the route's template. */
function matchSegments(template: readonly (string | null)[], segments: readonly string[]): string[] | undefined {
  if (template.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const expected = template[i];
    if (expected === null) params.push(segment);
    else if (expected !== segment) return undefined;
  }
  return params;
}
