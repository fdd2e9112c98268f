import type { ProtocolHttpResponse } from '@onex/spi-types';
import { HttpInvalidJsonError } from './errors/http-errors.js';

/** Fields of a response built by hand (e.g. by a request interceptor that short-circuits). */
export interface HttpResponseInit {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Headers; names are lower-cased. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Body as bytes or text (encoded as UTF-8). @default empty */
  readonly body?: Uint8Array | string;
  /** URL the response belongs to. @default '' */
  readonly url?: string;
  /** Wall time in ms. @default 0 */
  readonly elapsedMs?: number;
  /** Attempts made. @default 0 for a synthetic response */
  readonly attempts?: number;
}

const EMPTY = new Uint8Array(0);

/** A complete, buffered HTTP response (status, lower-case headers, body bytes, timing and attempts). */
export class HttpResponse implements ProtocolHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly url: string;
  readonly elapsedMs: number;
  readonly attempts: number;

  constructor(init: HttpResponseInit) {
    this.statusCode = init.statusCode;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    this.headers = headers;
    this.body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : (init.body ?? EMPTY);
    this.url = init.url ?? '';
    this.elapsedMs = init.elapsedMs ?? 0;
    this.attempts = init.attempts ?? 0;
  }

  /** True for 2xx status codes. */
  get ok(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  /** The body decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): string {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('utf8');
  }

  /**
   * The body parsed as JSON.
   * @throws HttpInvalidJsonError (`HTTP_INVALID_JSON`) when the body is not valid JSON.
   */
  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text()) as T;
    } catch (cause) {
      throw new HttpInvalidJsonError(this.url, { cause, details: { statusCode: this.statusCode } });
    }
  }

  /** A copy with different timing/attempt figures (used when the client finalises a response). */
  withCall(url: string, elapsedMs: number, attempts: number): HttpResponse {
    return new HttpResponse({ statusCode: this.statusCode, headers: this.headers, body: this.body, url: this.url || url, elapsedMs, attempts });
  }
}
