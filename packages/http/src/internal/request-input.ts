import { describeValue } from '@onex/spi-types/support';
import type { ContextValue, ProtocolHttpBody, ProtocolHttpQueryParams } from '@onex/spi-types';
import { Readable } from 'node:stream';
import { HttpBodyNotReplayableError, HttpValidationError } from '../errors/http-errors.js';

/** Methods the client sends; anything else is rejected with `HTTP_INVALID_METHOD`. */
export const SUPPORTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_VALUE_CHARS = /[\r\n\0]/;

/**
 * Upper-cases and checks a method name.
 * @throws HttpValidationError (`HTTP_INVALID_METHOD`)
 */
export function normalizeMethod(method: unknown): string {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!SUPPORTED_METHODS.has(upper)) {
    throw new HttpValidationError(
      'HTTP_INVALID_METHOD',
      `\`method\` must be one of ${[...SUPPORTED_METHODS].join(', ')}, got ${describeValue(method)}`,
      { details: { method } },
    );
  }
  return upper;
}

/**
 * Resolves `url` (absolute, or relative to `baseUrl`) and appends `params` to its existing query.
 * @throws HttpValidationError (`HTTP_INVALID_URL`, `HTTP_INVALID_OPTION` for bad params)
 */
export function buildUrl(url: unknown, baseUrl: URL | undefined, params: ProtocolHttpQueryParams | undefined): URL {
  let parsed: URL;
  try {
    if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError('not a string');
    parsed = new URL(url, baseUrl);
  } catch (cause) {
    throw new HttpValidationError('HTTP_INVALID_URL', `\`url\` must be an absolute http(s) URL${baseUrl ? ` or a path relative to ${baseUrl.href}` : ''}, got ${describeValue(typeof url === 'object' && url !== null ? String(url) : url)}`, {
      cause,
      details: { url },
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpValidationError('HTTP_INVALID_URL', `\`url\` must use http: or https:, got ${describeValue(parsed.href)}`, {
      details: { url: parsed.href },
    });
  }
  if (parsed.username || parsed.password) {
    throw new HttpValidationError('HTTP_INVALID_URL', `\`url\` must not embed credentials; send an Authorization header instead, got ${describeValue(`${parsed.protocol}//***@${parsed.host}${parsed.pathname}`)}`, {
      details: { url: `${parsed.protocol}//${parsed.host}${parsed.pathname}` },
    });
  }
  if (params !== undefined) {
    const extra = new URLSearchParams();
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new HttpValidationError('HTTP_INVALID_OPTION', `\`params\` must be an object, got ${describeValue(params)}`, { details: { option: 'params' } });
    }
    for (const [key, value] of Object.entries(params)) {
      const values: readonly unknown[] = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (typeof item !== 'string' && typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) {
          throw new HttpValidationError(
            'HTTP_INVALID_OPTION',
            `\`params.${key}\` must be a string, finite number, boolean or an array of them, got ${describeValue(item)}`,
            { details: { option: `params.${key}`, value: item } },
          );
        }
        extra.append(key, String(item));
      }
    }
    const added = extra.toString();
    // Appending by hand keeps the caller's own query bytes exactly as given.
    if (added !== '') parsed.search = parsed.search.length > 1 ? `${parsed.search}&${added}` : added;
  }
  return parsed;
}

/**
 * Merges header sets (later wins, names compared case-insensitively) into lower-case names.
 * @throws HttpValidationError (`HTTP_INVALID_HEADER`) for a bad name or a value with CR, LF or NUL.
 */
export function mergeHeaders(...sets: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const set of sets) {
    if (set === undefined) continue;
    if (typeof set !== 'object' || set === null || Array.isArray(set)) {
      throw new HttpValidationError('HTTP_INVALID_HEADER', `\`headers\` must be an object of strings, got ${describeValue(set)}`);
    }
    for (const [name, value] of Object.entries(set)) {
      if (!TOKEN.test(name)) {
        throw new HttpValidationError('HTTP_INVALID_HEADER', `header name must be an HTTP token, got ${describeValue(name)}`, {
          details: { header: name },
        });
      }
      if (typeof value !== 'string') {
        throw new HttpValidationError('HTTP_INVALID_HEADER', `\`headers.${name}\` must be a string, got ${describeValue(value)}`, {
          details: { header: name },
        });
      }
      if (FORBIDDEN_VALUE_CHARS.test(value)) {
        throw new HttpValidationError('HTTP_INVALID_HEADER', `\`headers.${name}\` must not contain CR, LF or NUL, got ${describeValue(value)}`, {
          details: { header: name },
        });
      }
      merged[name.toLowerCase()] = value;
    }
  }
  return merged;
}

/** An encoded request body. */
export type EncodedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array | string; readonly length: number }
  | { readonly kind: 'stream'; readonly source: AsyncIterable<Uint8Array> };

const NO_BODY: EncodedBody = { kind: 'none' };

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function formValue(key: string, value: ContextValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  throw new HttpValidationError(
    'HTTP_INVALID_BODY',
    `\`data.${key}\` must be a string, number, boolean, null or an array of them to be form-encoded, got ${describeValue(value)}; use \`json\` for nested data`,
    { details: { field: key } },
  );
}

/**
 * Encodes `data` or `json` and sets a default `content-type` in `headers` (mutated) when the
 * caller did not give one. Mapping: `json` → JSON; string → text; number/boolean → text;
 * Uint8Array → bytes; plain object → `application/x-www-form-urlencoded`; async iterable → streamed.
 * @throws HttpValidationError (`HTTP_INVALID_BODY`)
 * @throws HttpBodyNotReplayableError when a stream body was already read.
 */
export function encodeBody(method: string, url: string, data: ProtocolHttpBody | undefined, json: unknown, hasJson: boolean, headers: Record<string, string>): EncodedBody {
  const setType = (type: string): void => {
    if (headers['content-type'] === undefined) headers['content-type'] = type;
  };
  if (hasJson && data !== undefined) {
    throw new HttpValidationError('HTTP_INVALID_BODY', '`data` and `json` are mutually exclusive, got both');
  }
  if ((method === 'HEAD' || method === 'TRACE') && (hasJson || (data !== undefined && data !== null))) {
    throw new HttpValidationError('HTTP_INVALID_BODY', `a ${method} request cannot carry a body, got ${hasJson ? '`json`' : '`data`'}`);
  }
  if (hasJson) {
    let text: string | undefined;
    try {
      text = JSON.stringify(json);
    } catch (cause) {
      throw new HttpValidationError('HTTP_INVALID_BODY', `\`json\` must be JSON-serialisable, got a value that fails: ${(cause as Error).message}`, { cause });
    }
    if (text === undefined) throw new HttpValidationError('HTTP_INVALID_BODY', `\`json\` must be JSON-serialisable, got ${describeValue(json)}`);
    setType('application/json');
    return { kind: 'bytes', bytes: text, length: Buffer.byteLength(text) };
  }
  if (data === undefined || data === null) return NO_BODY;
  if (typeof data === 'string') {
    setType('text/plain; charset=utf-8');
    return { kind: 'bytes', bytes: data, length: Buffer.byteLength(data) };
  }
  if (typeof data === 'number' || typeof data === 'boolean') {
    const text = String(data);
    setType('text/plain; charset=utf-8');
    return { kind: 'bytes', bytes: text, length: text.length };
  }
  if (data instanceof Uint8Array) {
    setType('application/octet-stream');
    return { kind: 'bytes', bytes: data, length: data.byteLength };
  }
  if (isAsyncIterable(data)) {
    if (data instanceof Readable && (data.readableDidRead || data.readableEnded || data.destroyed)) {
      throw new HttpBodyNotReplayableError(method, url, 'the stream was already read');
    }
    if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream && data.locked) {
      throw new HttpBodyNotReplayableError(method, url, 'the stream is locked or was already read');
    }
    setType('application/octet-stream');
    return { kind: 'stream', source: data };
  }
  if (Array.isArray(data)) {
    throw new HttpValidationError('HTTP_INVALID_BODY', '`data` must be a string, bytes, a form object or a stream, got an array; use `json` for arrays');
  }
  if (typeof data === 'object') {
    const proto = Object.getPrototypeOf(data) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new HttpValidationError('HTTP_INVALID_BODY', `\`data\` must be a string, bytes, a plain form object or a stream, got ${describeValue(data)}`);
    }
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(data as Record<string, ContextValue>)) {
      if (Array.isArray(value)) for (const item of value as readonly ContextValue[]) form.append(key, formValue(key, item));
      else form.append(key, formValue(key, value));
    }
    const text = form.toString();
    setType('application/x-www-form-urlencoded');
    return { kind: 'bytes', bytes: text, length: Buffer.byteLength(text) };
  }
  throw new HttpValidationError('HTTP_INVALID_BODY', `\`data\` must be a string, bytes, a form object or a stream, got ${describeValue(data)}`);
}
