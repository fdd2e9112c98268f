import type { ContextValue, LiteralBridgeMessageFormat } from '@onex/spi-types';
import { BridgeFormatError } from '../errors/bridge-errors.js';
import { DEFAULT_MAX_JSON_DEPTH, parseBoundedJson } from './bounded-json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Converts payloads between the bridge's message formats: `json` values, `text` strings and
 * `bytes`, and to the wire form a target sends.
 */
export class MessageCodec {
  /** The format this codec reads and writes. */
  readonly format: LiteralBridgeMessageFormat;
  /** The deepest JSON nesting `json` payloads may have; deeper ones are a `BRIDGE_FORMAT` error. */
  readonly maxJsonDepth: number;

  constructor(format: LiteralBridgeMessageFormat, maxJsonDepth: number = DEFAULT_MAX_JSON_DEPTH) {
    this.format = format;
    this.maxJsonDepth = maxJsonDepth;
  }

  /**
   * Turns a payload given in any form into the bridge's form: a JSON value (bytes are parsed),
   * a string (bytes decoded as UTF-8) or bytes (strings encoded as UTF-8).
   * @throws BridgeFormatError when the payload cannot be represented in the format
   */
  normalize(payload: ContextValue): ContextValue {
    switch (this.format) {
      case 'json':
        if (payload instanceof Uint8Array) return this.parseJson(payload);
        return payload;
      case 'text':
        if (typeof payload === 'string') return payload;
        if (payload instanceof Uint8Array) return decodeUtf8(payload);
        throw new BridgeFormatError(`messageFormat 'text' needs a string or UTF-8 bytes payload, got ${kind(payload)}`);
      case 'bytes':
        if (payload instanceof Uint8Array) return payload;
        if (typeof payload === 'string') return encoder.encode(payload);
        throw new BridgeFormatError(`messageFormat 'bytes' needs a Uint8Array or string payload, got ${kind(payload)}`);
    }
  }

  /**
   * Decodes bytes received from a source (Kafka value, WebSocket frame) into the bridge's form.
   * @throws BridgeFormatError on invalid JSON or UTF-8
   */
  decode(data: Uint8Array | string | null): ContextValue {
    if (data === null) return null;
    switch (this.format) {
      case 'json':
        return typeof data === 'string' ? this.parseJsonText(data) : this.parseJson(data);
      case 'text':
        return typeof data === 'string' ? data : decodeUtf8(data);
      case 'bytes':
        return typeof data === 'string' ? encoder.encode(data) : data;
    }
  }

  /**
   * Serialises a normalized payload for a target: JSON text, the text itself, or the bytes.
   * @throws BridgeFormatError when the payload cannot be serialised (nested too deep for
   * `JSON.stringify`, a BigInt, a cycle)
   */
  encode(payload: ContextValue): string | Uint8Array {
    switch (this.format) {
      case 'json':
        try {
          return JSON.stringify(payload, bytesAsBase64) ?? 'null';
        } catch (error) {
          throw new BridgeFormatError(`messageFormat 'json' payload cannot be encoded as JSON: ${(error as Error)?.message ?? String(error)}`, error);
        }
      case 'text':
        return typeof payload === 'string' ? payload : decodeUtf8(payload as Uint8Array);
      case 'bytes':
        return payload instanceof Uint8Array ? payload : encoder.encode(String(payload));
    }
  }

  /** The `content-type` matching the format. */
  get contentType(): string {
    switch (this.format) {
      case 'json':
        return 'application/json';
      case 'text':
        return 'text/plain; charset=utf-8';
      case 'bytes':
        return 'application/octet-stream';
    }
  }

  private parseJson(bytes: Uint8Array): ContextValue {
    return this.parseJsonText(decodeUtf8(bytes));
  }

  private parseJsonText(text: string): ContextValue {
    return parseBoundedJson(text, this.maxJsonDepth) as ContextValue;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new BridgeFormatError(`payload bytes are not valid UTF-8`, error);
  }
}

function bytesAsBase64(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : value;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
