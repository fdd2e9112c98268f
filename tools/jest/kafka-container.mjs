// KAFKA_MODE=container: the Kafka projects' Jest runs against the 3-node cluster of docker-compose.yml
// (tools/kafka/docker/compose.mjs) instead of the tools/kafka JVM broker. globalSetup brings the cluster
// up (building the local image once) and exports its addresses; globalTeardown removes every container
// it started and fails the run if one is left.
import { composeDown, composeUp, projectContainers } from '../kafka/docker/compose.mjs';

export function containerMode() {
  const mode = process.env.KAFKA_MODE;
  if (mode === undefined || mode === '' || mode === 'jvm') return false;
  if (mode === 'container') return true;
  throw new Error(`KAFKA_MODE must be 'jvm' (the default) or 'container', got '${mode}'`);
}

export async function containerSetup() {
  if (process.env.KAFKA_BROKERS) {
    throw new Error(
      `KAFKA_MODE=container starts the docker-compose cluster and sets KAFKA_BROKERS itself, but KAFKA_BROKERS is already set (${process.env.KAFKA_BROKERS}): unset one of them`,
    );
  }
  // A cluster already up (`compose.mjs up` by hand) is used and left running.
  const reused = projectContainers().length > 0;
  const cluster = await composeUp();
  process.env.KAFKA_BROKERS = cluster.brokers.join(',');
  process.env.KAFKA_SASL_BROKERS = cluster.saslBrokers.join(',');
  process.env.ONEX_KAFKA_CONTAINERS = '1';
  globalThis.__ONEX_KAFKA_COMPOSE__ = { started: !reused };
}

export async function containerTeardown() {
  const state = globalThis.__ONEX_KAFKA_COMPOSE__;
  if (!state) return;
  globalThis.__ONEX_KAFKA_COMPOSE__ = undefined;
  delete process.env.KAFKA_BROKERS;
  delete process.env.KAFKA_SASL_BROKERS;
  delete process.env.ONEX_KAFKA_CONTAINERS;
  if (state.started) composeDown();
}

