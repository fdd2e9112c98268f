import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SCHEMA_TYPES, isOnexError, type ProtocolSchemaReference } from '@onex/spi-types';
import { toCompatibilityLevel } from '../compatibility-level.js';
import { SchemaRegistryInvalidArgumentError, SchemaRegistryInvalidOptionError } from '../errors/schema-registry-errors.js';
import type { SchemaRegistryAdminApi } from '../schema-registry-api.js';
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

function schemaBody(
  body: Record<string, unknown>,
  maxDepth: number,
): { schema: string; schemaType: (typeof SCHEMA_TYPES)[number]; references: ProtocolSchemaReference[] } {
  const schema = body['schema'];
  if (typeof schema !== 'string') throw new HttpProblem(422, 42201, 'Invalid schema: the body needs a "schema" string');
  const schemaType = checkSchemaType(body['schemaType'] ?? 'AVRO');
  const references = body['references'] ?? [];
  if (!Array.isArray(references)) throw new HttpProblem(422, 42201, `Invalid schema: "references" must be an array, got ${JSON.stringify(references).slice(0, 100)}`);
  if (nestsDeeperThan(schema, maxDepth)) throw new HttpProblem(422, 42201, `Invalid schema: it nests deeper than ${maxDepth} levels`);
  // A `\ud800` escape in the body decodes to a lone surrogate; stored, it would read back as U+FFFD.
  if (LONE_SURROGATE.test(schema)) throw new HttpProblem(422, 42201, 'Invalid schema: the text holds a lone UTF-16 surrogate, which UTF-8 cannot carry');
  return { schema, schemaType, references: references as ProtocolSchemaReference[] };
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
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SchemaRegistryInvalidOptionError(`\`port\` must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
    this.port = port;
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new SchemaRegistryInvalidOptionError(`\`maxBodyBytes\` must be a positive integer, got ${JSON.stringify(maxBodyBytes)}`);
    this.maxBodyBytes = maxBodyBytes;
    const maxJsonDepth = options.maxJsonDepth ?? 256;
    if (!Number.isInteger(maxJsonDepth) || maxJsonDepth < 1) throw new SchemaRegistryInvalidOptionError(`\`maxJsonDepth\` must be a positive integer, got ${JSON.stringify(maxJsonDepth)}`);
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

  private buildRoutes(): Route[] {
    const r = this.registry;
    const schemaOf = async (body: () => Promise<Record<string, unknown>>) => schemaBody(await body(), this.maxJsonDepth);
    return [
      route('GET', '/', async () => ({})),
      route('GET', '/schemas/types', async () => [...SCHEMA_TYPES]),
      route('GET', '/schemas/ids/:id', async ([id]) => {
        const { id: _id, ...rest } = await r.getSchemaById(parseId(id!));
        return confluentSchema(rest);
      }),
      // Confluent answers the schema string itself, which is not JSON for PROTOBUF.
      route('GET', '/schemas/ids/:id/schema', async ([id]) => new RawText((await r.getSchemaById(parseId(id!))).schema)),
      route('GET', '/schemas/ids/:id/versions', async ([id]) => r.getSubjectVersionsById(parseId(id!))),
      route('GET', '/subjects', async (_p, q) => r.listSubjects({ deleted: flag(q, 'deleted') })),
      route('GET', '/subjects/:s/versions', async ([s], q) => r.listVersions(s!, { deleted: flag(q, 'deleted') })),
      route('POST', '/subjects/:s/versions', async ([s], _q, body) => {
        const { schema, schemaType, references } = await schemaOf(body);
        return { id: await r.registerSchema(s!, schema, schemaType, { references }) };
      }),
      route('POST', '/subjects/:s', async ([s], q, body) => {
        const { schema, schemaType, references } = await schemaOf(body);
        return confluentSchema(await r.lookupSchema(s!, schema, { schemaType, references, deleted: flag(q, 'deleted') }));
      }),
      route('DELETE', '/subjects/:s', async ([s], q) => r.deleteSubject(s!, { permanent: flag(q, 'permanent') })),
      route('GET', '/subjects/:s/versions/:v', async ([s, v], q) =>
        confluentSchema(await r.getSchema(s!, { version: parseVersion(v!), deleted: flag(q, 'deleted') })),
      ),
      route('GET', '/subjects/:s/versions/:v/schema', async ([s, v]) => new RawText((await r.getSchema(s!, { version: parseVersion(v!) })).schema)),
      route('DELETE', '/subjects/:s/versions/:v', async ([s, v], q) => r.deleteSchemaVersion(s!, parseVersion(v!), { permanent: flag(q, 'permanent') })),
      route('POST', '/compatibility/subjects/:s/versions/:v', async ([s, v], q, body) => {
        const { schema, schemaType, references } = await schemaOf(body);
        const result = await r.checkSchemaCompatibility(s!, schema, { schemaType, references, version: parseVersion(v!) });
        return flag(q, 'verbose') ? { is_compatible: result.isCompatible, messages: result.messages } : { is_compatible: result.isCompatible };
      }),
      route('POST', '/compatibility/subjects/:s/versions', async ([s], q, body) => {
        const { schema, schemaType, references } = await schemaOf(body);
        const result = await r.checkSchemaCompatibility(s!, schema, { schemaType, references });
        return flag(q, 'verbose') ? { is_compatible: result.isCompatible, messages: result.messages } : { is_compatible: result.isCompatible };
      }),
      route('GET', '/config', async () => ({ compatibilityLevel: await r.getCompatibility() })),
      route('PUT', '/config', async (_p, _q, body) => ({ compatibility: await r.setCompatibility(toCompatibilityLevel((await body())['compatibility'], 'compatibility')) })),
      route('GET', '/config/:s', async ([s], q) => {
        const own = await r.getSubjectCompatibility(s!);
        if (own !== undefined) return { compatibilityLevel: own };
        if (flag(q, 'defaultToGlobal')) return { compatibilityLevel: await r.getCompatibility() };
        throw new HttpProblem(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`);
      }),
      route('PUT', '/config/:s', async ([s], _q, body) => ({
        compatibility: await r.setCompatibility(toCompatibilityLevel((await body())['compatibility'], 'compatibility'), s!),
      })),
      route('DELETE', '/config/:s', async ([s]) => {
        const before = await r.getCompatibility(s!);
        await r.deleteSubjectCompatibility(s!);
        return { compatibilityLevel: before };
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
