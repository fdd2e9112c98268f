import kafkajs from 'kafkajs';
import type { ISocketFactory, Kafka, LogEntry } from 'kafkajs';
import type { KafkaLogLevel } from '../kafka-client-options.js';
import { channels } from './channels.js';
import './kafkajs-untargeted-metadata.js';
import type { ResolvedConnection } from './resolve-config.js';

const { Kafka: KafkaCtor, logLevel: LogLevel } = kafkajs;

const LEVELS: Record<KafkaLogLevel, number> = {
  nothing: LogLevel.NOTHING,
  error: LogLevel.ERROR,
  warn: LogLevel.WARN,
  info: LogLevel.INFO,
  debug: LogLevel.DEBUG,
};
const NAMES: Record<number, string> = { 1: 'error', 2: 'warn', 4: 'info', 5: 'debug' };

/** A kafkajs instance whose logs go to `onex:kafka:log` instead of the console (with `socketFactory`, kafkajs's own by default). */
export function createKafka(connection: ResolvedConnection, level: KafkaLogLevel, retries: number, socketFactory?: ISocketFactory): Kafka {
  return new KafkaCtor({
    ...connection,
    ...(socketFactory === undefined ? {} : { socketFactory }),
    logLevel: LEVELS[level],
    retry: { retries },
    logCreator: () => (entry: LogEntry) => {
      if (!channels.log.hasSubscribers) return;
      channels.log.publish({
        clientId: connection.clientId,
        level: NAMES[entry.level] ?? String(entry.level),
        namespace: entry.namespace,
        message: entry.log.message,
      });
    },
  });
}
