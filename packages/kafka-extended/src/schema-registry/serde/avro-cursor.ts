import avro from 'avsc';
// @ts-expect-error -- avsc 5 ships lib/utils.js without types; only its Tap class is used, typed below.
import avscUtilsUntyped from 'avsc/lib/utils.js';

const avscUtils = avscUtilsUntyped as { readonly Tap?: new (buf: Buffer, pos?: number) => Tap } | undefined;

/** avsc's cursor over a buffer, which `Type#_read` and `Type#_write` advance. */
interface Tap {
  buf: Buffer;
  pos: number;
}

/** The per-type codec methods behind avsc's public encode/decode. */
interface Codec {
  _read(tap: Tap): unknown;
  _write(tap: Tap, value: unknown): void;
}

/**
 * Reads and writes Avro values at an offset of a buffer, as `Type#encode` and `Type#decode` do,
 * but through one reused avsc cursor: no cursor and no `{ value, offset }` object per call. Those
 * two allocations are most of what separates a framed encode/decode from raw `toBuffer` and
 * `fromBuffer`. The cursor and the codec methods are avsc 5 internals, checked for once; without
 * them the public API is used.
 */
export class AvroCursor {
  /** Where the last {@link read} stopped; more than the buffer's length when it was truncated. */
  end = 0;
  readonly #tap: Tap | undefined;

  constructor(fast = FAST_PATH) {
    this.#tap = fast && avscUtils?.Tap ? new avscUtils.Tap(Buffer.alloc(0), 0) : undefined;
  }

  /** True when the reused cursor is in use. */
  get fast(): boolean {
    return this.#tap !== undefined;
  }

  /**
   * Writes `value` at `pos` of `target`. Like `Type#encode`: returns the end position, or minus the
   * number of bytes missing when `target` is too small.
   * @throws whatever avsc throws for a value that does not match the type
   */
  write(type: avro.Type, value: unknown, target: Buffer, pos: number): number {
    const tap = this.#tap;
    if (tap === undefined) return type.encode(value, target, pos);
    tap.buf = target;
    tap.pos = pos;
    (type as unknown as Codec)._write(tap, value);
    return tap.pos <= target.length ? tap.pos : target.length - tap.pos;
  }

  /**
   * Reads one value at `pos` of `bytes` (resolved into the reader's type when a resolver is given)
   * and sets {@link end}.
   * @throws whatever avsc throws for bytes that are not a value of the type
   */
  read(type: avro.Type, resolver: avro.Resolver | undefined, bytes: Buffer, pos: number): unknown {
    const tap = this.#tap;
    if (tap === undefined) {
      const result = type.decode(bytes, pos, resolver);
      this.end = result.offset < 0 ? bytes.length + 1 : result.offset;
      return result.value;
    }
    tap.buf = bytes;
    tap.pos = pos;
    try {
      const value = resolver ? (resolver as unknown as Codec)._read(tap) : (type as unknown as Codec)._read(tap);
      this.end = tap.pos;
      return value;
    } finally {
      // Do not keep the caller's buffer alive.
      tap.buf = EMPTY;
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** avsc 5: a Tap class, and `_read`/`_write` on types and resolvers. */
const FAST_PATH = (() => {
  if (typeof avscUtils?.Tap !== 'function') return false;
  const probe = avro.Type.forSchema('int') as unknown as Partial<Codec>;
  const resolver = avro.Type.forSchema('long').createResolver(avro.Type.forSchema('int')) as unknown as Partial<Codec>;
  return typeof probe._read === 'function' && typeof probe._write === 'function' && typeof resolver._read === 'function';
})();
