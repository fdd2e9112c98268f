// Type declarations for the two codec libraries that ship none: the shapes the shared codecs of
// @onex/spi-types/support call, and lz4js's own frame reader, which the specs use as a control.

declare module 'snappyjs' {
  const snappyjs: import('@onex/spi-types/support').KafkaCodecLibraries['snappy'];
  export = snappyjs;
}

declare module 'lz4js' {
  const lz4js: {
    /** One LZ4 frame, decoded by lz4js's own reader (the spec's control; not used by the codecs). */
    decompress(input: Uint8Array, maxSize?: number): Uint8Array;
  };
  export = lz4js;
}

declare module 'lz4js/xxh32.js' {
  const xxh32: import('@onex/spi-types/support').KafkaCodecLibraries['xxh32'];
  export = xxh32;
}
