import { execFileSync } from 'node:child_process';
import path from 'node:path';

describe('the shared signal of operations without a timeout', () => {
  it('lets many concurrent operations listen on it without a listener-leak warning', () => {
    // Node reports MaxListenersExceededWarning on the real process, which Jest's sandbox does not
    // see, so the scenario runs in a child process.
    const root = path.resolve(__dirname, '../../../..');
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../test/fixtures/shared-signal-listeners.ts')], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ completed: 50, warnings: [] });
  });
});
