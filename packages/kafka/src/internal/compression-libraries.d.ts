// Type declarations for the two codec libraries that ship none (only what compression.ts and its spec call).

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
    /** One LZ4 frame, decoded by lz4js's own reader (the spec's control; not used by compression.ts). */
    decompress(input: Uint8Array, maxSize?: number): Uint8Array;
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
