// Type declarations for the two codec libraries that ship none (only what compression.ts calls).

declare module 'snappyjs' {
  const snappyjs: {
    /** Raw snappy; returns a Buffer for a Buffer input. */
    compress(input: Uint8Array): Uint8Array;
    /** Raw snappy; throws on a malformed input or one longer than `maxLength`. */
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  };
  export = snappyjs;
}

declare module 'lz4js' {
  const lz4js: {
    /** Worst-case size of one compressed block of `n` bytes. */
    compressBound(n: number): number;
    /** Encodes `src[sIndex, sIndex + sLength)` as one LZ4 block at `dst[0]`; returns its length, 0 when it did not compress. */
    compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
    /** Decodes one LZ4 block of `src` into `dst` from `dIndex`; returns the end index (writes past `dst` are dropped). */
    decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  };
  export = lz4js;
}

declare module 'lz4js/xxh32.js' {
  const xxh32: {
    /** XXH32 of `src[index, index + length)`, unsigned. */
    hash(seed: number, src: Uint8Array, index: number, length: number): number;
  };
  export = xxh32;
}
