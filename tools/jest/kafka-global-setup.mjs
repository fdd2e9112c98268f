// Jest globalSetup of every project whose tests need Kafka (kafka, kafka-extended, e2e).
// Uses KAFKA_BROKERS when set (an existing cluster, or the broker `npm test` started once for the
// whole run); otherwise starts the tools/kafka broker for this test run and exports its address.
import { startBroker } from '../kafka/broker.mjs';
import { containerMode, containerSetup } from './kafka-container.mjs';

export default async function globalSetup() {
  if (containerMode()) return containerSetup(); // KAFKA_MODE=container: the docker-compose cluster
  if (process.env.KAFKA_BROKERS) return;
  const broker = await startBroker();
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  process.env.KAFKA_SASL_BROKERS = broker.saslBrokers.join(',');
  globalThis.__ONEX_KAFKA_BROKER__ = broker;
}
