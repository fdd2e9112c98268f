#!/usr/bin/env node
// Proves a built package loads by its name, through its `exports` map, with both `import` and
// `require` (require(esm), Node >= 20.19), from a directory outside the workspace.
//   node tools/scripts/smoke.mjs packages/http
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const pkgDir = path.resolve(process.argv[2] ?? '.');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-smoke-'));
try {
  const link = path.join(consumer, 'node_modules', ...pkg.name.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(pkgDir, link, 'dir');
  fs.writeFileSync(path.join(consumer, 'package.json'), '{"name":"smoke-consumer","private":true}');

  fs.writeFileSync(path.join(consumer, 'import.mjs'), `export * as mod from ${JSON.stringify(pkg.name)};\n`);
  const imported = (await import(pathToFileURL(path.join(consumer, 'import.mjs')).href)).mod;
  const required = createRequire(path.join(consumer, 'index.cjs'))(pkg.name);

  const importKeys = Object.keys(imported).sort();
  const requireKeys = Object.keys(required).filter((k) => k !== '__esModule' && k !== 'module.exports').sort();
  if (importKeys.length === 0) throw new Error(`${pkg.name}: import() gave a module with no exports`);
  if (JSON.stringify(importKeys) !== JSON.stringify(requireKeys)) {
    throw new Error(`${pkg.name}: import and require disagree:\n  import:  ${importKeys}\n  require: ${requireKeys}`);
  }
  let deepImportBlocked = false;
  try {
    createRequire(path.join(consumer, 'index.cjs'))(`${pkg.name}/dist/index.js`);
  } catch (error) {
    deepImportBlocked = error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
  if (!deepImportBlocked) throw new Error(`${pkg.name}: a deep import of dist/index.js was not blocked by "exports"`);
  console.log(`smoke ok: ${pkg.name} loads with import and require (${importKeys.length} exports); deep imports blocked`);
} finally {
  fs.rmSync(consumer, { recursive: true, force: true });
}
