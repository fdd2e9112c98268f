// `npm test` checks the system requirements before it runs anything: on a machine that lacks one it
// prints one message naming what is missing and how to install it, and exits 2 (no test ever fails
// with `spawnSync kcat ENOENT`). The machine is simulated with a PATH of links to the real tools.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const PRESENT = ['java', 'mvn', 'gzip', 'lz4', 'zstd', 'openssl', 'protoc'];

function realPath(command: string): string | undefined {
  const out = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

let binDir: string;

beforeEach(() => {
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-req-'));
});

afterEach(() => {
  fs.rmSync(binDir, { recursive: true, force: true });
});

function link(commands: string[]): void {
  for (const command of commands) {
    const target = realPath(command);
    if (!target) throw new Error(`this test needs ${command} on the PATH of the machine running it`);
    fs.symlinkSync(target, path.join(binDir, command));
  }
}

function runNpmTest(): { status: number | null; stdout: string; stderr: string } {
  // KAFKA_BROKERS keeps a broken check from starting a broker; node is not on PATH, so nx could not run either.
  const env = { HOME: os.homedir(), PATH: binDir, KAFKA_BROKERS: '127.0.0.1:9', CI: 'true' };
  const out = spawnSync(process.execPath, [path.join(root, 'tools/scripts/test-all.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('npm test system requirements check', () => {
  it('stops before any step with one message naming the missing tools and the apt-get line', () => {
    link(PRESENT);
    const { status, stdout, stderr } = runNpmTest();
    expect(stdout).not.toContain('$ nx');
    expect(status).toBe(2);
    expect(stderr).toContain('npm test needs 2 system requirements that this machine lacks:');
    expect(stderr).toContain('  - kcat (Kafka interop tests): not found on PATH');
    expect(stderr).toContain('  - brotli (compression interop tests): not found on PATH');
    expect(stderr).toContain('Debian/Ubuntu: apt-get install --no-install-recommends kcat brotli');
    expect(stderr).toContain('macOS:         brew install kcat brotli');
    expect(stderr).not.toMatch(/ENOENT/);
  });

  it('names a Java older than 17 with the version it found', () => {
    link(PRESENT.filter((c) => c !== 'java').concat(['kcat', 'brotli']));
    fs.writeFileSync(path.join(binDir, 'java'), '#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n', { mode: 0o755 });
    const { status, stderr } = runNpmTest();
    expect(status).toBe(2);
    expect(stderr).toContain('npm test needs a system requirement that this machine lacks:');
    expect(stderr).toMatch(/ {2}- Java 17\+ \(the local Kafka broker, the Avro oracle\): found Java 11 at \S+\/java\n/);
    expect(stderr).toContain('apt-get install --no-install-recommends openjdk-17-jre-headless');
  });

  it('refuses a Node.js older than 20.19', () => {
    const script = `import('${path.join(root, 'tools/scripts/check-requirements.mjs')}').then((m) => {
      const old = m.missingRequirements({ nodeVersion: '20.18.3', env: { PATH: '' } }).filter((r) => r.what.startsWith('Node.js'));
      const current = m.missingRequirements({ nodeVersion: '24.11.0', env: { PATH: '' } }).filter((r) => r.what.startsWith('Node.js'));
      console.log(JSON.stringify({ old, current, message: m.requirementsMessage(old) }));
    })`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const { old, current, message } = JSON.parse(out.stdout) as { old: { found: string }[]; current: unknown[]; message: string };
    expect(old).toHaveLength(1);
    expect(old[0]!.found).toBe('20.18.3');
    expect(current).toEqual([]);
    expect(message).toContain('Node.js 20.19+ (a current LTS line, see README "Supported versions"): found 20.18.3');
  });
});
