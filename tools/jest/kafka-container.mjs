// KAFKA_MODE=container: the Kafka projects' Jest runs against the 3-node cluster of docker-compose.yml
// (tools/kafka/docker/compose.mjs) instead of the tools/kafka JVM broker. globalSetup brings the cluster
// up (building the local image once) and exports its addresses; globalTeardown removes every container
// it started and fails the run if one is left.
import { spawnSync } from 'node:child_process';
import { BASE_IMAGE, dockerAvailable, LOCAL_TAG } from '../kafka/docker/build.mjs';
import { composeDown, composeUp, projectContainers } from '../kafka/docker/compose.mjs';

export function containerMode() {
  const mode = process.env.KAFKA_MODE;
  if (mode === undefined || mode === '' || mode === 'jvm') return false;
  if (mode === 'container') return true;
  throw new Error(`KAFKA_MODE must be 'jvm' (the default) or 'container', got '${mode}'`);
}

function brokersConflict(brokers) {
  return new Error(
    `KAFKA_MODE=container starts the docker-compose cluster and sets KAFKA_BROKERS itself, but KAFKA_BROKERS is already set (${brokers}): unset one of them`,
  );
}

/** What this machine has for the compose cluster: a running engine, a compose command, an image or the means to build it. */
export function dockerProbe() {
  const ok = (command, args) => {
    const r = spawnSync(command, args, { encoding: 'utf8', stdio: 'ignore' });
    return !r.error && r.status === 0;
  };
  const engine = dockerAvailable();
  const compose = engine && (ok('docker-compose', ['version']) || ok('docker', ['compose', 'version']));
  const image =
    engine &&
    (Boolean(process.env.KAFKA_IMAGE) ||
      ok('docker', ['image', 'inspect', LOCAL_TAG]) ||
      ok('docker', ['image', 'inspect', BASE_IMAGE]) ||
      (process.getuid?.() === 0 && !spawnSync('debootstrap', ['--version'], { stdio: 'ignore' }).error));
  return { engine, compose, image };
}

/**
 * The Kafka `npm test` runs the e2e suite against: 'container' (the docker-compose cluster) when
 * KAFKA_MODE=container, or when KAFKA_MODE and KAFKA_BROKERS are unset and this machine can run the
 * cluster; otherwise 'jvm' (the tools/kafka broker, or the cluster KAFKA_BROKERS names). `probe` runs
 * only when the answer depends on it.
 * @returns {{ mode: 'container' | 'jvm', reason: string }}
 * @throws Error for an unknown KAFKA_MODE, or KAFKA_MODE=container that this machine cannot honour
 */
export function e2eKafkaMode(env = process.env, probe = dockerProbe) {
  const mode = env.KAFKA_MODE;
  if (mode === 'jvm') return { mode: 'jvm', reason: 'KAFKA_MODE=jvm' };
  if (mode !== undefined && mode !== '' && mode !== 'container') {
    throw new Error(`KAFKA_MODE must be 'jvm' (the default) or 'container', got '${mode}'`);
  }
  if (env.KAFKA_BROKERS) {
    if (mode === 'container') throw brokersConflict(env.KAFKA_BROKERS);
    return { mode: 'jvm', reason: `KAFKA_BROKERS=${env.KAFKA_BROKERS}` };
  }
  const found = probe();
  const lacking = [];
  if (!found.engine) lacking.push('no Docker engine answers `docker info`');
  else {
    if (!found.compose) lacking.push('neither docker-compose nor `docker compose` runs');
    if (!found.image) lacking.push('no onex-kafka image and no debootstrap (as root) to build one');
  }
  if (lacking.length === 0) {
    return { mode: 'container', reason: `${mode === 'container' ? 'KAFKA_MODE=container' : 'a Docker engine answers'}: docker-compose and the image are usable` };
  }
  if (mode === 'container') {
    throw new Error(`KAFKA_MODE=container but ${lacking.join(', ')} (apt-get install docker.io docker-compose debootstrap, and start dockerd)`);
  }
  return { mode: 'jvm', reason: lacking.join(', ') };
}

export async function containerSetup() {
  if (process.env.KAFKA_BROKERS) throw brokersConflict(process.env.KAFKA_BROKERS);
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

