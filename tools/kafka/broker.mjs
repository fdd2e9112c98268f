// Real single-node Apache Kafka (KRaft, broker+controller) on loopback, assembled from Maven Central.
//
//   import { startBroker } from '../../tools/kafka/broker.mjs';
//   const broker = await startBroker();          // free ports, fresh data dir
//   broker.brokers                               // ['127.0.0.1:PORT']
//   await broker.kill(); await broker.restart(); // SIGKILL and start again on the same log dirs
//   await broker.stop();                         // SIGTERM, clean shutdown
//
// Listeners: PLAINTEXT (clients), SASL_PLAINTEXT (PLAIN + SCRAM-SHA-256/512 users created at
// storage-format time, see SASL_USERS) and CONTROLLER, all on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const KAFKA_VERSION = '4.4.0';
export const LIB_DIR = path.join(here, '.cache', 'lib');
const MARKER = path.join(LIB_DIR, `.complete-${KAFKA_VERSION}`);

/** Users the SASL listener accepts (created at format time). */
export const SASL_USERS = Object.freeze({
  plain: [
    { username: 'admin', password: 'admin-secret' },
    { username: 'alice', password: 'alice-secret' },
  ],
  scram: [{ username: 'alice', password: 'alice-secret' }],
});

/** Downloads the broker's jars with Maven once; later calls return at once. */
export function ensureJars({ quiet = false } = {}) {
  if (fs.existsSync(MARKER)) return LIB_DIR;
  const started = Date.now();
  if (!quiet) process.stderr.write(`[kafka] assembling Kafka ${KAFKA_VERSION} from Maven Central into ${LIB_DIR}\n`);
  const result = spawnSync('mvn', ['-B', '-q', '-f', path.join(here, 'pom.xml'), 'dependency:copy-dependencies'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`[kafka] mvn dependency:copy-dependencies failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  fs.writeFileSync(MARKER, new Date().toISOString());
  if (!quiet) process.stderr.write(`[kafka] jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return LIB_DIR;
}

/** Returns a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts connections on 127.0.0.1:port. */
export function isPortOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function java() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function serverProperties({ port, saslPort, controllerPort, dataDir }) {
  const plainUsers = SASL_USERS.plain.map((u) => `user_${u.username}="${u.password}"`).join(' ');
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" ${plainUsers};`,
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.flush.interval.messages=9223372036854775807',
    '',
  ].join('\n');
}

function formatStorage({ dataDir, propsFile, logFile }) {
  if (fs.existsSync(path.join(dataDir, 'logs', 'meta.properties'))) return;
  const cp = `${LIB_DIR}/*`;
  const uuid = spawnSync(java(), ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' });
  const clusterId = uuid.stdout.trim().split('\n').pop();
  if (uuid.status !== 0 || !clusterId) throw new Error(`[kafka] random-uuid failed: ${uuid.stderr}`);
  const scram = SASL_USERS.scram.flatMap((u) => [
    '--add-scram', `SCRAM-SHA-256=[name=${u.username},password=${u.password}]`,
    '--add-scram', `SCRAM-SHA-512=[name=${u.username},password=${u.password}]`,
  ]);
  const result = spawnSync(
    java(),
    ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, '--standalone', ...scram],
    { encoding: 'utf8' },
  );
  fs.appendFileSync(logFile, `${result.stdout}\n${result.stderr}\n`);
  if (result.status !== 0) throw new Error(`[kafka] storage format failed; see ${logFile}\n${result.stderr}`);
}

async function waitReady(brokers, { timeoutMs, logFile, child }) {
  const { Kafka, logLevel } = await import('kafkajs');
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`[kafka] broker exited (${child.exitCode ?? child.signalCode}) while starting; log: ${logFile}\n${tail(logFile)}`);
    }
    const admin = new Kafka({ brokers, clientId: 'onex-ready-check', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: '__onex_ready', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      const topics = await admin.listTopics();
      if (topics.includes('__onex_ready')) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`[kafka] broker not ready after ${timeoutMs} ms (${lastError?.message}); log: ${logFile}\n${tail(logFile)}`);
}

export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function waitExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a broker and waits until a client can create and list a topic.
 * @param {object} [options]
 * @param {number} [options.port] client port (free port when omitted)
 * @param {number} [options.saslPort] SASL_PLAINTEXT port (free port when omitted)
 * @param {number} [options.controllerPort] controller port (free port when omitted)
 * @param {string} [options.dataDir] storage directory (new temp dir when omitted; reused if formatted)
 * @param {number} [options.heapMb] JVM heap. @default 768
 * @param {boolean} [options.detached] let the broker outlive this process (CLI use)
 * @param {number} [options.readyTimeoutMs] @default 120000
 */
export async function startBroker(options = {}) {
  ensureJars();
  const port = options.port ?? (await freePort());
  const saslPort = options.saslPort ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onex-kafka-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const propsFile = path.join(dataDir, 'server.properties');
  const logFile = path.join(dataDir, 'broker.log');
  fs.writeFileSync(propsFile, serverProperties({ port, saslPort, controllerPort, dataDir }));
  formatStorage({ dataDir, propsFile, logFile });
  const heapMb = options.heapMb ?? 768;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const brokers = [`127.0.0.1:${port}`];
  const saslBrokers = [`127.0.0.1:${saslPort}`];

  let child;
  const launch = async () => {
    const out = fs.openSync(logFile, 'a');
    child = spawn(
      java(),
      [
        `-Xms256m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.showDateTime=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
        '-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn',
        '-cp', `${LIB_DIR}/*`, 'kafka.Kafka', propsFile,
      ],
      { stdio: ['ignore', out, out], detached: Boolean(options.detached) },
    );
    fs.closeSync(out);
    if (options.detached) child.unref();
    await waitReady(brokers, { timeoutMs: readyTimeoutMs, logFile, child });
  };
  await launch();

  const handle = {
    brokers,
    saslBrokers,
    port,
    saslPort,
    controllerPort,
    dataDir,
    logFile,
    get pid() {
      return child.pid;
    },
    /** Clean shutdown (SIGTERM, then SIGKILL after 30 s). */
    async stop({ removeData = !options.dataDir } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitExit(child, 30_000))) {
          child.kill('SIGKILL');
          await waitExit(child, 10_000);
        }
      }
      if (removeData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    /** Hard kill (SIGKILL), like a crashed machine; the log dirs stay for restart(). */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await waitExit(child, 10_000);
      }
    },
    /** Starts the broker again on the same ports and log dirs and waits until ready. */
    async restart() {
      await this.kill();
      await launch();
    },
  };
  return handle;
}
