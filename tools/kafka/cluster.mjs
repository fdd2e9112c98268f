// A real 3-node Apache Kafka cluster (KRaft) on loopback, assembled like broker.mjs from Maven Central.
//
//   import { startCluster, attachCluster } from '../../tools/kafka/cluster.mjs';
//   const cluster = await startCluster({ brokers: 3 });  // free ports, fresh data dirs
//   cluster.brokers                                      // ['127.0.0.1:P1', '127.0.0.1:P2', '127.0.0.1:P3']
//   const node = await cluster.leaderOf('orders', 0);    // node id 1..3
//   await cluster.kill(node);   await cluster.restart(node);  // SIGKILL; start again on the same log dirs
//   await cluster.pause(node);  await cluster.resume(node);   // SIGSTOP / SIGCONT
//   await cluster.stop();                                // SIGTERM every node, remove the data
//
// Every node is a combined broker + controller (`process.roles=broker,controller`), the three form a
// static controller quorum, so any one node can die and the cluster keeps a quorum of two.
// Production durability settings: RF 3 for new topics and for the offsets, transaction-state and
// share-state topics, min.insync.replicas 2, no unclean leader election. Failure detection: Kafka's
// broker.session.timeout.ms (9 s) and broker.heartbeat.interval.ms (2 s), replica.lag.time.max.ms 3 s
// instead of 30 s (see nodeProperties: the partitions whose leader is alive go on acknowledging while a
// dead leader's partitions wait for their election); `properties` overrides any of them.
//
// The cluster is described by a JSON state file (`<baseDir>/cluster.json`: ports, data dirs, the pid of
// each node). Every method reads it and writes it back, so another process can drive the same cluster
// with `attachCluster(stateFile)`: `npm test` starts one cluster and passes ONEX_KAFKA_CLUSTER to Jest.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureJars, freePort, java, LIB_DIR, tail } from './broker.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True while `pid` is a live (not zombie) process. */
export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // "pid (comm) S ..." — a zombie has exited already, only its parent has not reaped it yet.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function waitDead(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

function nodeProperties(node, state) {
  const voters = state.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
  const rf = Math.min(3, state.nodes.length);
  const minIsr = Math.min(2, rf);
  const props = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': path.join(node.dataDir, 'logs'),
    'num.partitions': '1',
    'default.replication.factor': String(rf),
    'min.insync.replicas': String(minIsr),
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': String(rf),
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': String(rf),
    'transaction.state.log.min.isr': String(minIsr),
    'transaction.state.log.num.partitions': '10',
    'share.coordinator.state.topic.replication.factor': String(rf),
    'share.coordinator.state.topic.min.isr': String(minIsr),
    // A dead node stays in the ISR of every partition it follows until someone removes it, and acks=all
    // produce requests to those partitions wait for it: with Kafka's defaults the controller fences it
    // after broker.session.timeout.ms (9 s: every partition of the cluster stops acknowledging until the
    // dead leader's partitions get new leaders), long before a leader drops it after
    // replica.lag.time.max.ms (30 s). 3 s lets the leaders that are alive drop a dead or stuck follower
    // first (3-4.5 s after it stopped fetching: checked every half of it), so their partitions go on
    // acknowledging while the controller still waits to fence the dead node (7-9 s), and a fenced node
    // is not hurried: a long GC pause or a slow disk must not make the controller move every leader
    // away. A follower that is alive fetches at least every replica.fetch.wait.max.ms (500 ms), so 3 s
    // is six missed fetches; one dropped by a stall rejoins the ISR as soon as it has caught up, and
    // min.insync.replicas 2 still refuses writes (retriable NOT_ENOUGH_REPLICAS) rather than keeping
    // fewer than two copies. Kafka's default was 10 s until 2.5 (KIP-537 raised it to 30 s for busy
    // clusters whose followers lag on purpose, which a cluster with a session timeout of 9 s cannot use).
    'replica.lag.time.max.ms': '3000',
    'broker.session.timeout.ms': '9000',
    'broker.heartbeat.interval.ms': '2000',
    // Tests create a group and read from it at once; Kafka's 3 s default only delays the first join.
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'true',
    'delete.topic.enable': 'true',
    // Three JVMs share two cores with the tests: fewer request threads than Kafka's defaults (3 network, 8 I/O).
    'num.network.threads': '2',
    'num.io.threads': '4',
    ...state.properties,
  };
  return `${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

function runJava(args, logFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(java(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.appendFileSync(logFile, output);
      if (code === 0) resolve(output);
      else reject(new Error(`[kafka-cluster] ${args.filter((a) => !a.startsWith('-X')).slice(2).join(' ')} failed (exit ${code}); see ${logFile}\n${output}`));
    });
  });
}

function formatNode(node, clusterId) {
  if (fs.existsSync(path.join(node.dataDir, 'logs', 'meta.properties'))) return Promise.resolve();
  // A short-lived tool: the C1 compiler only and the serial collector start it with far less CPU.
  return runJava(
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-cp', `${LIB_DIR}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.propsFile],
    node.logFile,
  );
}

function launchNode(node, state) {
  fs.writeFileSync(node.propsFile, nodeProperties(node, state));
  const out = fs.openSync(node.logFile, 'a');
  const child = spawn(
    java(),
    [
      // C1 only: three JVMs starting at once (and each restart) on two shared cores spend far less CPU
      // compiling; a test cluster needs fast starts more than peak throughput. jvmOptions can override it.
      `-Xms128m`, `-Xmx${state.heapMb}m`, '-XX:TieredStopAtLevel=1', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
      '-Dorg.slf4j.simpleLogger.showDateTime=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
      '-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn',
      ...state.jvmOptions,
      '-cp', `${LIB_DIR}/*`, 'kafka.Kafka', node.propsFile,
    ],
    { stdio: ['ignore', out, out], detached: Boolean(state.detached) },
  );
  fs.closeSync(out);
  child.unref();
  node.pid = child.pid;
}

async function kafkajs() {
  const { Kafka, logLevel } = await import('kafkajs');
  return { Kafka, logLevel };
}

async function withAdmin(brokers, fn, { requestTimeout = 5000 } = {}) {
  const { Kafka, logLevel } = await kafkajs();
  const admin = new Kafka({
    brokers,
    clientId: 'onex-cluster-tool',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function nodeDiedError(node) {
  return new Error(`[kafka-cluster] node ${node.id} exited while starting; log: ${node.logFile}\n${tail(node.logFile)}`);
}

/** Waits until `node` answers Metadata and lists itself among the live (unfenced) brokers. */
async function waitNodeReady(node, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (!isAlive(node.pid)) throw nodeDiedError(node);
    try {
      const ids = await withAdmin([`127.0.0.1:${node.port}`], async (admin) => (await admin.describeCluster()).brokers.map((b) => b.nodeId));
      if (ids.includes(node.id)) return;
      lastError = new Error(`live brokers ${ids.join(',')} do not include ${node.id} yet`);
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(`[kafka-cluster] node ${node.id} not ready after ${timeoutMs} ms (${lastError?.message}); log: ${node.logFile}\n${tail(node.logFile)}`);
}

/** Waits until every node is live, a topic with RF = nodes has leaders and the group coordinator answers. */
async function waitClusterReady(state, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const brokers = state.nodes.map((n) => `127.0.0.1:${n.port}`);
  let lastError;
  while (Date.now() < deadline) {
    for (const node of state.nodes) if (!isAlive(node.pid)) throw nodeDiedError(node);
    try {
      await withAdmin(brokers, async (admin) => {
        const { brokers: live } = await admin.describeCluster();
        if (live.length < state.nodes.length) throw new Error(`${live.length} of ${state.nodes.length} brokers live`);
        await admin.createTopics({
          topics: [{ topic: '__onex_ready', numPartitions: 1, replicationFactor: state.nodes.length }],
          waitForLeaders: true,
        });
        // Finding a group coordinator creates __consumer_offsets (RF 3) now rather than in the first test.
        await admin.describeGroups(['__onex_ready']);
      });
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(250);
  }
  const logs = state.nodes.map((n) => `--- node ${n.id} (${n.logFile})\n${tail(n.logFile, 10)}`).join('\n');
  throw new Error(`[kafka-cluster] cluster not ready after ${timeoutMs} ms (${lastError?.message})\n${logs}`);
}

function readState(stateFile) {
  return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
}

function writeState(stateFile, state) {
  const tmp = `${stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, stateFile);
}

function makeHandle(stateFile) {
  const initial = readState(stateFile);
  const brokers = initial.nodes.map((n) => `127.0.0.1:${n.port}`);
  const nodeOf = (state, id) => {
    const node = state.nodes.find((n) => n.id === id);
    if (!node) {
      throw new RangeError(`[kafka-cluster] node must be one of the node ids ${state.nodes.map((n) => n.id).join(', ')}, got ${JSON.stringify(id)}`);
    }
    return node;
  };
  const handle = {
    /** Bootstrap servers, one per node, in node id order. */
    brokers,
    /** Node ids (1..n); node `id` listens on `brokers[id - 1]`. */
    nodeIds: initial.nodes.map((n) => n.id),
    stateFile,
    baseDir: initial.baseDir,
    /** The pid of each node's JVM now (undefined when it is down). */
    pids() {
      return Object.fromEntries(readState(stateFile).nodes.map((n) => [n.id, isAlive(n.pid) ? n.pid : undefined]));
    },
    /** Log file of a node. */
    logFile(id) {
      return nodeOf(readState(stateFile), id).logFile;
    },
    /** Hard kill (SIGKILL) of one node, like a crashed machine; its log dirs stay for restart(). */
    async kill(id) {
      const node = nodeOf(readState(stateFile), id);
      if (isAlive(node.pid)) {
        signal(node.pid, 'SIGKILL');
        if (!(await waitDead(node.pid, 10_000))) throw new Error(`[kafka-cluster] node ${id} (pid ${node.pid}) survived SIGKILL`);
      }
    },
    /**
     * Starts a node again on the same ports and log dirs and waits until it is a live broker again.
     * A running node is first stopped: `signal: 'SIGTERM'` (default) is a controlled shutdown, as in a
     * rolling restart (its partition leadership moves away first); 'SIGKILL' is a crash.
     */
    async restart(id, { signal: how = 'SIGTERM', readyTimeoutMs = 240_000 } = {}) {
      const state = readState(stateFile);
      const node = nodeOf(state, id);
      if (isAlive(node.pid)) {
        signal(node.pid, 'SIGCONT');
        signal(node.pid, how);
        if (!(await waitDead(node.pid, 60_000))) {
          signal(node.pid, 'SIGKILL');
          await waitDead(node.pid, 10_000);
        }
      }
      launchNode(node, state);
      writeState(stateFile, state);
      await waitNodeReady(node, readyTimeoutMs);
    },
    /** SIGSTOP: the node keeps its sockets open but answers nothing (a long GC pause, a frozen VM). */
    async pause(id) {
      const node = nodeOf(readState(stateFile), id);
      if (!isAlive(node.pid) || !signal(node.pid, 'SIGSTOP')) throw new Error(`[kafka-cluster] node ${id} is not running`);
    },
    /** SIGCONT after pause(). */
    async resume(id) {
      const node = nodeOf(readState(stateFile), id);
      if (!isAlive(node.pid) || !signal(node.pid, 'SIGCONT')) throw new Error(`[kafka-cluster] node ${id} is not running`);
    },
    /** Node id of the current leader of a partition (from the cluster's metadata), or undefined when it has none. */
    async leaderOf(topic, partition) {
      const metadata = await handle.topicMetadata(topic);
      const p = metadata.find((m) => m.partitionId === partition);
      if (!p) throw new RangeError(`[kafka-cluster] topic ${topic} has no partition ${partition}`);
      return p.leader >= 0 ? p.leader : undefined;
    },
    /** Leader, replicas and ISR of each partition of a topic, asked of the live nodes. */
    async topicMetadata(topic) {
      const live = readState(stateFile).nodes.filter((n) => isAlive(n.pid)).map((n) => `127.0.0.1:${n.port}`);
      const { topics } = await withAdmin(live, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
      return topics[0].partitions;
    },
    /**
     * Resumes paused nodes, starts dead ones and waits until every node is live and in the ISR of every
     * partition it replicates (no under-replicated partition), so the next test starts from a whole cluster.
     */
    async heal({ timeoutMs = 240_000 } = {}) {
      const state = readState(stateFile);
      for (const node of state.nodes) {
        if (isAlive(node.pid)) signal(node.pid, 'SIGCONT');
        else await handle.restart(node.id, { readyTimeoutMs: timeoutMs });
      }
      await handle.waitInSync({ timeoutMs });
    },
    /** Waits until no partition of any topic is under-replicated. */
    async waitInSync({ timeoutMs = 240_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let lagging = 'unknown';
      while (Date.now() < deadline) {
        try {
          lagging = await withAdmin(brokers, async (admin) => {
            const { brokers: live } = await admin.describeCluster();
            if (live.length < brokers.length) return `${live.length} of ${brokers.length} brokers live`;
            const names = await admin.listTopics();
            const { topics } = await admin.fetchTopicMetadata({ topics: names });
            const under = topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`));
            return under.length ? `under-replicated: ${under.slice(0, 5).join(', ')}${under.length > 5 ? ` (+${under.length - 5})` : ''}` : '';
          });
          if (!lagging) return;
        } catch (error) {
          lagging = error.message;
        }
        await sleep(250);
      }
      throw new Error(`[kafka-cluster] not in sync after ${timeoutMs} ms: ${lagging}`);
    },
    /**
     * Stops every node and removes the data unless told not to. Data that is removed needs no clean
     * shutdown: SIGKILL. Data that is kept: SIGCONT, SIGTERM, then SIGKILL after 10 s (with every
     * controller stopping at once, a controlled shutdown can wait for a quorum that is gone).
     */
    async stop({ removeData = initial.removeData } = {}) {
      const state = readState(stateFile);
      await Promise.all(
        state.nodes.map(async (node) => {
          if (!isAlive(node.pid)) return;
          signal(node.pid, 'SIGCONT');
          signal(node.pid, removeData ? 'SIGKILL' : 'SIGTERM');
          if (!(await waitDead(node.pid, 10_000))) {
            signal(node.pid, 'SIGKILL');
            await waitDead(node.pid, 10_000);
          }
        }),
      );
      if (removeData) fs.rmSync(state.baseDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/**
 * Starts a cluster of combined broker + controller nodes and waits until it takes clients.
 * @param {object} [options]
 * @param {number} [options.brokers] number of nodes. @default 3
 * @param {number[]} [options.ports] client ports (free ports when omitted)
 * @param {string} [options.baseDir] directory of the state file and the nodes' data (new temp dir when omitted)
 * @param {number} [options.heapMb] JVM heap per node. @default 384
 * @param {Record<string, string>} [options.properties] extra or overriding server properties for every node
 * @param {string[]} [options.jvmOptions] extra JVM options for every node (after the defaults)
 * @param {boolean} [options.detached] let the nodes outlive this process group (CLI use)
 * @param {number} [options.readyTimeoutMs] @default 240000
 */
export async function startCluster(options = {}) {
  ensureJars();
  const count = options.brokers ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new RangeError(`[kafka-cluster] brokers must be an integer from 1 to 9, got ${count}`);
  const baseDir = options.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onex-kafka-cluster-'));
  fs.rmSync(baseDir, { recursive: true, force: true });
  fs.mkdirSync(baseDir, { recursive: true });
  const nodes = [];
  for (let i = 0; i < count; i++) {
    const id = i + 1;
    const dataDir = path.join(baseDir, `node-${id}`);
    fs.mkdirSync(dataDir, { recursive: true });
    nodes.push({
      id,
      port: options.ports?.[i] ?? (await freePort()),
      controllerPort: await freePort(),
      dataDir,
      propsFile: path.join(dataDir, 'server.properties'),
      logFile: path.join(dataDir, 'broker.log'),
      pid: undefined,
    });
  }
  const state = {
    // A Kafka cluster id is a random UUID in URL-safe base64 without padding (what `random-uuid` prints).
    clusterId: randomBytes(16).toString('base64url'),
    baseDir,
    heapMb: options.heapMb ?? 384,
    detached: Boolean(options.detached),
    removeData: options.baseDir === undefined,
    properties: options.properties ?? {},
    jvmOptions: options.jvmOptions ?? [],
    nodes,
  };
  const stateFile = path.join(baseDir, 'cluster.json');
  for (const node of nodes) fs.writeFileSync(node.propsFile, nodeProperties(node, state));
  const started = Date.now();
  await Promise.all(nodes.map((node) => formatNode(node, state.clusterId)));
  const formatted = Date.now();
  for (const node of nodes) launchNode(node, state);
  writeState(stateFile, state);
  const handle = makeHandle(stateFile);
  try {
    await waitClusterReady(state, options.readyTimeoutMs ?? 240_000);
    if (process.env.ONEX_KAFKA_DEBUG) {
      process.stderr.write(`[kafka-cluster] storage formatted in ${formatted - started} ms, nodes ready ${Date.now() - formatted} ms later\n`);
    }
  } catch (error) {
    await handle.stop({ removeData: false }).catch(() => undefined);
    throw error;
  }
  return handle;
}

/** The same handle as startCluster's, for a cluster another process started (its state file). */
export function attachCluster(stateFile) {
  if (!fs.existsSync(stateFile)) throw new Error(`[kafka-cluster] no cluster state file at ${stateFile}`);
  return makeHandle(stateFile);
}
