// Stops the broker that kafka-global-setup started (if it started one).
import { containerTeardown } from './kafka-container.mjs';

export default async function globalTeardown() {
  await containerTeardown();
  const broker = globalThis.__ONEX_KAFKA_BROKER__;
  if (!broker) return;
  globalThis.__ONEX_KAFKA_BROKER__ = undefined;
  delete process.env.KAFKA_BROKERS;
  delete process.env.KAFKA_SASL_BROKERS;
  await broker.stop();
}
