import type { ProtocolKafkaConnectionConfig } from '@onex/spi-types';

/** kafkajs log levels forwarded to the `onex:kafka:log` diagnostics channel. */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Options of {@link KafkaClient}. */
export interface KafkaClientOptions extends Partial<ProtocolKafkaConnectionConfig> {
  /**
   * Connection used by the admin methods (`createTopic`, `getTopicMetadata`, …). When omitted, the
   * admin methods use the connection of the first producer or consumer created.
   */
  readonly bootstrapServers?: readonly string[];
  /** Lowest kafkajs log level published on `onex:kafka:log` (nothing is printed). @default 'warn' */
  readonly logLevel?: KafkaLogLevel;
  /** How long a topic's partition count is cached by producers, in ms. @default 300000 */
  readonly metadataMaxAgeMs?: number;
}
