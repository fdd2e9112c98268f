import { isCodecAvailable as codecLoads } from './internal/resolve-config.js';

/**
 * Whether `compression` (`none`, `gzip`, `snappy`, `lz4`, `zstd`) has a working codec in kafkajs's global
 * `CompressionCodecs` registry; registers this package's codecs first. False for any other name.
 */
export function isCodecAvailable(compression: string): boolean {
  return codecLoads(compression);
}
