import kafkajs, { type Kafka, type KafkaConfig, type logCreator } from 'kafkajs';
import { channels } from './channels.js';
import './kafkajs-untargeted-metadata.js';
import { registerCompressionCodecs } from './compression.js';
import type { SecuritySettings } from './security-settings.js';

/** Connection settings shared by every kafkajs client `KafkaExtended` creates. */
export interface ConnectionSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly security: SecuritySettings;
}

// kafkajs is CommonJS: its runtime values come from the default export so Node's ESM loader finds them.
const { Kafka: KafkaClient, logLevel } = kafkajs;

const LEVEL_NAMES: Record<number, string> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };

// kafkajs logs to the console by default; route WARN and ERROR to a diagnostics channel instead.
const toChannel: logCreator = () => ({ namespace, level, log }) => {
  if (!channels.log.hasSubscribers) return;
  const { message, ...extra } = log;
  channels.log.publish({ level: LEVEL_NAMES[level] ?? String(level), namespace, message, extra });
};

/** Creates a kafkajs client with the current connection and security settings. */
export function createKafka(settings: ConnectionSettings, retries = 5): Kafka {
  // Consumers read batches compressed with any codec; compression.ts is a copy of @onex/kafka's.
  registerCompressionCodecs();
  const config: KafkaConfig = {
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: toChannel,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 5_000 },
    ...(settings.security.ssl !== undefined ? { ssl: settings.security.ssl } : {}),
    ...(settings.security.sasl !== undefined ? { sasl: settings.security.sasl } : {}),
  };
  return new KafkaClient(config);
}
