#!/usr/bin/env node
// npm run kafka:start | kafka:stop | kafka:status
// Starts a broker that outlives this command (port 9092 when free), records it in tmp/kafka/state.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPortOpen, startBroker } from './broker.mjs';

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

async function start() {
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
  console.error('usage: node tools/kafka/cli.mjs start|stop|status');
  process.exit(2);
}
await Promise.resolve().then(commands[command]).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
