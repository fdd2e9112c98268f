#!/usr/bin/env node
// `npm test`: lint, typecheck, unit tests, build and package checks of every project, then the e2e
// suite, and one total line of test counts. Kafka:
// - The package tests run against one real broker for the whole run: KAFKA_BROKERS when set, otherwise
//   the tools/kafka JVM broker, started here and stopped at the end.
// - The e2e suite (all but e2e/src/cluster) runs against the 3-node docker-compose cluster
//   (KAFKA_MODE=container: image built or reused, `docker-compose up` once, `down` at the end, also on
//   failure) when KAFKA_MODE=container, or when neither KAFKA_MODE nor KAFKA_BROKERS is set and this
//   machine has a Docker engine, docker-compose and the image or debootstrap to build it
//   (tools/jest/kafka-container.mjs e2eKafkaMode). Otherwise, or with KAFKA_MODE=jvm, it runs against the
//   same broker as the package tests.
// - e2e/src/cluster (SIGSTOP/SIGKILL of broker processes) always gets the JVM 3-node cluster of
//   tools/kafka/cluster.mjs (ONEX_KAFKA_CLUSTER, its state file; started just before it runs and stopped
//   after, unless ONEX_KAFKA_CLUSTER is already set).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../kafka/broker.mjs';
import { startCluster } from '../kafka/cluster.mjs';
import { composeDown, composeUp, projectContainers } from '../kafka/docker/compose.mjs';
import { e2eKafkaMode } from '../jest/kafka-container.mjs';
import { EXIT_MISSING_REQUIREMENTS, missingRequirements, requirementsMessage } from './check-requirements.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Before anything runs: a missing tool is one message here, not tests failing with ENOENT later.
const missing = missingRequirements();
if (missing.length > 0) {
  console.error(requirementsMessage(missing));
  process.exit(EXIT_MISSING_REQUIREMENTS);
}
const summaryDir = path.join(root, 'tmp', 'jest-summary');
fs.rmSync(summaryDir, { recursive: true, force: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ONEX_JEST_SUMMARY_DIR: summaryDir, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const parallel = process.env.ONEX_PARALLEL ?? '2';
// Nx keeps its task cache outside the work tree (~/.nx); CI re-runs everything from scratch.
if (process.env.CI) env.NX_SKIP_NX_CACHE = 'true';
const jestArgs = ['--', '--ci', '--forceExit'];

let e2eKafka;
try {
  e2eKafka = e2eKafkaMode(env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
console.log(`e2e Kafka: ${e2eKafka.mode === 'container' ? 'the docker-compose cluster' : 'the JVM broker'} (${e2eKafka.reason}); KAFKA_MODE=jvm or =container forces one`);
// KAFKA_MODE chooses the e2e step's Kafka only: the package tests run on the JVM broker started below
// (their Jest globalSetup would refuse KAFKA_MODE=container next to that broker's KAFKA_BROKERS), and
// each e2e step sets KAFKA_MODE itself.
delete env.KAFKA_MODE;

function run(args, stepEnv = env) {
  return new Promise((resolve) => {
    console.log(`\n$ nx ${args.join(' ')}`);
    const child = spawn(path.join(root, 'node_modules', '.bin', 'nx'), args, { cwd: root, env: stepEnv, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** tools/kafka/docker/build.mjs in a child process, so the image builds (or is found) while lint and typecheck run. */
function buildImageInBackground() {
  const logFile = path.join(root, 'tmp', 'kafka-image-build.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const started = Date.now();
  // Its own process group: cleanup stops it with its docker client when a step fails before it is done.
  const child = spawn(process.execPath, [path.join(root, 'tools/kafka/docker/build.mjs')], { cwd: root, env, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  imageBuilder = child;
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      imageBuilder = undefined;
      resolve({ ok: code === 0, seconds: (Date.now() - started) / 1000, logFile });
    });
    child.on('error', (error) => resolve({ ok: false, seconds: (Date.now() - started) / 1000, logFile, error }));
  });
}

let broker;
let cluster;
let imageBuilder;
let compose; // { started: boolean } while the compose cluster of the e2e step is up
async function stopCluster() {
  if (cluster) {
    const c = cluster;
    cluster = undefined;
    await c.stop().catch(() => undefined);
  }
}
async function stopBroker() {
  if (broker) {
    const b = broker;
    broker = undefined;
    await b.stop().catch(() => undefined);
  }
}
function stopCompose() {
  if (!compose) return;
  const { started } = compose;
  compose = undefined;
  if (!started) return; // a cluster brought up by hand before `npm test` stays up
  try {
    composeDown();
    console.log('Kafka compose cluster removed');
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? error.message : error);
  }
}
async function cleanup() {
  if (imageBuilder?.pid) {
    try {
      process.kill(-imageBuilder.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  stopCompose();
  await stopCluster();
  await stopBroker();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}

/** The 3-node JVM cluster for e2e/src/cluster, then `args`, then the cluster stopped. */
async function withJvmCluster(args, stepEnv) {
  if (!stepEnv.ONEX_KAFKA_CLUSTER) {
    console.log('Starting the 3-node Kafka cluster (tools/kafka/cluster.mjs) for e2e/src/cluster…');
    cluster = await startCluster({ brokers: 3 });
    stepEnv = { ...stepEnv, ONEX_KAFKA_CLUSTER: cluster.stateFile };
    console.log(`Kafka cluster ready on ${cluster.brokers.join(',')}; state ${cluster.stateFile}`);
  }
  try {
    return await run(args, stepEnv);
  } finally {
    await stopCluster();
  }
}

/** The e2e suite but e2e/src/cluster against the docker-compose cluster (KAFKA_MODE=container), then `down`. */
async function withComposeCluster(args) {
  // The package tests are done: the JVM broker would only compete with three containers for the cores.
  await stopBroker();
  const image = await imageBuild;
  if (image && !image.ok) {
    console.error(`the Kafka image build failed (${image.error?.message ?? 'see below'}); ${image.logFile}:\n${fs.readFileSync(image.logFile, 'utf8').slice(-4000)}`);
    return 1;
  }
  const started = Date.now();
  compose = { started: projectContainers().length === 0 };
  const up = await composeUp();
  console.log(`Kafka compose cluster (${up.image}) ready on ${up.brokers.join(',')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Jest's globalSetup finds the cluster up, uses it and leaves it to us (tools/jest/kafka-container.mjs).
  const stepEnv = { ...env, KAFKA_MODE: 'container', ONEX_JEST_SUMMARY_NAME: 'e2e-container' };
  delete stepEnv.KAFKA_BROKERS;
  delete stepEnv.KAFKA_SASL_BROKERS;
  try {
    return await run(args, stepEnv);
  } finally {
    stopCompose();
  }
}

let failed = false;
let imageBuild;
try {
  if (!env.KAFKA_BROKERS) {
    console.log('Starting the local Kafka broker (tools/kafka) for the test run…');
    broker = await startBroker();
    env.KAFKA_BROKERS = broker.brokers.join(',');
    env.KAFKA_SASL_BROKERS = broker.saslBrokers.join(',');
    console.log(`Kafka ready on ${env.KAFKA_BROKERS} (SASL ${env.KAFKA_SASL_BROKERS}); log ${broker.logFile}`);
  } else {
    console.log(`Using the existing Kafka cluster KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
  }
  // After startBroker: it assembled the jars the image is built from (two Maven runs would race).
  if (e2eKafka.mode === 'container' && !env.KAFKA_IMAGE) {
    console.log('Building (or finding) the Kafka image in the background; log tmp/kafka-image-build.log');
    imageBuild = buildImageInBackground();
  }
  const e2eSteps =
    e2eKafka.mode === 'container'
      ? [
          { name: 'e2e:test src/cluster (JVM cluster)', exec: () => withJvmCluster(['run', 'e2e:test', ...jestArgs, 'src/cluster/'], { ...env, KAFKA_MODE: 'jvm', ONEX_JEST_SUMMARY_NAME: 'e2e-cluster' }) },
          { name: 'e2e:test (compose cluster)', exec: () => withComposeCluster(['run', 'e2e:test', ...jestArgs, '--testPathIgnorePatterns', 'src/cluster/']) },
        ]
      : [{ name: 'e2e:test', exec: () => withJvmCluster(['run', 'e2e:test', ...jestArgs], env) }];
  const steps = [
    { name: 'lint typecheck', exec: () => run(['run-many', '-t', 'lint', 'typecheck', `--parallel=${parallel}`]) },
    {
      name: 'test (packages)',
      exec: async () => {
        // The unit tests do not share the cores with an image build: some of them measure time.
        if (imageBuild) {
          const image = await imageBuild;
          console.log(`Kafka image ${image.ok ? 'ready' : 'build FAILED'} (${image.seconds.toFixed(0)} s; log ${image.logFile})`);
        }
        // One Jest project at a time: the Kafka suites and the timing-sensitive network tests are more
        // stable without a second project competing for the two cores.
        return run(['run-many', '-t', 'test', '--exclude', 'e2e', `--parallel=${process.env.ONEX_TEST_PARALLEL ?? '1'}`, ...jestArgs]);
      },
    },
    { name: 'build package-check api-check', exec: () => run(['run-many', '-t', 'build', 'package-check', 'api-check', `--parallel=${parallel}`]) },
    ...e2eSteps,
  ];
  for (const step of steps) {
    const started = Date.now();
    const code = await step.exec();
    console.log(`[npm test] ${step.name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (code !== 0) {
      failed = true;
      console.error(`\nstep failed (exit ${code}): ${step.name}`);
      if (!process.argv.includes('--keep-going')) break;
    }
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  await cleanup();
}

const totals = { passed: 0, failed: 0, skipped: 0 };
if (fs.existsSync(summaryDir)) {
  for (const file of fs.readdirSync(summaryDir)) {
    const s = JSON.parse(fs.readFileSync(path.join(summaryDir, file), 'utf8'));
    totals.passed += s.passed;
    totals.failed += s.failed + s.suitesFailed;
    totals.skipped += s.skipped;
    console.log(`  ${s.project.padEnd(16)} ${s.passed} passed, ${s.failed} failed${s.suitesFailed ? ` (${s.suitesFailed} suites failed to run)` : ''}`);
  }
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
