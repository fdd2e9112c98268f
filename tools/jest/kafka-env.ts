// Helpers for tests that talk to the real broker (started by kafka-global-setup or given by KAFKA_BROKERS).
import { randomUUID } from 'node:crypto';

/** Bootstrap servers of the broker under test. */
export function kafkaBrokers(): string[] {
  const value = process.env['KAFKA_BROKERS'];
  if (!value) throw new Error('KAFKA_BROKERS is not set: run the test through Jest (globalSetup starts a broker) or export it');
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** SASL_PLAINTEXT bootstrap servers (users in tools/kafka/broker.mjs SASL_USERS), when the broker has them. */
export function kafkaSaslBrokers(): string[] | undefined {
  const value = process.env['KAFKA_SASL_BROKERS'];
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

/** A topic or group name unique to this test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
