import {
  STATUS_CODES,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Attributes, Span } from '@opentelemetry/api';
import type { Duplex } from 'node:stream';
import type { ContextValue, ProtocolBridgeMessage } from '@onex/spi-types';
import type { BridgeHandle, BridgeResult, BridgeSendOptions } from '../adapters/bridge-adapter.js';
import { nonNegative, positiveInteger } from '../communication-bridge-options.js';
import { jsonDepthExceeds, parseBoundedJson } from '../format/bounded-json.js';
import { idempotencyKeyProblem } from '../internal/idempotency-key.js';
import {
  activeInstruments,
  activeTracer,
  context,
  otelEnabledByEnv,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '../internal/otel.js';
import {
  BridgeBadRequestError,
  BridgeConfigError,
  BridgeFormatError,
  BridgeMalformedBodyError,
  BridgeOverloadedError,
  BridgePayloadTooLargeError,
  BridgeRequestTimeoutError,
  BridgeRouteNotFoundError,
  BridgeStoppedError,
  BridgeUnsupportedMediaTypeError,
  isBridgeError,
} from '../errors/bridge-errors.js';
import type { IngressAuthenticator } from './ingress-auth.js';
import { ingressOpenApi } from './ingress-openapi.js';
import { checkSchemaOptions, type IngressSchemaOptions } from './ingress-schemas.js';
import {
  BINARY_V2,
  BYTES_TYPES,
  JSON_TYPES,
  TEXT_TYPES,
  TEXT_V2,
  matchRoute,
  type IngressRoute,
} from './ingress-routes.js';
import { renderPrometheus, type PrometheusFamily } from './prometheus-text.js';
import { bridgeCheck } from '../internal/bridge-check.js';

/** Options of {@link IngressServer}. */
export interface IngressServerOptions {
  /** Port to listen on (0 picks a free one). @default 0 */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Largest accepted request body, in bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Most records in one `{ records: [...] }` body. @default 1000 */
  readonly maxRecords?: number;
  /** Requests processed at once; more get 429. @default 256 */
  readonly maxInFlight?: number;
  /** Value of `Retry-After` on 429 and 503, in seconds. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Time a client has to send the request line and headers; then 408. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send the whole request, headers and body; then 408. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** Longest pause between two pieces of a request body; then 408. @default 10000 */
  readonly bodyIdleTimeoutMs?: number;
  /** Largest request line plus headers, in bytes; more get 431. @default 16384 */
  readonly maxHeaderBytes?: number;
  /** Auth hook run before the body is read; throw to answer 401/403. */
  readonly authenticate?: IngressAuthenticator;
  /**
   * Schema validation at ingest: record values for a bound topic are validated and serialized by
   * `validate` (Confluent wire format); invalid ones get a per-record error and are not delivered.
   */
  readonly schemas?: IngressSchemaOptions;
  /**
   * An OpenTelemetry SERVER span per request (its parent extracted from the request's `traceparent`)
   * and `http.server.request.duration`, when the application registers an SDK (`false`, or env
   * `ONEX_OTEL_DISABLED=true`, turns them off). @default true
   */
  readonly telemetry?: boolean;
}

/** Methods the HTTP conventions know; others are reported as `_OTHER`. */
const HTTP_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);
/** Levels `{ records: [{ value: … }] }` adds above a record's value. */
const RECORDS_WRAPPER_DEPTH = 3;
/** How the values (and keys) of a `{ records }` body are embedded in its JSON. */
type Embedding = 'json' | 'binary' | 'text';

interface IngressRecord {
  readonly payload: ContextValue;
  readonly key?: string;
  readonly headers?: Record<string, string>;
  /** The client's id of the record, sent downstream as its idempotency key. */
  readonly id?: string;
  /** Partition asked for, by the record or the request path. */
  readonly partition?: number;
}

/** A record ready to send, or the per-record answer of one refused before sending (schema validation). */
type Checked = IngressRecord | { readonly refused: Record<string, unknown> };

/** Where a produce request goes, from its path. */
interface Destination {
  readonly bridge: BridgeHandle;
  readonly topic?: string;
  readonly partition?: number;
}

/**
 * The bridge's HTTP face, shaped like the Strimzi Kafka HTTP Bridge: `POST /topics/{topic}` and
 * `POST <sourceEndpoint path>` take one message or `{ records: [...] }` and answer per record;
 * `GET /health`, `/ready` and `/metrics` (Prometheus text) serve operators.
 */
export class IngressServer {
  readonly #options: Required<Omit<IngressServerOptions, 'authenticate' | 'schemas' | 'telemetry'>> & {
    authenticate?: IngressAuthenticator;
  };
  readonly #schemas: IngressSchemaOptions | undefined;
  readonly #telemetry: boolean;
  readonly #paths = new Map<string, BridgeHandle>();
  readonly #bridges = new Set<BridgeHandle>();
  readonly #byStatus = new Map<number, number>();
  /** The latest request of each connection, for `clientError` to tell whose bytes failed. */
  readonly #requests = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  #server: Server | undefined;
  #listening: Promise<void> | undefined;
  #inFlight = 0;

  /** @throws BridgeConfigError when an option is invalid */
  constructor(options: IngressServerOptions = {}) {
    const port = bridgeCheck.integer('port', options.port, { min: 0, max: 65535, fallback: 0 });
    if (options.authenticate !== undefined) bridgeCheck.function('authenticate', options.authenticate);
    this.#options = {
      port,
      host: options.host ?? '127.0.0.1',
      maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 1024 * 1024),
      maxRecords: positiveInteger('maxRecords', options.maxRecords, 1000),
      maxInFlight: positiveInteger('maxInFlight', options.maxInFlight, 256),
      retryAfterSeconds: nonNegative('retryAfterSeconds', options.retryAfterSeconds, 1),
      headersTimeoutMs: positiveInteger('headersTimeoutMs', options.headersTimeoutMs, 10_000),
      requestTimeoutMs: positiveInteger('requestTimeoutMs', options.requestTimeoutMs, 60_000),
      bodyIdleTimeoutMs: positiveInteger('bodyIdleTimeoutMs', options.bodyIdleTimeoutMs, 10_000),
      maxHeaderBytes: positiveInteger('maxHeaderBytes', options.maxHeaderBytes, 16 * 1024),
      ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    };
    this.#schemas = checkSchemaOptions(options.schemas);
    if (options.telemetry !== undefined) bridgeCheck.boolean('telemetry', options.telemetry);
    this.#telemetry = (options.telemetry ?? true) && otelEnabledByEnv();
    if (this.#options.headersTimeoutMs > this.#options.requestTimeoutMs) {
      throw new BridgeConfigError(
        `\`headersTimeoutMs\` (${this.#options.headersTimeoutMs}) must not be greater than \`requestTimeoutMs\` (${this.#options.requestTimeoutMs})`,
      );
    }
  }

  /** Starts listening (once); resolves when bound. */
  listen(): Promise<void> {
    this.#listening ??= new Promise<void>((resolve, reject) => {
      const { headersTimeoutMs, requestTimeoutMs, maxHeaderBytes } = this.#options;
      const server = createServer(
        {
          headersTimeout: headersTimeoutMs,
          requestTimeout: requestTimeoutMs,
          maxHeaderSize: maxHeaderBytes,
          // Node checks both timeouts on this interval (30 s by default), so it bounds their precision.
          connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
        },
        (req, res) => {
          this.#requests.set(req.socket, { req, res });
          if (this.#telemetry) this.#traced(req, res);
          else void this.#handle(req, res);
        },
      );
      server.keepAliveTimeout = 5000;
      server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
        this.#clientError(error, socket),
      );
      // Without a listener Node answers 417 itself, with no body.
      server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        res.setHeader('connection', 'close');
        this.#send(res, 417, {
          error_code: 417,
          code: 'BRIDGE_BAD_REQUEST',
          message: `Expect: ${showTarget(String(req.headers.expect))} is not supported (only 100-continue)`,
        });
      });
      // Without a listener Node drops CONNECT requests unanswered.
      server.on('connect', (req: IncomingMessage, socket: Duplex) => {
        const error = new BridgeRouteNotFoundError('CONNECT', req.url ?? '');
        this.#answerRaw(
          socket,
          405,
          error.code,
          `method CONNECT not allowed on ${req.url ?? ''}`,
          'allow: POST\r\n',
        );
      });
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
      this.#server = server;
    });
    return this.#listening;
  }

  /** The bound address (after `listen`). */
  address(): { host: string; port: number; url: string } {
    const info = this.#server?.address() as AddressInfo | null | undefined;
    if (!info) throw new BridgeStoppedError('ingress (not listening)');
    return {
      host: info.address,
      port: info.port,
      url: `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`,
    };
  }

  /** Stops accepting connections and closes idle ones; resolves when closed. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#listening = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  /** Serves a bridge at `path` (its `sourceEndpoint` path) and at `/topics/{targetTopic}`. @throws BridgeConfigError when the path is taken */
  register(bridge: BridgeHandle, path: string): void {
    const owner = this.#paths.get(path);
    if (owner && owner !== bridge) {
      throw new BridgeConfigError(
        `\`sourceEndpoint\` path '${path}' is already served by bridge '${owner.name}'`,
      );
    }
    const topic = bridge.config.targetTopic;
    if (topic !== undefined && this.#schemas?.bindings[topic] !== undefined && bridge.codec.format !== 'bytes') {
      // Validated values are serialized to wire-format bytes, which only a bytes bridge passes on unchanged.
      throw new BridgeConfigError(
        `bridge '${bridge.name}' targets topic '${topic}', which is bound to a schema, so its messageFormat must be 'bytes', got '${bridge.codec.format}'`,
      );
    }
    this.#paths.set(path, bridge);
    this.#bridges.add(bridge);
  }

  /** Stops serving a bridge. */
  unregister(bridge: BridgeHandle): void {
    for (const [path, owner] of this.#paths) if (owner === bridge) this.#paths.delete(path);
    this.#bridges.delete(bridge);
  }

  /** Requests being processed now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Handles a request inside its SERVER span (parent: the request's `traceparent`), and records
   * `http.server.request.duration`, per the stable HTTP server conventions.
   */
  #traced(req: IncomingMessage, res: ServerResponse): void {
    const tracer = activeTracer();
    const instruments = activeInstruments();
    // No SDK registered: nothing is allocated for telemetry.
    if (tracer === undefined && instruments === undefined) {
      void this.#handle(req, res);
      return;
    }
    const started = performance.now();
    const method = req.method !== undefined && HTTP_METHODS.has(req.method) ? req.method : '_OTHER';
    let span: Span | undefined;
    let ctx = context.active();
    if (tracer !== undefined) {
      const parent = propagation.extract(ctx, req.headers);
      const local = req.socket.localPort;
      const attributes: Attributes = {
        'http.request.method': method,
        'url.scheme': 'http',
        'url.path': (req.url ?? '/').split('?')[0] ?? '/',
        'network.protocol.version': req.httpVersion,
      };
      if (method === '_OTHER' && req.method !== undefined) attributes['http.request.method_original'] = req.method;
      const host = req.headers.host;
      if (host !== undefined) {
        const colon = host.lastIndexOf(':');
        attributes['server.address'] = colon > host.lastIndexOf(']') ? host.slice(0, colon) : host;
      }
      if (local !== undefined) attributes['server.port'] = local;
      if (req.socket.remoteAddress !== undefined) {
        attributes['client.address'] = req.socket.remoteAddress;
        attributes['network.peer.address'] = req.socket.remoteAddress;
      }
      if (req.socket.remotePort !== undefined) attributes['network.peer.port'] = req.socket.remotePort;
      const agent = req.headers['user-agent'];
      if (agent !== undefined) attributes['user_agent.original'] = agent;
      span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
      ctx = trace.setSpan(parent, span);
    }
    res.once('close', () => {
      const route = this.#routeOf(req.url);
      const status = res.headersSent || res.writableFinished ? res.statusCode : undefined;
      // Server conventions: only 5xx is an error (4xx is the client's), or no answer at all.
      const errorType = status === undefined ? 'ERR_NO_RESPONSE' : status >= 500 ? String(status) : undefined;
      if (span !== undefined) {
        if (route !== undefined) {
          span.updateName(`${method} ${route}`);
          span.setAttribute('http.route', route);
        }
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        if (errorType !== undefined) {
          span.setAttribute('error.type', errorType);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
      if (instruments !== undefined) {
        const attributes: Attributes = { 'http.request.method': method, 'url.scheme': 'http', 'network.protocol.version': req.httpVersion };
        if (route !== undefined) attributes['http.route'] = route;
        if (status !== undefined) attributes['http.response.status_code'] = status;
        if (errorType !== undefined) attributes['error.type'] = errorType;
        instruments.serverDuration.record((performance.now() - started) / 1000, attributes);
      }
    });
    void context.with(ctx, () => this.#handle(req, res));
  }

  /** The low-cardinality route of a request (`/topics/{topic}`, a bridge's own path), for `http.route`. */
  #routeOf(url: string | undefined): string | undefined {
    let path: string;
    try {
      path = pathOf(url ?? '/');
    } catch {
      return undefined;
    }
    if (this.#paths.has(path)) return path;
    const matched = matchRoute(path)?.route;
    return matched === undefined || matched.kind === 'endpoint' ? undefined : matched.path;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // Inside the try: a target `new URL` rejects is the client's error, answered 400 (it crashed the process).
      const path = pathOf(req.url ?? '/');
      let fixed = matchRoute(path);
      // A bridge's own sourceEndpoint path wins over /topics/… (as before the route table).
      if (fixed && (fixed.route.kind === 'topic' || fixed.route.kind === 'partition') && this.#paths.has(path))
        fixed = undefined;
      const route = fixed?.route;
      if (route && !route.methods.includes(req.method as 'GET')) {
        // Known path, wrong method: say so before looking for a bridge (a GET on /topics/x is 405, not 404).
        if (route.kind === 'topic' || route.kind === 'partition') this.#destination(path, route, fixed?.params ?? []);
        return this.#notAllowed(res, req.method, path, route.methods);
      }
      switch (route?.kind) {
        case 'health':
          return this.#send(res, 200, { status: 'ok' });
        case 'healthy':
          return this.#sendEmpty(res, 204);
        case 'ready':
          return this.#ready(res);
        case 'metrics':
          return this.#metrics(res);
        case 'openapi':
          return this.#send(res, 200, ingressOpenApi([...this.#paths.keys()]));
        default:
          break;
      }
      const destination = this.#destination(path, route, fixed?.params ?? []);
      const { bridge, topic } = destination;
      if (req.method !== 'POST') return this.#notAllowed(res, req.method, path, ['POST']);
      const async = asyncParameter(req.url ?? '/');
      // Refused early when full, so an overloaded ingress does not read bodies it will not deliver.
      if (this.#inFlight >= this.#options.maxInFlight) {
        req.resume();
        throw this.#overloaded();
      }
      if (!bridge.accepting()) throw new BridgeStoppedError(bridge.bridgeId);
      if (this.#options.authenticate) {
        await this.#options.authenticate({
          method: req.method,
          path,
          headers: req.headers,
          bridgeName: bridge.name,
          ...(topic !== undefined ? { topic } : {}),
        });
      }
      const requestKey = clientIdempotencyKey(req);
      const records = await this.#validated(destination.bridge, await this.#readRecords(req, destination));
      // The slot is taken only once the body is in: a client that stalls its body holds no slot
      // (it ends at bodyIdleTimeoutMs or requestTimeoutMs).
      if (this.#inFlight >= this.#options.maxInFlight) throw this.#overloaded();
      this.#inFlight += 1;
      try {
        await (async
          ? this.#deliverAsync(res, bridge, records, path, requestKey)
          : this.#deliver(res, bridge, records, path, requestKey));
      } finally {
        this.#inFlight -= 1;
      }
    } catch (error) {
      if (!req.complete) req.resume();
      this.#fail(res, error);
    }
  }

  #overloaded(): BridgeOverloadedError {
    return new BridgeOverloadedError(
      'ingress in-flight requests',
      this.#options.maxInFlight,
      this.#options.retryAfterSeconds * 1000,
      'ingress-in-flight',
    );
  }

  /**
   * Answers what Node's HTTP parser refuses, and its header and request timeouts, with the same
   * typed JSON as every other error (Node's own answer has no body).
   */
  #clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const current = this.#requests.get(socket);
    const answering = current !== undefined && !current.res.writableFinished;
    // The failing bytes follow a complete request still being answered: that answer goes out first
    // (it may report an accepted record), then the error, then the connection closes.
    if (answering && current.req.complete) {
      current.res.once('close', () =>
        socket.writable ? this.#clientError(error, socket) : socket.destroy(),
      );
      return;
    }
    if (answering && current.res.headersSent) {
      socket.destroy();
      return;
    }
    let failure: Error & { code: string };
    let status: number;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      failure = answering
        ? new BridgeRequestTimeoutError('the request', this.#options.requestTimeoutMs, 'requestTimeoutMs')
        : new BridgeRequestTimeoutError(
            'request headers',
            this.#options.headersTimeoutMs,
            'headersTimeoutMs',
          );
      status = 408;
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      failure = new BridgeBadRequestError(
        `request line and headers exceed maxHeaderBytes (${this.#options.maxHeaderBytes} bytes)`,
        error,
      );
      status = 431;
    } else {
      const reason = (error as { reason?: unknown }).reason;
      failure = new BridgeBadRequestError(
        `request is not valid HTTP/1.1: ${typeof reason === 'string' ? reason : error.message}`,
        error,
      );
      status = 400;
    }
    this.#answerRaw(socket, status, failure.code, failure.message);
  }

  /** Writes a typed JSON error straight to a socket Node's HTTP server has handed over, then closes it. */
  #answerRaw(socket: Duplex, status: number, code: string, message: string, extraHeaders = ''): void {
    this.#count(status);
    const text = JSON.stringify({ error_code: status, code, message });
    // Written then destroyed, as Node's own handler does: the parser cannot go on with this connection.
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extraHeaders}connection: close\r\n\r\n${text}`,
    );
    socket.destroy();
  }

  #notAllowed(res: ServerResponse, method: string | undefined, path: string, allowed: readonly string[]): void {
    res.setHeader('allow', allowed.join(', '));
    this.#send(res, 405, {
      error_code: 405,
      code: 'BRIDGE_ROUTE_NOT_FOUND',
      message: `method ${method} not allowed on ${path}`,
    });
  }

  /**
   * The bridge (and partition) a produce request goes to.
   * @throws BridgeRouteNotFoundError when no bridge serves it; BridgeBadRequestError for a bad topic or partition
   */
  #destination(path: string, route: IngressRoute | undefined, params: readonly string[]): Destination {
    const direct = this.#paths.get(path);
    if (direct) return { bridge: direct };
    if ((route?.kind === 'topic' || route?.kind === 'partition') && params[0]) {
      let topic: string;
      try {
        topic = decodeURIComponent(params[0]);
      } catch (error) {
        // `%zz`, or escapes that are not UTF-8 (`%e0%a4`): the client's mistake, not ours (was a 500).
        throw new BridgeBadRequestError(
          `request target ${showTarget(path)} has invalid percent-encoding`,
          error,
        );
      }
      let partition: number | undefined;
      if (route.kind === 'partition') {
        const text = params[1] ?? '';
        partition = /^(?:0|[1-9]\d{0,9})$/.test(text) ? Number(text) : Number.NaN;
        if (!(partition <= MAX_PARTITION)) {
          throw new BridgeBadRequestError(
            `partition in ${showTarget(path)} must be an integer from 0 to ${MAX_PARTITION}, got ${showTarget(text)}`,
          );
        }
      }
      for (const bridge of this.#bridges) {
        if (bridge.config.targetTopic === topic)
          return { bridge, topic, ...(partition !== undefined ? { partition } : {}) };
      }
    }
    throw new BridgeRouteNotFoundError('POST', path);
  }

  async #readRecords(req: IncomingMessage, destination: Destination): Promise<IngressRecord[]> {
    const { bridge } = destination;
    const [mediaType = '', ...params] = (req.headers['content-type'] ?? '').split(';');
    const type = mediaType.trim().toLowerCase();
    const format = bridge.codec.format;
    // text.v2 and binary.v2 carry strings and bytes: taken where text/plain and octet-stream are, so
    // a value is never reinterpreted (a text value on a json bridge would become a JSON string).
    const bound = this.#binding(bridge) !== undefined;
    // A schema-bound topic takes JSON values only: that is what the validator checks against the schema.
    const accepted = bound
      ? JSON_TYPES
      : format === 'json'
        ? JSON_TYPES
        : format === 'text'
          ? new Set([...JSON_TYPES, TEXT_V2, ...TEXT_TYPES])
          : new Set([...JSON_TYPES, BINARY_V2, ...BYTES_TYPES]);
    if (!accepted.has(type)) throw new BridgeUnsupportedMediaTypeError(type || '(none)', [...accepted]);
    // Text is read as UTF-8 only; a body declared in another charset would be altered by reading it so.
    const charset = params
      .map((p) => /^\s*charset\s*=\s*"?([^"\s]*)"?\s*$/i.exec(p)?.[1]?.toLowerCase())
      .find((c) => c !== undefined);
    if (charset !== undefined && !UTF8_CHARSETS.has(charset) && !BYTES_TYPES.has(type)) {
      throw new BridgeUnsupportedMediaTypeError(
        `${type}; charset=${charset}`,
        [...accepted].map((t) => (BYTES_TYPES.has(t) ? t : `${t}; charset=utf-8`)),
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.#options.maxBodyBytes) {
      throw new BridgePayloadTooLargeError(this.#options.maxBodyBytes);
    }
    const body = await readBody(req, this.#options.maxBodyBytes, this.#options.bodyIdleTimeoutMs);
    const records = this.#parseRecords(body, type, bridge);
    return records.map((record) => withPartition(record, destination));
  }

  #parseRecords(body: Buffer, type: string, bridge: BridgeHandle): IngressRecord[] {
    if (BYTES_TYPES.has(type)) return [{ payload: new Uint8Array(body) }];
    const text = decodeUtf8(body);
    const embedding: Embedding = type === BINARY_V2 ? 'binary' : type === TEXT_V2 ? 'text' : 'json';
    if (TEXT_TYPES.has(type)) return [{ payload: text }];
    // The limit is the payload's (the codec's), and `{ records: [{ value }] }` puts a value three
    // levels down: a body deeper than the limit may still be a wrapper of values within it.
    const maxDepth = bridge.codec.maxJsonDepth;
    const deep = jsonDepthExceeds(text, maxDepth);
    let parsed: unknown;
    try {
      parsed = parseBoundedJson(text, deep ? maxDepth + RECORDS_WRAPPER_DEPTH : maxDepth);
    } catch (error) {
      throw malformed(error, maxDepth);
    }
    const wrapped =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'records' in parsed;
    if (deep && !wrapped) throw malformed(undefined, maxDepth);
    if (wrapped) {
      const records = (parsed as { records: unknown }).records;
      if (!Array.isArray(records) || records.length === 0) {
        throw new BridgeMalformedBodyError('`records` must be a non-empty array');
      }
      if (records.length > this.#options.maxRecords) {
        throw new BridgeMalformedBodyError(
          `\`records\` has ${records.length} entries, more than maxRecords ${this.#options.maxRecords}`,
        );
      }
      return records.map((record, index) => toRecord(record, index, embedding));
    }
    if (embedding !== 'json') {
      throw new BridgeMalformedBodyError(`a ${type} body must be { "records": [...] }`);
    }
    return [{ payload: parsed as ContextValue }];
  }

  async #deliver(
    res: ServerResponse,
    bridge: BridgeHandle,
    records: readonly Checked[],
    path: string,
    requestKey: string | undefined,
  ): Promise<void> {
    const only = records.length === 1 ? records[0] : undefined;
    if (only !== undefined && !('refused' in only)) {
      // One record (the common case): no settled-array bookkeeping.
      let result: BridgeResult;
      try {
        result = await bridge.send(toMessage(only, path), sendOptions(only, requestKey, 0, 1));
      } catch (error) {
        if (isBridgeError(error) && (error.code === 'BRIDGE_OVERLOADED' || error.code === 'BRIDGE_STOPPED'))
          throw error;
        this.#send(res, 207, { offsets: [describeError(error)] });
        return;
      }
      this.#send(res, result.success ? 200 : 207, { offsets: [describeResult(result)] });
      return;
    }
    const settled = await Promise.allSettled(
      records.map((record, index) =>
        'refused' in record
          ? Promise.resolve(record)
          : bridge.send(toMessage(record, path), sendOptions(record, requestKey, index, records.length)),
      ),
    );
    const overloaded = settled.find(
      (s): s is PromiseRejectedResult =>
        s.status === 'rejected' &&
        isBridgeError(s.reason) &&
        (s.reason.code === 'BRIDGE_OVERLOADED' || s.reason.code === 'BRIDGE_STOPPED'),
    );
    if (overloaded && settled.every((s) => s.status === 'rejected')) throw overloaded.reason;
    const offsets = settled.map((s) =>
      s.status === 'rejected'
        ? describeError(s.reason)
        : 'refused' in s.value
          ? s.value.refused
          : describeResult(s.value),
    );
    const allOk = settled.every((s) => s.status === 'fulfilled' && 'success' in s.value && s.value.success);
    this.#send(res, allOk ? 200 : 207, { offsets });
  }

  #binding(bridge: BridgeHandle): { topic: string; subject: string; version: number | 'latest' } | undefined {
    const topic = bridge.config.targetTopic;
    const binding = topic === undefined ? undefined : this.#schemas?.bindings[topic];
    return binding && topic !== undefined
      ? { topic, subject: binding.subject, version: binding.version ?? 'latest' }
      : undefined;
  }

  /** Records of a schema-bound topic, validated and serialized; the ones that do not match are refused. */
  async #validated(bridge: BridgeHandle, records: IngressRecord[]): Promise<Checked[]> {
    const binding = this.#binding(bridge);
    const schemas = this.#schemas;
    if (binding === undefined || schemas === undefined) return records;
    return Promise.all(
      records.map(async (record, index): Promise<Checked> => {
        const field = `records[${index}].value`;
        let result;
        try {
          result = await schemas.validate({ ...binding, value: record.payload });
        } catch (error) {
          return { refused: describeError(error) };
        }
        if ('bytes' in result && result.bytes instanceof Uint8Array) return { ...record, payload: result.bytes };
        const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors.map(String) : [];
        return {
          refused: {
            success: false,
            error_code: 422,
            code: 'BRIDGE_INVALID_MESSAGE',
            message: `\`${field}\` does not match subject '${binding.subject}' (version ${binding.version}): ${errors.join('; ') || 'the validator gave neither bytes nor errors'}`,
            errors,
          },
        };
      }),
    );
  }

  /**
   * `async=true`: hands every record to the bridge and answers without waiting for delivery. 204 when
   * every record was taken; a record the bridge refused at once (overloaded, stopped, invalid) is
   * reported as in a sync answer (207), the others as `{ queued: true }`.
   */
  async #deliverAsync(
    res: ServerResponse,
    bridge: BridgeHandle,
    records: readonly Checked[],
    path: string,
    requestKey: string | undefined,
  ): Promise<void> {
    const refused: unknown[] = records.map(() => undefined);
    const sends = records.map((record, index) =>
      'refused' in record
        ? Promise.resolve()
        : bridge.send(toMessage(record, path), sendOptions(record, requestKey, index, records.length)).then(
        () => undefined,
        (error: unknown) => {
          refused[index] = error ?? new Error('refused');
        },
      ),
    );
    // The bridge refuses synchronously (before its queue); one turn of the event loop lets those
    // rejections land without waiting for any delivery.
    await new Promise<void>((resolve) => setImmediate(resolve));
    void Promise.all(sends);
    const failures = refused.filter((e) => e !== undefined);
    const invalid = records.some((r) => 'refused' in r);
    if (failures.length === 0 && !invalid) return this.#sendEmpty(res, 204);
    const fatal = failures.find(
      (e) => isBridgeError(e) && (e.code === 'BRIDGE_OVERLOADED' || e.code === 'BRIDGE_STOPPED'),
    );
    if (fatal !== undefined && failures.length === records.length) throw fatal;
    this.#send(res, 207, {
      offsets: refused.map((error, index) => {
        const record = records[index];
        if (record !== undefined && 'refused' in record) return record.refused;
        return error === undefined ? { queued: true } : describeError(error);
      }),
    });
  }

  #ready(res: ServerResponse): void {
    const notReady = [...this.#bridges].filter((b) => !b.accepting()).map((b) => b.name);
    const full = this.#inFlight >= this.#options.maxInFlight;
    const ready = this.#server !== undefined && this.#bridges.size > 0 && notReady.length === 0 && !full;
    if (!ready) res.setHeader('retry-after', String(this.#options.retryAfterSeconds));
    this.#send(res, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not_ready',
      bridges: [...this.#bridges].map((b) => ({ name: b.name, accepting: b.accepting() })),
      inFlight: this.#inFlight,
    });
  }

  #metrics(res: ServerResponse): void {
    const bridges = [...this.#bridges].map((b) => ({
      name: b.name,
      status: b.status(),
      metrics: b.metrics(),
    }));
    const per = (pick: (b: (typeof bridges)[number]) => number) =>
      bridges.map((b) => ({ labels: { bridge: b.name }, value: pick(b) }));
    const families: PrometheusFamily[] = [
      {
        name: 'onex_bridge_ingress_requests_total',
        help: 'Ingress requests answered, by status code.',
        type: 'counter',
        samples: [...this.#byStatus].map(([code, value]) => ({ labels: { code: String(code) }, value })),
      },
      {
        name: 'onex_bridge_ingress_in_flight',
        help: 'Ingress requests being processed.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.#inFlight }],
      },
      {
        name: 'onex_bridge_messages_in_total',
        help: 'Messages received by the bridge.',
        type: 'counter',
        samples: per((b) => b.metrics.messagesIn),
      },
      {
        name: 'onex_bridge_messages_out_total',
        help: 'Deliveries that succeeded.',
        type: 'counter',
        samples: per((b) => b.metrics.messagesOut),
      },
      {
        name: 'onex_bridge_messages_failed_total',
        help: 'Messages whose delivery failed.',
        type: 'counter',
        samples: per((b) => b.status.messagesFailed),
      },
      {
        name: 'onex_bridge_dead_letters_total',
        help: 'Messages sent to the dead-letter target.',
        type: 'counter',
        samples: per((b) => b.metrics.dlqCount),
      },
      {
        name: 'onex_bridge_retries_total',
        help: 'Delivery retries.',
        type: 'counter',
        samples: per((b) => b.metrics.retries),
      },
      {
        name: 'onex_bridge_rule_errors_total',
        help: 'Routing expression evaluations that failed.',
        type: 'counter',
        samples: per((b) => b.metrics.ruleEvaluationErrors),
      },
      {
        name: 'onex_bridge_unmatched_total',
        help: 'Messages no routing rule matched.',
        type: 'counter',
        samples: per((b) => b.metrics.unmatched),
      },
      {
        name: 'onex_bridge_in_flight',
        help: 'Messages waiting or being delivered.',
        type: 'gauge',
        samples: per((b) => b.status.inFlight),
      },
      {
        name: 'onex_bridge_latency_p50_ms',
        help: 'Median end-to-end latency in ms.',
        type: 'gauge',
        samples: per((b) => b.metrics.latency.p50Ms),
      },
      {
        name: 'onex_bridge_latency_p99_ms',
        help: '99th percentile end-to-end latency in ms.',
        type: 'gauge',
        samples: per((b) => b.metrics.latency.p99Ms),
      },
      {
        name: 'onex_bridge_route_deliveries_total',
        help: 'Deliveries per route.',
        type: 'counter',
        samples: bridges.flatMap((b) =>
          Object.entries(b.metrics.perRoute).map(([route, value]) => ({
            labels: { bridge: b.name, route },
            value,
          })),
        ),
      },
    ];
    this.#count(200);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(renderPrometheus(families));
  }

  #fail(res: ServerResponse, error: unknown): void {
    const code = isBridgeError(error) ? error.code : 'INTERNAL';
    let status = STATUS_BY_CODE[code] ?? 500;
    // The ingress's own in-flight cap asks the client to slow down (429); a full bridge queue is a
    // temporary unavailability of the service behind it (503).
    if (code === 'BRIDGE_OVERLOADED' && (error as BridgeOverloadedError).reason !== 'ingress-in-flight')
      status = 503;
    if (status === 429 || status === 503)
      res.setHeader('retry-after', String(this.#options.retryAfterSeconds));
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    // The rest of the request is not read, so the connection cannot carry another one.
    if (status === 413 || status === 408) res.setHeader('connection', 'close');
    this.#send(res, status, {
      error_code: status,
      code,
      message: status === 500 ? 'internal error' : (error as Error).message,
    });
  }

  #send(res: ServerResponse, status: number, body: unknown): void {
    // Gone: `clientError` answered on the socket already, or the client left.
    if (res.socket?.destroyed === true) return;
    this.#count(status);
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #sendEmpty(res: ServerResponse, status: number): void {
    if (res.socket?.destroyed === true) return;
    this.#count(status);
    if (res.headersSent) return;
    res.writeHead(status);
    res.end();
  }

  #count(status: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
  }
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BRIDGE_BAD_REQUEST: 400,
  BRIDGE_REQUEST_TIMEOUT: 408,
  BRIDGE_MALFORMED_BODY: 400,
  BRIDGE_INVALID_MESSAGE: 400,
  BRIDGE_FORMAT: 400,
  BRIDGE_UNAUTHORIZED: 401,
  BRIDGE_FORBIDDEN: 403,
  BRIDGE_ROUTE_NOT_FOUND: 404,
  BRIDGE_PAYLOAD_TOO_LARGE: 413,
  BRIDGE_UNSUPPORTED_MEDIA_TYPE: 415,
  BRIDGE_OVERLOADED: 429,
  BRIDGE_STOPPED: 503,
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A body as UTF-8 text, refused rather than repaired with U+FFFD (a byte order mark is kept as sent).
 * @throws BridgeFormatError when the bytes are not valid UTF-8
 */
function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch (error) {
    throw new BridgeFormatError('request body is not valid UTF-8', error);
  }
}

/** A JSON body the bounded parser refused (or `undefined` for too deep), as a malformed-body error that says why. */
function malformed(error: unknown, maxDepth: number): BridgeMalformedBodyError {
  const cause = (error as { cause?: Error } | undefined)?.cause;
  if (cause?.name === 'SyntaxError')
    return new BridgeMalformedBodyError(`request body is not valid JSON: ${cause.message}`, error);
  return new BridgeMalformedBodyError(
    `request body is nested deeper than ${maxDepth} levels (the bridge's maxJsonDepth)`,
    error,
  );
}

/**
 * The request body, up to `limit` bytes.
 * @throws BridgePayloadTooLargeError past `limit`; BridgeRequestTimeoutError when no bytes come for `idleMs`
 */
function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(
      () => fail(new BridgeRequestTimeoutError('a pause in the request body', idleMs, 'bodyIdleTimeoutMs')),
      idleMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', fail);
      req.off('close', onClose);
    };
    function fail(error: unknown) {
      cleanup();
      reject(error);
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(new BridgePayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
      timer.refresh();
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    // A connection closed mid-body (by the client, or by a request timeout) must not leave this pending.
    const onClose = () =>
      fail(new BridgeBadRequestError('the connection closed before the request body was complete'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', fail);
    req.once('close', onClose);
  });
}

/**
 * The `async` query parameter of a produce request (Strimzi's): true answers before delivery.
 * @throws BridgeBadRequestError when it is given but is not `true` or `false`
 */
function asyncParameter(target: string): boolean {
  const query = target.indexOf('?');
  if (query === -1) return false;
  const values = new URLSearchParams(target.slice(query + 1)).getAll('async');
  if (values.length === 0) return false;
  if (values.length > 1 || (values[0] !== 'true' && values[0] !== 'false')) {
    throw new BridgeBadRequestError(
      `query parameter async must be true or false (once), got ${showTarget(values.join('&'))}`,
    );
  }
  return values[0] === 'true';
}

/**
 * Path of a request target: the origin form read as is when `new URL` would not change it.
 * @throws BridgeBadRequestError when the target is not a URL or has invalid percent-encoding
 */
function pathOf(target: string): string {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return path;
  let pathname: string;
  try {
    pathname = new URL(target, 'http://ingress').pathname;
  } catch (error) {
    throw new BridgeBadRequestError(`request target ${showTarget(target)} is not a valid path or URL`, error);
  }
  if (BAD_PERCENT.test(pathname))
    throw new BridgeBadRequestError(`request target ${showTarget(target)} has invalid percent-encoding`);
  return pathname;
}

/** A request target for an error message: quoted and cut short (it is attacker-controlled). */
function showTarget(target: string): string {
  return JSON.stringify(target.length > 200 ? `${target.slice(0, 200)}…` : target);
}

const PLAIN_PATH = /^\/[\w\-.~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

function toMessage(record: IngressRecord, path: string): ProtocolBridgeMessage {
  return {
    payload: record.payload,
    ...(record.headers ? { headers: record.headers } : {}),
    ...(record.key !== undefined ? { key: record.key } : {}),
    metadata: { source: 'http', path },
  };
}

/**
 * The client's own `Idempotency-Key` header, which its retries of the request repeat.
 * @throws BridgeBadRequestError when it cannot be sent on as an idempotency key
 */
function clientIdempotencyKey(req: IncomingMessage): string | undefined {
  const value: unknown = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  const problem = idempotencyKeyProblem(value);
  if (problem !== undefined) throw new BridgeBadRequestError(`the Idempotency-Key header ${problem}`);
  return value as string;
}

/** A record's idempotency key: its `id`, else the request's key (suffixed `/<index>` when the request has several records). */
function sendOptions(
  record: IngressRecord,
  requestKey: string | undefined,
  index: number,
  count: number,
): BridgeSendOptions | undefined {
  const key =
    record.id ?? (requestKey === undefined ? undefined : count === 1 ? requestKey : `${requestKey}/${index}`);
  if (key === undefined && record.partition === undefined) return undefined;
  return {
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
  };
}

/** Largest Kafka partition number (an int32). */
const MAX_PARTITION = 2 ** 31 - 1;
/** Canonical, padded base64 (RFC 4648 §4); Buffer.from alone skips bad characters instead of refusing them. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The bytes of a base64 field of a binary.v2 record.
 * @throws BridgeMalformedBodyError when it is not a string of padded base64
 */
function base64Field(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string') {
    throw new BridgeMalformedBodyError(`\`${field}\` must be a base64 string, got ${value === null ? 'null' : typeof value}`);
  }
  if (!BASE64.test(value)) {
    throw new BridgeMalformedBodyError(
      `\`${field}\` is not valid base64 (RFC 4648, padded; ${value.length} characters)`,
    );
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * A record with the request's partition applied.
 * @throws BridgeMalformedBodyError when both name one; BridgeBadRequestError when the bridge's target is not Kafka
 */
function withPartition(record: IngressRecord, destination: Destination): IngressRecord {
  if ((record.partition ?? destination.partition) !== undefined && destination.bridge.targetProtocol !== 'kafka') {
    // Only Kafka targets can honour it; dropping it silently would misplace the record.
    throw new BridgeBadRequestError(
      `bridge '${destination.bridge.name}' delivers to '${destination.bridge.targetProtocol}', not Kafka, so a partition cannot be honoured`,
    );
  }
  if (destination.partition !== undefined) {
    if (record.partition !== undefined) {
      throw new BridgeMalformedBodyError(
        `a record may not name a partition on /topics/{topic}/partitions/{partition} (the path names ${destination.partition})`,
      );
    }
    return { ...record, partition: destination.partition };
  }
  return record;
}

function toRecord(record: unknown, index: number, embedding: Embedding): IngressRecord {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new BridgeMalformedBodyError(
      `\`records[${index}]\` must be an object with a value, got ${Array.isArray(record) ? 'an array' : String(record)}`,
    );
  }
  const r = record as Record<string, unknown>;
  let payload = 'value' in r ? r['value'] : r['payload'];
  if (payload === undefined) throw new BridgeMalformedBodyError(`\`records[${index}].value\` is required`);
  let key = r['key'];
  if (embedding === 'binary') {
    payload = base64Field(payload, `records[${index}].value`);
    if (key !== undefined && key !== null) {
      const bytes = base64Field(key, `records[${index}].key`);
      try {
        key = strictUtf8.decode(bytes);
      } catch (error) {
        // Bridge keys are strings; repairing the bytes would change which partition the key hashes to.
        throw new BridgeMalformedBodyError(`\`records[${index}].key\` decodes to bytes that are not UTF-8`, error);
      }
    }
  } else if (embedding === 'text' && typeof payload !== 'string') {
    throw new BridgeMalformedBodyError(
      `\`records[${index}].value\` must be a string in a text.v2 body, got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`,
    );
  }
  if (key !== undefined && key !== null && typeof key !== 'string') {
    throw new BridgeMalformedBodyError(`\`records[${index}].key\` must be a string, got ${typeof key}`);
  }
  const partition = r['partition'];
  if (
    partition !== undefined &&
    (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > MAX_PARTITION)
  ) {
    throw new BridgeMalformedBodyError(
      `\`records[${index}].partition\` must be an integer from 0 to ${MAX_PARTITION}, got ${JSON.stringify(partition) ?? typeof partition}`,
    );
  }
  const headers = r['headers'];
  let mapped: Record<string, string> | undefined;
  if (headers !== undefined) {
    mapped = {};
    // Strimzi sends headers as [{ key, value }]; a plain object is accepted too.
    const entries: [unknown, unknown][] = Array.isArray(headers)
      ? headers.map((h) => [(h as { key?: unknown })?.key, (h as { value?: unknown })?.value])
      : typeof headers === 'object' && headers !== null
        ? Object.entries(headers)
        : [[undefined, undefined]];
    for (const [name, value] of entries) {
      if (typeof name !== 'string' || typeof value !== 'string') {
        throw new BridgeMalformedBodyError(`\`records[${index}].headers\` must hold string names and values`);
      }
      mapped[name] = value;
    }
  }
  const id = r['id'];
  if (id !== undefined) {
    if (typeof id !== 'string') {
      throw new BridgeMalformedBodyError(`\`records[${index}].id\` must be a string, got ${typeof id}`);
    }
    const problem = idempotencyKeyProblem(id);
    if (problem !== undefined) throw new BridgeMalformedBodyError(`\`records[${index}].id\` ${problem}`);
  }
  return {
    payload: payload as ContextValue,
    ...(typeof key === 'string' ? { key } : {}),
    ...(mapped ? { headers: mapped } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(typeof partition === 'number' ? { partition } : {}),
  };
}

function describeResult(result: BridgeResult): Record<string, unknown> {
  const out: Record<string, unknown> = { success: result.success, attempts: result.attempts };
  if (result.messageId !== undefined) out['messageId'] = result.messageId;
  if (result.target !== undefined) out['target'] = result.target;
  // From the target's structured receipt: a webhook's `x-message-id: a/1/2` is an id, not a position.
  const kafka = result.success ? result.receipt?.kafka : undefined;
  if (kafka) {
    out['partition'] = kafka.partition;
    out['offset'] = kafka.offset;
  }
  if (!result.success) {
    out['error_code'] = result.deadLettered ? 202 : 500;
    out['code'] = result.error?.code;
    out['message'] = result.error?.message;
    if (result.deadLettered) out['deadLettered'] = true;
  }
  return out;
}

function describeError(error: unknown): Record<string, unknown> {
  const code = isBridgeError(error) ? error.code : 'INTERNAL';
  return {
    success: false,
    error_code: STATUS_BY_CODE[code] ?? 500,
    code,
    message: (error as Error)?.message ?? String(error),
  };
}
