// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declarations are a script (ambient modules); a reference lets every project that compiles this file from source (e2e, interop) see them
/// <reference path="./compression-libraries.d.ts" />
// The record-batch codecs are written once in @onex/spi-types/support; this package passes its own imports of the
// codec libraries and of kafkajs's registry.
import kafkajs from 'kafkajs';
import snappy from 'snappyjs';
import xxh32 from 'lz4js/xxh32.js';
import { decompress as fzstdDecompress } from 'fzstd';
import * as zstdWasm from '@bokuweb/zstd-wasm';
import { createKafkaCodecs, registerKafkaCodecs } from '@onex/spi-types/support';

export {
  callWithCodecContext,
  CompressedBatchError,
  DecompressionLimitError,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  describeFailure,
  gzipDecompress,
  runWithCodecContext,
  zstdImplementation,
} from '@onex/spi-types/support';
export type { CodecContext, CodecName, CompressedBatchFailure, KafkaCodec } from '@onex/spi-types/support';

export const { CODECS, snappyDecompress, snappyCompress, lz4Compress, lz4Decompress, zstdCompress, zstdDecompress } =
  createKafkaCodecs({ snappy, xxh32, fzstdDecompress, zstdWasm });

/**
 * Registers snappy, lz4 and zstd in kafkajs's global `CompressionCodecs`, and replaces kafkajs's own unbounded gzip
 * codec by the bounded one; idempotent, and a codec someone else registered first is kept.
 */
export function registerCompressionCodecs(): void {
  registerKafkaCodecs(kafkajs.CompressionCodecs, kafkajs.CompressionTypes, CODECS);
}
