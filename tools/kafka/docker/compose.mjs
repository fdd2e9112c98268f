#!/usr/bin/env node
// Drives the 3-node cluster of docker-compose.yml (project `onex-kafka`, containers onex-kafka-1..3):
//
//   node tools/kafka/docker/compose.mjs up       # build the local image if needed, start, wait until ready
//   node tools/kafka/docker/compose.mjs down     # stop and remove the containers (and their data)
//   node tools/kafka/docker/compose.mjs status   # the containers and the exports to use them
//   import { composeUp, composeDown, killNode, startNode, leaderOf } from '…/compose.mjs';
//
// KAFKA_IMAGE (e.g. apache/kafka:4.1.0) replaces the image built here; nothing is built then.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerAvailable, ensureImage } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const COMPOSE_FILE = path.join(root, 'docker-compose.yml');
export const PROJECT = 'onex-kafka';
/** Node id → container and loopback ports, as in docker-compose.yml. */
export const NODES = Object.freeze(
  [1, 2, 3].map((id) => Object.freeze({ id, container: `onex-kafka-${id}`, port: 29091 + id, saslPort: 29191 + id, controllerPort: 29291 + id })),
);
export const BROKERS = NODES.map((n) => `127.0.0.1:${n.port}`);
export const SASL_BROKERS = NODES.map((n) => `127.0.0.1:${n.saslPort}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(command, args, { check = true } = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`[kafka-compose] ${command} could not run: ${result.error.message}`);
  if (check && result.status !== 0) {
    throw new Error(`[kafka-compose] ${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** `docker-compose` (v1, Debian) when installed, otherwise the `docker compose` plugin. */
function compose(args, options) {
  const base = ['-p', PROJECT, '-f', COMPOSE_FILE, ...args];
  const v1 = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  return v1.error ? run('docker', ['compose', ...base], options) : run('docker-compose', base, options);
}

/** Names of this project's containers, running or not. */
export function projectContainers() {
  const out = run('docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}']).stdout;
  return out.split('\n').map((s) => s.trim()).filter(Boolean).sort();
}

function nodeOf(id) {
  const node = NODES.find((n) => n.id === id);
  if (!node) throw new Error(`[kafka-compose] no node ${id}: the cluster has nodes ${NODES.map((n) => n.id).join(', ')}`);
  return node;
}

/** The last lines of every node's log, for error messages. */
export function nodeLogs(lines = 20) {
  return NODES.map((n) => {
    const r = run('docker', ['logs', '--tail', String(lines), n.container], { check: false });
    return `--- ${n.container}\n${r.stdout}${r.stderr}`;
  }).join('\n');
}

async function waitReady(timeoutMs) {
  const { Kafka, logLevel } = await import('kafkajs');
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    const admin = new Kafka({ brokers: BROKERS, clientId: 'onex-compose-ready', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === NODES.length) {
        await admin.createTopics({ topics: [{ topic: '__onex_ready', numPartitions: 1, replicationFactor: NODES.length }], waitForLeaders: true });
        const [meta] = (await admin.fetchTopicMetadata({ topics: ['__onex_ready'] })).topics;
        if (meta?.partitions[0]?.isr.length === NODES.length) return;
        lastError = new Error(`__onex_ready has ${meta?.partitions[0]?.isr.length ?? 0} in-sync replicas`);
      } else {
        lastError = new Error(`${cluster.brokers.length} of ${NODES.length} brokers registered`);
      }
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(`[kafka-compose] cluster not ready after ${timeoutMs} ms (${lastError?.message})\n${nodeLogs()}`);
}

/**
 * Starts the cluster (building the local image first unless KAFKA_IMAGE is set) and waits until all
 * three brokers are registered and a replication-factor-3 topic is fully in sync.
 * @returns {Promise<{ brokers: string[], saslBrokers: string[], image: string }>}
 */
export async function composeUp({ readyTimeoutMs = 180_000 } = {}) {
  if (!dockerAvailable()) throw new Error('[kafka-compose] no Docker engine answers `docker info`: install docker.io and start dockerd');
  const image = process.env.KAFKA_IMAGE || ensureImage();
  compose(['up', '-d', '--no-build']);
  await waitReady(readyTimeoutMs);
  return { brokers: [...BROKERS], saslBrokers: [...SASL_BROKERS], image };
}

/** Where composeDown keeps the nodes' last log lines, for a failure found after the containers are gone. */
export const LOG_FILE = path.join(root, 'tmp', 'ci', 'kafka-containers.log');

/** Stops and removes the containers with their data (their last 5,000 log lines each kept in LOG_FILE); throws if one is left. */
export function composeDown() {
  const logs = compose(['logs', '--no-color', '--timestamps', '--tail=5000'], { check: false });
  if (logs.status === 0) {
    fs.mkdirSync(path.dirname(LOG_FILE), { recursive: true });
    fs.writeFileSync(LOG_FILE, logs.stdout);
  }
  compose(['down', '--volumes', '--remove-orphans', '--timeout', '20']);
  const left = projectContainers();
  if (left.length > 0) throw new Error(`[kafka-compose] containers left after down: ${left.join(', ')}`);
}

/** `docker kill` (SIGKILL) of one node's container, like a crashed machine; its data stays for startNode. */
export function killNode(id) {
  run('docker', ['kill', nodeOf(id).container]);
}

/** Starts a killed or stopped node's container again on its data. */
export function startNode(id) {
  run('docker', ['start', nodeOf(id).container]);
}

/** True while the node's container runs. */
export function nodeRunning(id) {
  const r = run('docker', ['inspect', '--format', '{{.State.Running}}', nodeOf(id).container], { check: false });
  return r.status === 0 && r.stdout.trim() === 'true';
}

/** Node id of the leader of `topic`'s partition, from the cluster's metadata. */
export async function leaderOf(topic, partition = 0) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: BROKERS, clientId: 'onex-compose-leader', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const leader = meta?.partitions.find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0) throw new Error(`[kafka-compose] ${topic}-${partition} has no leader`);
    return leader;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// No top-level await: Jest loads this file compiled to CommonJS (e2e/src/support/kafka-containers.ts).
async function main(command) {
  try {
    if (command === 'up') {
      const started = Date.now();
      const { image } = await composeUp();
      console.log(`Kafka cluster (${image}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s\nexport KAFKA_BROKERS=${BROKERS.join(',')}\nexport KAFKA_SASL_BROKERS=${SASL_BROKERS.join(',')}`);
    } else if (command === 'down') {
      composeDown();
      console.log('Kafka cluster removed');
    } else if (command === 'status') {
      const names = projectContainers();
      console.log(names.length ? `${names.map((n) => `${n} ${nodeRunning(Number(n.slice(-1))) ? 'running' : 'stopped'}`).join('\n')}\nexport KAFKA_BROKERS=${BROKERS.join(',')}` : 'no cluster');
    } else {
      console.error('usage: compose.mjs up | down | status');
      process.exit(64);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main(process.argv[2]);
