#!/usr/bin/env node
// Builds the Kafka image of docker-compose.yml on this machine, with no image registry:
//   1. a Debian bookworm minbase image (`onex-debian:bookworm-minbase`), made once with debootstrap from
//      the apt source this machine is configured with and `docker import`ed;
//   2. `onex-kafka:<kafka version>-<content hash>` from ./Dockerfile: a JRE from Debian and the jars
//      tools/kafka assembles from Maven Central (broker.mjs ensureJars). The hash covers the Dockerfile,
//      entrypoint.sh, every jar and the base image id, so the build runs once and is skipped while an
//      image with that tag exists. The result is also tagged `onex-kafka:local` (compose's default).
//
//   node tools/kafka/docker/build.mjs          # prints the image tag
//   import { ensureImage } from './build.mjs'; // same, from code
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureJars, KAFKA_VERSION, LIB_DIR } from '../broker.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE_IMAGE = 'onex-debian:bookworm-minbase';
export const IMAGE_REPOSITORY = 'onex-kafka';
export const LOCAL_TAG = `${IMAGE_REPOSITORY}:local`;
// The legacy builder: the Debian engine has no buildx, and it is all a FROM + RUN + COPY file needs.
const dockerEnv = { ...process.env, DOCKER_BUILDKIT: '0' };

function log(message) {
  process.stderr.write(`[kafka-image] ${message}\n`);
}

function docker(args, options = {}) {
  return spawnSync('docker', args, { encoding: 'utf8', env: dockerEnv, maxBuffer: 64 * 1024 * 1024, ...options });
}

/** True when the docker CLI reaches a running engine. */
export function dockerAvailable() {
  const result = docker(['info', '--format', '{{.ServerVersion}}']);
  return result.status === 0 && result.stdout.trim() !== '';
}

function imageId(name) {
  const result = docker(['image', 'inspect', '--format', '{{.Id}}', name]);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The Debian archive this machine's apt uses for bookworm (deb822 `*.sources` or one-line `sources.list`),
 * so debootstrap fetches from where apt-get already works.
 */
export function aptSource() {
  const files = [];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) if (/\.(sources|list)$/.test(f)) files.push(path.join(dir, f));
  if (fs.existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Enabled')[0] === 'no' || !field('Types').includes('deb')) continue;
        if (field('Suites').includes('bookworm') && field('Components').includes('main') && field('URIs')[0]) return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const m = line.match(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s+.*\bmain\b/);
        if (m) return m[1];
      }
    }
  }
  throw new Error('[kafka-image] no apt source for Debian bookworm main in /etc/apt/sources.list{,.d}: debootstrap needs one');
}

/** Imports the Debian base image once (debootstrap --variant=minbase); later calls return at once. */
export function ensureBaseImage() {
  if (imageId(BASE_IMAGE)) return BASE_IMAGE;
  if (spawnSync('debootstrap', ['--version'], { encoding: 'utf8' }).error) {
    throw new Error('[kafka-image] debootstrap is not installed (apt-get install debootstrap): it builds the Debian base image');
  }
  const started = Date.now();
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-debian-'));
  try {
    log(`debootstrap --variant=minbase bookworm into ${rootfs}`);
    const boot = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs, aptSource()], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (boot.status !== 0) throw new Error(`[kafka-image] debootstrap failed (exit ${boot.status}):\n${boot.stdout.slice(-4000)}\n${boot.stderr.slice(-4000)}`);
    fs.rmSync(path.join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    fs.mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    const tar = spawnSync('sh', ['-c', `tar -C "${rootfs}" -c . | docker import - ${BASE_IMAGE}`], { encoding: 'utf8', env: dockerEnv });
    if (tar.status !== 0) throw new Error(`[kafka-image] docker import failed (exit ${tar.status}): ${tar.stderr}`);
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  log(`base image ${BASE_IMAGE} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return BASE_IMAGE;
}

/** `onex-kafka:<version>-<hash>` of the current Dockerfile, entrypoint, jars and base image. */
export function imageTag(baseId = imageId(BASE_IMAGE) ?? 'none') {
  const hash = createHash('sha256');
  hash.update(`kafka ${KAFKA_VERSION}\nbase ${baseId}\n`);
  for (const file of ['Dockerfile', 'entrypoint.sh']) hash.update(`${file}\n`).update(fs.readFileSync(path.join(here, file)));
  for (const jar of fs.readdirSync(LIB_DIR).filter((f) => f.endsWith('.jar')).sort()) {
    hash.update(`lib/${jar}\n`).update(fs.readFileSync(path.join(LIB_DIR, jar)));
  }
  return `${IMAGE_REPOSITORY}:${KAFKA_VERSION}-${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Builds the Kafka image unless an image with its content-hash tag exists, tags it `onex-kafka:local`
 * and returns the content-hash tag.
 * @throws Error when the engine, debootstrap, Maven or the build fails (with the build's output)
 */
export function ensureImage() {
  if (!dockerAvailable()) throw new Error('[kafka-image] no Docker engine answers `docker info`: install docker.io and start dockerd');
  ensureJars();
  ensureBaseImage();
  const tag = imageTag();
  if (!imageId(tag)) {
    const started = Date.now();
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-kafka-image-'));
    try {
      for (const file of ['Dockerfile', 'entrypoint.sh']) fs.copyFileSync(path.join(here, file), path.join(context, file));
      fs.mkdirSync(path.join(context, 'lib'));
      for (const jar of fs.readdirSync(LIB_DIR).filter((f) => f.endsWith('.jar'))) fs.copyFileSync(path.join(LIB_DIR, jar), path.join(context, 'lib', jar));
      log(`building ${tag} (JRE from Debian, Kafka ${KAFKA_VERSION} jars)`);
      // --network host: the engine runs with --bridge=none, and apt-get needs the machine's network.
      const build = docker(['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', tag, context]);
      if (build.status !== 0) throw new Error(`[kafka-image] docker build failed (exit ${build.status}):\n${build.stdout.slice(-6000)}\n${build.stderr.slice(-4000)}`);
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
    log(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const retag = docker(['tag', tag, LOCAL_TAG]);
  if (retag.status !== 0) throw new Error(`[kafka-image] docker tag ${tag} ${LOCAL_TAG} failed: ${retag.stderr}`);
  return tag;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureImage());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
