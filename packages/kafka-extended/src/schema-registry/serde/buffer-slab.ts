/** Size of one slab, as Node's own Buffer pool (`Buffer.poolSize`). */
export const SLAB_SIZE = 8 * 1024;
/** Messages above this get a buffer of their own, so a small live message never pins much memory. */
export const MAX_POOLED = SLAB_SIZE >>> 1;

/**
 * Hands out consecutive slices of a shared slab, the way `Buffer.allocUnsafe` does for small sizes,
 * so an encoder can write header and payload in place and return a view: one pass, no copy. Slices
 * are never reused, only the slab is dropped once full.
 */
export class BufferSlab {
  /** The current slab; write from {@link offset}. */
  buf: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  /** First free byte of {@link buf}. */
  offset = 0;
  // The slab's memory, kept so take() need not read it back through the typed-array getters.
  #memory: ArrayBuffer = this.buf.buffer as ArrayBuffer;
  #base = this.buf.byteOffset;

  /** Makes sure `size` bytes (at most {@link MAX_POOLED}) are free at {@link offset}, starting a new slab if not. */
  ensure(size: number): void {
    if (this.buf.length - this.offset < size) this.renew();
  }

  /** Starts a new slab (the old one lives on in the slices handed out). */
  renew(): void {
    this.buf = Buffer.allocUnsafeSlow(SLAB_SIZE);
    this.#memory = this.buf.buffer as ArrayBuffer;
    this.#base = this.buf.byteOffset;
    this.offset = 0;
  }

  /** Hands out `[start, end)` of the current slab and keeps the next slice 8-byte aligned. */
  take(start: number, end: number): Buffer {
    this.offset = (end + 7) & ~7;
    return Buffer.from(this.#memory, this.#base + start, end - start);
  }
}
