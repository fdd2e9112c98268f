/**
 * Data that travels through the SPI: JSON-like values plus raw bytes.
 * The seed's `ContextValue`.
 */
export type ContextValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | readonly ContextValue[]
  | { readonly [key: string]: ContextValue };

/** Circuit breaker states, exactly the seed's `LiteralCircuitState`. */
export type LiteralCircuitState = 'closed' | 'open' | 'half_open';
/** Every value of {@link LiteralCircuitState}, in the seed's order. */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const satisfies readonly LiteralCircuitState[];

/** HTTP compression types, exactly the seed's `LiteralCompressionType`. */
export type LiteralCompressionType = 'none' | 'gzip' | 'deflate' | 'brotli';
/** Every value of {@link LiteralCompressionType}, in the seed's order. */
export const COMPRESSION_TYPES = ['none', 'gzip', 'deflate', 'brotli'] as const satisfies readonly LiteralCompressionType[];

/** Schema types for Kafka integration, exactly the seed's `LiteralSchemaType`. */
export type LiteralSchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
/** Every value of {@link LiteralSchemaType}, in the seed's order. */
export const SCHEMA_TYPES = ['AVRO', 'JSON', 'PROTOBUF'] as const satisfies readonly LiteralSchemaType[];

/** Latency percentiles over a bounded sliding window, in milliseconds. */
export interface ProtocolLatencySummary {
  /** Number of samples currently in the window. */
  readonly count: number;
  /** Median latency in ms (0 when the window is empty). */
  readonly p50Ms: number;
  /** 95th percentile latency in ms. */
  readonly p95Ms: number;
  /** 99th percentile latency in ms. */
  readonly p99Ms: number;
  /** Largest sample in the window, in ms. */
  readonly maxMs: number;
}
