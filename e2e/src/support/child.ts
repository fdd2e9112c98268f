// Child processes for the tests: TypeScript files run with tsx (so Jest never loads them).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '../../..');

/** A running child with its accumulated output. */
export interface Child {
  readonly process: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when a stdout line matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once exited. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts `command args` with output captured. */
export function startChild(command: string, args: readonly string[], env: Record<string, string> = {}): Child {
  // No colours: tests compare what children print.
  const child = spawn(command, args, { cwd: workspaceRoot, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => {
    for (const w of waiters) w();
    resolve(code ?? signal);
  }));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            cleanup();
            resolve(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`child exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no line matching ${pattern} after ${timeoutMs} ms\nstdout:\n${out.slice(-2000)}\nstderr:\n${err.slice(-2000)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * Runs a TypeScript file with tsx, resolving @onex/* to the packages' sources. The tsx loader runs
 * inside this one node process (`node --import tsx`, not the tsx CLI, which would put a second
 * process in between), so a SIGKILL reaches the code under test and leaves no orphan behind.
 */
export function startTsx(file: string, env: Record<string, string> = {}, args: readonly string[] = []): Child {
  return startChild(process.execPath, ['--import', 'tsx', file, ...args], {
    TSX_TSCONFIG_PATH: path.join(workspaceRoot, 'tsconfig.base.json'),
    ...env,
  });
}
