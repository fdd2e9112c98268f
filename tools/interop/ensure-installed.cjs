// Installs this folder's own dependencies (Confluent's @confluentinc/schemaregistry and its cloud-KMS
// dependency tree, ~100 MB) from package-lock.json, once: they stay out of the workspace's `npm ci`.
// No install script runs (--ignore-scripts); none is needed. Used as Jest globalSetup and before typecheck.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const lock = path.join(here, 'package-lock.json');
const installed = path.join(here, 'node_modules', '.package-lock.json');

function ensureInstalled() {
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--workspaces=false'], { cwd: here, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    throw new Error(`[interop] npm ci in ${here} failed (${result.error?.message ?? `exit ${result.status}`}); it needs the npm registry once`);
  }
}

module.exports = async () => ensureInstalled();
if (require.main === module) ensureInstalled();
