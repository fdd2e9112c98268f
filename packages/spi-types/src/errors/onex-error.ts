import type { OnexErrorCode } from './codes/index.js';

const BRAND = Symbol.for('@onex/error');

/** Options of {@link OnexError}. */
export interface OnexErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** Structured facts about the failure (status code, circuit name, partition, …). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error the toolkit throws: a stable string `code`, a message that says what
 * was wrong, the `cause` passed through and optional structured `details`.
 */
export class OnexError<C extends string = OnexErrorCode> extends Error {
  /** Stable, documented error code. */
  readonly code: C;
  /** Structured facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: OnexErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A JSON-friendly view (name, code, message, details). */
  toJSON(): { name: string; code: C; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True for any toolkit error, even from a duplicate install of spi-types. */
export function isOnexError(error: unknown): error is OnexError<string> {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as Record<symbol, unknown>)[BRAND] === true ||
      (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'details' in error))
  );
}

/** True when `error` is a toolkit error with the given code. */
export function hasErrorCode<C extends string>(error: unknown, code: C): error is OnexError<C> {
  return isOnexError(error) && error.code === code;
}
