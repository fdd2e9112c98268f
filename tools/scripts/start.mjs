#!/usr/bin/env node
// `npm start [-- --once]`: runs the demo application (e2e/src/demo/main.ts) with tsx, resolving the
// @onex/* packages from source. Ctrl-C reaches the demo, which stops every server and broker it started.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const child = spawn(tsx, ['--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, 'e2e/src/demo/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// The terminal sends SIGINT to the whole process group; the demo handles it, this wrapper waits.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
