// The architecture is a lint rule: protocol packages may import @onex/spi-types only. This test
// lints fixture sources as if they lived in packages/http/src and proves the rule rejects an
// import of another protocol package while accepting spi-types.
import { execFile } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

// ESLint runs in its own process (its flat config is ESM, which Jest's CommonJS VM cannot load).
function lintAs(relativeFile: string, code: string): Promise<LintMessage[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path.join(root, 'node_modules/.bin/eslint'),
      ['--stdin', '--stdin-filename', path.join(root, relativeFile), '--format', 'json'],
      { cwd: root },
      (error, stdout) => {
        try {
          const [result] = JSON.parse(stdout) as { messages: LintMessage[] }[];
          resolve((result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries'));
        } catch {
          reject(error ?? new Error(`eslint printed no JSON: ${stdout}`));
        }
      },
    );
    child.stdin?.end(code);
  });
}

describe('@nx/enforce-module-boundaries', () => {
  it('rejects an import from one protocol package into another', async () => {
    const messages = await lintAs(
      'packages/http/src/boundary-fixture.ts',
      "import { KafkaClient } from '@onex/kafka';\nexport const client = KafkaClient;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toBe('A project tagged with "type:adapter" can only depend on libs tagged with "type:spi"');
  });

  it('rejects any @onex import from spi-types', async () => {
    const messages = await lintAs('packages/spi-types/src/boundary-fixture.ts', "import { HttpClient } from '@onex/http';\nexport const c = HttpClient;\n");
    expect(messages).toHaveLength(1);
  });

  it('accepts a protocol package importing spi-types, and e2e importing everything', async () => {
    await expect(lintAs('packages/bridge/src/boundary-fixture.ts', "import { OnexError } from '@onex/spi-types';\nexport const E = OnexError;\n")).resolves.toEqual([]);
    await expect(
      lintAs('e2e/src/boundary-fixture.ts', "import { HttpClient } from '@onex/http';\nimport { KafkaClient } from '@onex/kafka';\nexport const all = [HttpClient, KafkaClient];\n"),
    ).resolves.toEqual([]);
  });
});
