import type { ProtocolBridgeConfig, ProtocolEndpointHealth, ProtocolHttpClient, ProtocolHttpResponse } from '@onex/spi-types';
import type { Context, Span } from '@opentelemetry/api';
import { BridgeConfigError, BridgeError, BridgeInvalidMessageError } from '../errors/bridge-errors.js';
import type { IngressServer } from '../ingress/ingress-server.js';
import { activeTracer, context, failSpan, SpanKind, suppressedTracing, trace, webhookAttributes, withTraceHeaders } from '../internal/otel.js';
import type { BridgeAdapter, BridgeHandle, BridgeSource, BridgeTarget, OutboundMessage } from './bridge-adapter.js';
import { describeValue } from '@onex/spi-types/support';
import { bridgeCheck } from '../internal/bridge-check.js';

/** Options of {@link HttpAdapter}. */
export interface HttpAdapterOptions {
  /** Client for webhook deliveries (needed for http targets). */
  readonly client?: ProtocolHttpClient;
  /** Ingress server that http sources register on (needed for http sources). */
  readonly ingress?: IngressServer;
  /** Total deadline of one webhook attempt, in seconds. @default 10 */
  readonly timeoutSeconds?: number;
  /** Headers sent with every webhook request (`Authorization`, …); they win over any record header of the same name. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Which layer retries a failed webhook delivery, so that the two never multiply: `'bridge'` turns
   * the client's retries off (`configureRetryPolicy` with `maxRetries: 0`, when the first target is
   * created; give the adapter a client of its own) and the bridge's `retryPolicy` applies;
   * `'client'` leaves the client's policy in force and the bridge makes one call per message.
   * @default 'bridge'
   */
  readonly retries?: 'bridge' | 'client';
}

/** The policy that turns an HTTP client's retries off, so the bridge's own are the only ones. */
const NO_CLIENT_RETRIES = { maxRetries: 0, backoffFactor: 0, retryOnStatusCodes: [] } as const;

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters a header value may hold (RFC 9110 field-value: HTAB, SP, VCHAR, obs-text). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Record headers never sent to a webhook: hop-by-hop and framing headers, which belong to the
 * connection the record arrived on (RFC 9110 §7.6.1), and credentials, which belong to the client
 * that sent it. Names listed in a record's own `Connection` header are dropped too.
 */
const NEVER_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);

/**
 * HTTP through injected SPI pieces: as a target it POSTs each message to a webhook through a
 * `ProtocolHttpClient` (with an `Idempotency-Key` per delivery, kept across retries); as a source
 * it serves the bridge on an {@link IngressServer}.
 */
export class HttpAdapter implements BridgeAdapter {
  readonly protocol = 'http';
  readonly #client: ProtocolHttpClient | undefined;
  readonly #ingress: IngressServer | undefined;
  readonly #timeoutSeconds: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #retries: 'bridge' | 'client';
  #clientRetriesOff: Promise<unknown> | undefined;

  /** @throws BridgeConfigError when neither client nor ingress is given, or an option is invalid */
  constructor(options: HttpAdapterOptions) {
    if (options?.client !== undefined && typeof options.client.post !== 'function') {
      throw new BridgeConfigError('`client` must implement ProtocolHttpClient (post missing)');
    }
    if (!options?.client && !options?.ingress) {
      throw new BridgeConfigError('`client` (for targets) or `ingress` (for sources) must be given, got neither');
    }
    const timeout = options.timeoutSeconds ?? 10;
    if (typeof timeout !== 'number' || !(timeout > 0)) {
      throw bridgeCheck.fail(`timeoutSeconds`, `a positive number`, timeout);
    }
    this.#client = options.client;
    this.#ingress = options.ingress;
    this.#timeoutSeconds = timeout;
    this.#headers = configuredHeaders(options.headers);
    const retries = options.retries ?? 'bridge';
    if (retries !== 'bridge' && retries !== 'client') {
      throw bridgeCheck.fail(`retries`, `'bridge' or 'client'`, retries);
    }
    this.#retries = retries;
  }

  /** The ingress server, when configured. */
  get ingress(): IngressServer | undefined {
    return this.#ingress;
  }

  validate(config: ProtocolBridgeConfig, role: 'source' | 'target'): void {
    if (role === 'source') {
      if (!this.#ingress) throw new BridgeConfigError('the http adapter has no `ingress` server, so it cannot be a source');
      if (config.sourceEndpoint === undefined && config.targetTopic === undefined) {
        throw new BridgeConfigError('`sourceEndpoint` (a path or URL) or `targetTopic` (for /topics/{topic}) must be set for an http source');
      }
      if (config.sourceEndpoint !== undefined) pathOf(config.sourceEndpoint);
    } else {
      if (!this.#client) throw new BridgeConfigError('the http adapter has no `client`, so it cannot be a target');
      if (config.targetEndpoint !== undefined) absoluteUrl(config.targetEndpoint, 'targetEndpoint');
    }
  }

  createSource(bridge: BridgeHandle): BridgeSource {
    const ingress = this.#ingress!;
    const path = bridge.config.sourceEndpoint !== undefined ? pathOf(bridge.config.sourceEndpoint) : undefined;
    return {
      start: async () => {
        if (path !== undefined) ingress.register(bridge, path);
        else ingress.register(bridge, `/topics/${encodeURIComponent(bridge.config.targetTopic ?? '')}`);
        await ingress.listen();
      },
      stop: async () => ingress.unregister(bridge),
      check: async (): Promise<ProtocolEndpointHealth> => {
        try {
          return { reachable: true, detail: `ingress on ${ingress.address().url}${path ?? ''}` };
        } catch (error) {
          return { reachable: false, detail: (error as Error).message };
        }
      },
    };
  }

  async createTarget(bridge: BridgeHandle): Promise<BridgeTarget> {
    const client = this.#client!;
    const timeoutSeconds = this.#timeoutSeconds;
    const configured = this.#headers;
    // The Idempotency-Key makes a POST retryable for a client with retries, and each of the bridge's
    // attempts would then be several: one layer retries, never both.
    const bridgeRetries = this.#retries === 'bridge';
    if (bridgeRetries) {
      this.#clientRetriesOff ??= client.configureRetryPolicy(NO_CLIENT_RETRIES).catch((error: unknown) => {
        this.#clientRetriesOff = undefined;
        throw new BridgeConfigError(`could not turn the HTTP client's retries off (retries: 'bridge'): ${(error as Error)?.message ?? String(error)}`, { cause: error });
      });
      await this.#clientRetriesOff;
    }
    return {
      deliver: async (destination: string, message: OutboundMessage, signal: AbortSignal, attempt = 1) => {
        const url = absoluteUrl(destination, 'target endpoint');
        const own: Record<string, string> = {
          ...configured,
          'content-type': message.contentType,
          'idempotency-key': message.deliveryId,
        };
        if (message.key !== null) own['x-onex-key'] = message.key;
        let headers = webhookHeaders(message.headers, own, message.deadLetter === true);
        // With retries: 'bridge' each bridge attempt is one request, so the bridge makes its CLIENT span
        // (resend_count = attempt - 1) and the client, told to stay quiet, makes none; with 'client'
        // the client's own spans count its attempts.
        const tracer = bridgeRetries && bridge.telemetry !== false ? activeTracer() : undefined;
        let span: Span | undefined;
        let callContext: Context | undefined;
        if (tracer !== undefined) {
          const parent = context.active();
          span = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: webhookAttributes(new URL(url), attempt - 1) }, parent);
          const spanContext = trace.setSpan(parent, span);
          headers = withTraceHeaders(spanContext, headers);
          callContext = suppressedTracing(spanContext);
        }
        const post = (): Promise<ProtocolHttpResponse> => client.post(url, { data: message.body, headers, timeoutSeconds, signal });
        let response;
        try {
          response = await (callContext === undefined ? post() : context.with(callContext, post));
        } catch (error) {
          if (span !== undefined) {
            failSpan(span, errorCode(error), (error as Error)?.message ?? String(error));
            span.end();
          }
          if (bridgeRetries) throw error;
          throw new BridgeError('BRIDGE_DELIVERY_FAILED', `webhook ${url} failed: ${(error as Error)?.message ?? String(error)}`, {
            cause: error,
            details: { retryable: false },
          });
        }
        if (span !== undefined) {
          span.setAttribute('http.response.status_code', response.statusCode);
          if (response.statusCode >= 400) failSpan(span, String(response.statusCode), `webhook answered ${response.statusCode}`);
          span.end();
        }
        if (!response.ok) {
          // With retries: 'client' the client has retried already; the bridge does not retry on top.
          const retryable = bridgeRetries && RETRYABLE_STATUS.has(response.statusCode);
          throw new BridgeError('BRIDGE_DELIVERY_FAILED', `webhook ${url} answered ${response.statusCode}`, {
            details: { statusCode: response.statusCode, retryable, clientAttempts: response.attempts },
          });
        }
        return { messageId: response.headers['x-message-id'] ?? message.deliveryId };
      },
      check: async (): Promise<ProtocolEndpointHealth> => {
        const endpoint = bridge.config.targetEndpoint;
        if (!endpoint) return { reachable: true, detail: 'no default endpoint to probe' };
        try {
          const response = await client.request('HEAD', endpoint, { timeoutSeconds: Math.min(5, timeoutSeconds) });
          return { reachable: true, detail: `HEAD ${endpoint} answered ${response.statusCode}` };
        } catch (error) {
          return { reachable: false, detail: (error as Error).message };
        }
      },
      close: async () => undefined,
    };
  }
}

/**
 * The record headers that may reach a webhook, then the adapter's own headers, which win over a
 * record header of the same name in any letter case. A null-prototype object, so that a header
 * named `__proto__` is kept as a header. A dead-letter delivery leaves out the record headers HTTP
 * cannot carry and names them in `x-onex-dropped-headers`, since failing it would lose the message.
 * @throws BridgeInvalidMessageError (not retryable) when a record header name or value cannot be sent in HTTP
 */
function webhookHeaders(record: Readonly<Record<string, string>>, own: Readonly<Record<string, string>>, deadLetter: boolean): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  const unsendable: string[] = [];
  const names = Object.keys(record);
  const dropped = new Set<string>();
  for (const name of names) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const listed of (record[name] ?? '').split(',')) dropped.add(listed.trim().toLowerCase());
  }
  for (const key of Object.keys(own)) dropped.add(key.toLowerCase());
  for (const name of names) {
    const lower = name.toLowerCase();
    if (NEVER_FORWARDED.has(lower) || lower.startsWith('proxy-') || dropped.has(lower)) continue;
    const value = record[name] ?? '';
    if (deadLetter && (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value))) {
      unsendable.push(encodeURIComponent(name));
      continue;
    }
    if (!HEADER_NAME.test(name)) {
      throw new BridgeInvalidMessageError(`record header name ${describeValue(name)} is not a valid HTTP header name`, {
        details: { header: name, retryable: false },
      });
    }
    if (!HEADER_VALUE.test(value)) {
      throw new BridgeInvalidMessageError(`record header '${name}' has a character not allowed in an HTTP header value (CR, LF, NUL or another control character)`, {
        details: { header: name, retryable: false },
      });
    }
    out[name] = value;
  }
  for (const [name, value] of Object.entries(own)) out[name] = value;
  if (unsendable.length > 0) out['x-onex-dropped-headers'] = unsendable.join(',');
  return out;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

function configuredHeaders(headers: unknown): Readonly<Record<string, string>> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw bridgeCheck.fail(`headers`, `an object of header name to value`, headers);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new BridgeConfigError(`\`headers\` name ${describeValue(name)} is not a valid HTTP header name`);
    if (typeof value !== 'string') throw bridgeCheck.fail(`headers.${name}`, `a string`, value);
    if (!HEADER_VALUE.test(value)) {
      throw new BridgeConfigError(`\`headers.${name}\` has a character not allowed in an HTTP header value, got ${describeValue(value)}`);
    }
    out[name.toLowerCase()] = value;
  }
  return out;
}

function pathOf(endpoint: string): string {
  if (endpoint.startsWith('/')) return endpoint.split('?')[0]!;
  try {
    return new URL(endpoint).pathname;
  } catch (error) {
    throw new BridgeConfigError(`\`sourceEndpoint\` must be a path like '/events' or an http(s) URL, got ${describeValue(endpoint)}`, { cause: error });
  }
}

function absoluteUrl(endpoint: string, what: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new BridgeConfigError(`\`${what}\` must be an absolute http(s) URL, got ${describeValue(endpoint)}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bridgeCheck.fail(`${what}`, `an absolute http(s) URL`, endpoint);
  }
  return endpoint;
}
