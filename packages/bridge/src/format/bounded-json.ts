import { BridgeFormatError } from '../errors/bridge-errors.js';

/**
 * The deepest JSON nesting (arrays and objects) the bridge accepts by default. Deeper documents
 * overflow the stack of `JSON.stringify` and of recursive consumers; Jackson's default is 1000,
 * real payloads rarely pass 20.
 */
export const DEFAULT_MAX_JSON_DEPTH = 256;

/**
 * The nesting depth of a JSON text, stopping as soon as it passes `limit` (strings are skipped,
 * escapes included). Linear in the text and allocation-free.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  // A text of n characters cannot nest deeper than n / 2 levels (every level opens and closes).
  if (text.length <= limit * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/**
 * `JSON.parse` that refuses documents nested deeper than `maxDepth` before parsing them.
 * @throws BridgeFormatError on invalid JSON or nesting deeper than `maxDepth`
 */
export function parseBoundedJson(text: string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (jsonDepthExceeds(text, maxDepth)) {
    throw new BridgeFormatError(`JSON payload is nested deeper than ${maxDepth} levels (maxJsonDepth)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BridgeFormatError(`messageFormat 'json' payload is not valid JSON: ${(error as Error).message}`, error);
  }
}
