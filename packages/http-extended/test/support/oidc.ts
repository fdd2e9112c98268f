import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/** A running oidc-provider child process. */
export interface OidcServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  tokenRequests(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts test/fixtures/oidc-server.mjs with plain node (Jest never loads the ESM-only provider). */
export async function startOidcServer(): Promise<OidcServer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, '../fixtures/oidc-server.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
    child.once('exit', (code) => reject(new Error(`oidc fixture exited with ${code}: ${stderr}`)));
  });
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    async tokenRequests() {
      const res = await fetch(`${issuer}/test/stats`);
      return ((await res.json()) as { tokenRequests: number }).tokenRequests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
