// Type declarations for the two codec libraries that ship none: the shapes the shared codecs of
// @onex/spi-types/support call (only what compression.ts passes on).

declare module 'snappyjs' {
  const snappyjs: import('@onex/spi-types/support').KafkaCodecLibraries['snappy'];
  export = snappyjs;
}

declare module 'lz4js/xxh32.js' {
  const xxh32: import('@onex/spi-types/support').KafkaCodecLibraries['xxh32'];
  export = xxh32;
}
