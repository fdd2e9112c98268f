#!/usr/bin/env node
// `npm test`: lint, typecheck, unit tests, build and package checks of every project, then the e2e
// suite, against one real Kafka broker for the whole run (KAFKA_BROKERS when set, otherwise the
// tools/kafka broker, started here and stopped at the end). The e2e step also gets the 3-node cluster
// of tools/kafka/cluster.mjs for e2e/src/cluster (ONEX_KAFKA_CLUSTER, its state file; started once just
// before that step and stopped after it, unless ONEX_KAFKA_CLUSTER is already set). Prints one total
// line of test counts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../kafka/broker.mjs';
import { startCluster } from '../kafka/cluster.mjs';
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

function run(args) {
  return new Promise((resolve) => {
    console.log(`\n$ nx ${args.join(' ')}`);
    const child = spawn(path.join(root, 'node_modules', '.bin', 'nx'), args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let broker;
let cluster;
async function stopCluster() {
  if (cluster) {
    const c = cluster;
    cluster = undefined;
    await c.stop().catch(() => undefined);
  }
}
async function cleanup() {
  await stopCluster();
  if (broker) {
    const b = broker;
    broker = undefined;
    await b.stop().catch(() => {});
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}

let failed = false;
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
  const steps = [
    ['run-many', '-t', 'lint', 'typecheck', `--parallel=${parallel}`],
    // One Jest project at a time: the Kafka suites and the timing-sensitive network tests are more
    // stable without a second project competing for the two cores.
    ['run-many', '-t', 'test', '--exclude', 'e2e', `--parallel=${process.env.ONEX_TEST_PARALLEL ?? '1'}`, ...jestArgs],
    ['run-many', '-t', 'build', 'package-check', `--parallel=${parallel}`],
    ['run', 'e2e:test', ...jestArgs],
  ];
  for (const step of steps) {
    const e2e = step[0] === 'run' && step[1] === 'e2e:test';
    if (e2e && !env.ONEX_KAFKA_CLUSTER) {
      console.log('Starting the 3-node Kafka cluster (tools/kafka/cluster.mjs) for e2e/src/cluster…');
      cluster = await startCluster({ brokers: 3 });
      env.ONEX_KAFKA_CLUSTER = cluster.stateFile;
      console.log(`Kafka cluster ready on ${cluster.brokers.join(',')}; state ${cluster.stateFile}`);
    }
    const code = await run(step);
    if (e2e) await stopCluster();
    if (code !== 0) {
      failed = true;
      console.error(`\nstep failed (exit ${code}): nx ${step.join(' ')}`);
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
