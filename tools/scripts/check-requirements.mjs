#!/usr/bin/env node
// The system requirements of `npm test` (README "Requirements"), checked before anything runs, so a
// machine that lacks one gets one message naming what is missing and how to install it instead of
// tests failing with `spawnSync kcat ENOENT`.
//
//   node tools/scripts/check-requirements.mjs   # exit 0 silently, or the message and exit 2
//   import { missingRequirements, requirementsMessage } from './check-requirements.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXIT_MISSING_REQUIREMENTS = 2;
export const MIN_NODE = [20, 19];
export const MIN_JAVA = 17;

/** Everything `npm test` runs besides Node, with the Debian and Homebrew packages that provide it. */
export const REQUIREMENTS = Object.freeze([
  { command: 'java', what: `Java ${MIN_JAVA}+ (the local Kafka broker, the Avro oracle)`, apt: 'openjdk-17-jre-headless', brew: 'openjdk@17' },
  { command: 'mvn', what: 'Maven (assembles Kafka and the Avro oracle from Maven Central)', apt: 'maven', brew: 'maven' },
  { command: 'kcat', what: 'kcat (Kafka interop tests)', apt: 'kcat', brew: 'kcat' },
  { command: 'brotli', what: 'brotli (compression interop tests)', apt: 'brotli', brew: 'brotli' },
  { command: 'gzip', what: 'gzip (compression interop tests)', apt: 'gzip', brew: 'gzip' },
  { command: 'lz4', what: 'lz4 (Kafka lz4 codec tests)', apt: 'lz4', brew: 'lz4' },
  { command: 'zstd', what: 'zstd (Kafka zstd codec tests)', apt: 'zstd', brew: 'zstd' },
  { command: 'openssl', what: 'openssl (TLS test certificates)', apt: 'openssl', brew: 'openssl' },
  { command: 'protoc', what: 'protoc (Protobuf differential tests)', apt: 'protobuf-compiler', brew: 'protobuf' },
]);

/** The executable `command` resolves to on `envPath`, or undefined. */
export function which(command, envPath = process.env.PATH ?? '') {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Major version of `java -version` output ("1.8.0_x" is 8), or undefined. */
export function javaMajor(versionOutput) {
  const m = versionOutput.match(/version "(\d+)(?:\.(\d+))?/);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 && m[2] ? Number(m[2]) : major;
}

/**
 * What this machine lacks, each as `{ what, apt, brew, found? }`; empty when everything is there.
 * @param {{ env?: NodeJS.ProcessEnv, nodeVersion?: string }} [options]
 */
export function missingRequirements({ env = process.env, nodeVersion = process.versions.node } = {}) {
  const missing = [];
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    missing.push({ what: `Node.js ${MIN_NODE.join('.')}+ (a current LTS line, see README "Supported versions")`, found: nodeVersion, apt: undefined, brew: 'node' });
  }
  for (const req of REQUIREMENTS) {
    const javaHome = req.command === 'java' && env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : undefined;
    const file = javaHome && fs.existsSync(javaHome) ? javaHome : which(req.command, env.PATH ?? '');
    if (!file) {
      missing.push(req);
      continue;
    }
    if (req.command === 'java') {
      const out = spawnSync(file, ['-version'], { encoding: 'utf8', env });
      const found = javaMajor(`${out.stderr ?? ''}${out.stdout ?? ''}`);
      if (found === undefined || found < MIN_JAVA) missing.push({ ...req, found: found === undefined ? `unreadable \`${file} -version\`` : `Java ${found} at ${file}` });
    }
  }
  return missing;
}

/** The one message printed when something is missing. */
export function requirementsMessage(missing) {
  const lines = [`npm test needs ${missing.length === 1 ? 'a system requirement' : `${missing.length} system requirements`} that this machine lacks:`];
  for (const m of missing) lines.push(`  - ${m.what}${m.found ? `: found ${m.found}` : ': not found on PATH'}`);
  const apt = missing.map((m) => m.apt).filter(Boolean);
  const brew = missing.map((m) => m.brew).filter(Boolean);
  lines.push('Install with:');
  if (apt.length) lines.push(`  Debian/Ubuntu: apt-get install --no-install-recommends ${apt.join(' ')}   (as root or with sudo)`);
  lines.push(`  macOS:         brew install ${brew.join(' ')}`);
  if (missing.some((m) => !m.apt)) lines.push('  Node.js:       https://nodejs.org (a current LTS release)');
  lines.push('then run npm test again. The list and the reasons are in README.md, "Requirements".');
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = missingRequirements();
  if (missing.length > 0) {
    console.error(requirementsMessage(missing));
    process.exit(EXIT_MISSING_REQUIREMENTS);
  }
}
