#!/usr/bin/env node
// npm run kafka:start | kafka:stop | kafka:status
// Starts a broker that outlives this command (port 9092 when free), records it in tmp/kafka/state.json.
// With `-- --brokers 3`: a 3-node cluster (tools/kafka/cluster.mjs; ports 19092-19094 when free, fresh
// data in tmp/kafka/cluster, state in tmp/kafka/cluster/cluster.json). `kafka:stop` stops both; with
// `--brokers 1` or `--brokers 3` only that one. `kafka:status` reports the single broker (exit 1 when
// it is not running) and the cluster; with `--brokers 3` only the cluster.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPortOpen, startBroker } from './broker.mjs';
import { attachCluster, startCluster } from './cluster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stateDir = path.join(root, 'tmp', 'kafka');
const stateFile = path.join(stateDir, 'state.json');

function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const clusterDir = path.join(stateDir, 'cluster');
const clusterStateFile = path.join(clusterDir, 'cluster.json');

/** `--brokers N` from the command line: undefined when absent. */
function brokersOption() {
  const args = process.argv.slice(3);
  const i = args.findIndex((a) => a === '--brokers' || a.startsWith('--brokers='));
  if (i < 0) return undefined;
  const raw = args[i].includes('=') ? args[i].slice('--brokers='.length) : args[i + 1];
  const n = Number(raw);
  if (n !== 1 && n !== 3) throw new Error(`--brokers must be 1 or 3, got ${JSON.stringify(raw ?? '')}`);
  return n;
}

function clusterPids() {
  try {
    return attachCluster(clusterStateFile).pids();
  } catch {
    return undefined;
  }
}

function clusterRunning() {
  const pids = clusterPids();
  return pids !== undefined && Object.values(pids).some((pid) => pid !== undefined);
}

async function startClusterCommand() {
  if (clusterRunning()) {
    const cluster = attachCluster(clusterStateFile);
    console.log(`Kafka cluster already running (pids ${Object.values(cluster.pids()).join(',')})\nexport KAFKA_BROKERS=${cluster.brokers.join(',')}`);
    return;
  }
  const ports = [];
  for (const port of [19092, 19093, 19094]) ports.push((await isPortOpen(port)) ? undefined : port);
  const cluster = await startCluster({ brokers: 3, ports, baseDir: clusterDir, detached: true });
  const pids = cluster.pids();
  console.log(
    `Kafka cluster of 3 nodes on ${cluster.brokers.join(',')}, pids ${Object.values(pids).join(',')}; logs ${clusterDir}/node-*/broker.log\n` +
      `export KAFKA_BROKERS=${cluster.brokers.join(',')}`,
  );
}

async function stopCluster() {
  if (!clusterRunning()) {
    console.log('Kafka cluster is not running');
    return;
  }
  const cluster = attachCluster(clusterStateFile);
  const pids = Object.values(cluster.pids()).filter(Boolean);
  await cluster.stop({ removeData: true });
  console.log(`Kafka cluster (pids ${pids.join(',')}) stopped`);
}

async function start() {
  if (brokersOption() === 3) return startClusterCommand();
  const state = readState();
  if (state && alive(state.pid)) {
    console.log(`Kafka already running (pid ${state.pid}) on ${state.brokers.join(',')}\nexport KAFKA_BROKERS=${state.brokers.join(',')}`);
    return;
  }
  const port = (await isPortOpen(9092)) ? undefined : 9092;
  const saslPort = (await isPortOpen(9094)) ? undefined : 9094;
  const broker = await startBroker({ port, saslPort, dataDir: path.join(stateDir, 'data'), detached: true });
  fs.writeFileSync(
    stateFile,
    JSON.stringify({ pid: broker.pid, brokers: broker.brokers, saslBrokers: broker.saslBrokers, logFile: broker.logFile }, null, 2),
  );
  console.log(
    `Kafka ${broker.brokers.join(',')} (SASL ${broker.saslBrokers.join(',')}) pid ${broker.pid}; log ${broker.logFile}\n` +
      `export KAFKA_BROKERS=${broker.brokers.join(',')}`,
  );
}

async function stop() {
  const which = brokersOption();
  if (which !== 1) await stopCluster();
  if (which !== 3) await stopBroker();
}

async function stopBroker() {
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.log('Kafka is not running');
    fs.rmSync(stateFile, { force: true });
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  fs.rmSync(stateFile, { force: true });
  console.log(`Kafka (pid ${state.pid}) stopped`);
}

function status() {
  const which = brokersOption();
  if (which === 3 || (which === undefined && clusterRunning())) {
    if (clusterRunning()) {
      const cluster = attachCluster(clusterStateFile);
      const pids = cluster.pids();
      console.log(`cluster running: ${cluster.brokers.map((b, i) => `node ${i + 1} ${b} ${pids[i + 1] ? `pid ${pids[i + 1]}` : 'down'}`).join('; ')}`);
    } else console.log('cluster not running');
    if (which === 3) {
      if (!clusterRunning()) process.exitCode = 1;
      return;
    }
  }
  const state = readState();
  if (state && alive(state.pid)) console.log(`running: pid ${state.pid} on ${state.brokers.join(',')}; log ${state.logFile}`);
  else {
    console.log('not running');
    process.exitCode = 1;
  }
}

const command = process.argv[2];
const commands = { start, stop, status };
if (!commands[command]) {
  console.error('usage: node tools/kafka/cli.mjs start|stop|status [--brokers 1|3]');
  process.exit(2);
}
await Promise.resolve().then(commands[command]).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
