// Helpers for ingress tests that need the real thing: an ingress in a child process (started with
// tsx, see ../fixtures/ingress-child.ts) and raw HTTP over a net.Socket, so request lines and bytes
// go out exactly as written.
import { fork, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import type { StoredRecord } from '../fixtures/ingress-child.js';

const root = path.resolve(__dirname, '../../../..');

/** An ingress running in a child process. */
export interface IngressProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** What the child wrote to stderr so far. */
  stderr(): string;
  /** True while the child runs. */
  alive(): boolean;
  /** Records the memory channels hold (`events`, `text`, `bytes`). */
  records(): Promise<Record<string, StoredRecord[]>>;
  /** `process.memoryUsage()` of the child (after a GC). */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Kills the child and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts an ingress (with the given IngressServer options) in a child process. */
export async function startIngressProcess(options: Record<string, unknown> = {}): Promise<IngressProcess> {
  const child = fork(path.join(__dirname, '../fixtures/ingress-child.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json'),
      INGRESS_OPTIONS: JSON.stringify(options),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ingress child did not start in 20 s\n${stderr}`)),
      20_000,
    );
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ingress child exited (${code}) before listening\n${stderr}`));
    });
  });
  let next = 0;
  const ask = <T>(what: string, key: string) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const onMessage = (message: Record<string, unknown>) => {
        if (message['id'] !== id) return;
        child.off('message', onMessage);
        resolve(message[key] as T);
      };
      child.on('message', onMessage);
      child.send({ id, what }, (error) => error && reject(error));
    });
  return {
    port,
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    records: () => ask('records', 'records'),
    memory: () => ask('memory', 'memory'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

/** A response read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body as JSON, or undefined when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * Writes `chunks` to a fresh connection (waiting `gapMs` between them) and reads one response.
 * Resolves with `undefined` when the server closes without answering.
 */
export function rawRequest(
  port: number,
  chunks: readonly (string | Uint8Array)[],
  options: { gapMs?: number; timeoutMs?: number } = {},
): Promise<RawResponse | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(parseResponse(Buffer.concat(received)));
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `no complete response in ${options.timeoutMs ?? 5000} ms; got ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 300))}`,
          ),
        ),
      options.timeoutMs ?? 5000,
    );
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (parseResponse(Buffer.concat(received), true)) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A reset after the answer (the server closing on a request it refused) is not a failure.
    socket.on('error', (error) => (received.length > 0 ? finish() : finish(error)));
    socket.once('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** Parses one HTTP/1.1 response (after any 1xx) with a content-length or chunked body; `complete` asks for a whole one. */
function parseResponse(data: Buffer, complete = false): RawResponse | undefined {
  while (/^HTTP\/1\.1 1\d\d /.test(data.subarray(0, 13).toString('latin1'))) {
    const interim = data.indexOf('\r\n\r\n');
    if (interim === -1) return undefined;
    data = data.subarray(interim + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = data.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (complete && rest.length < length) return undefined;
    rest = rest.subarray(0, length);
  } else if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd === -1)
        return complete ? undefined : { ...build(statusLine!, headers, Buffer.concat(parts)) };
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    rest = Buffer.concat(parts);
  } else if (complete) {
    return undefined;
  }
  return build(statusLine!, headers, rest);
}

function build(statusLine: string, headers: Record<string, string>, body: Buffer): RawResponse {
  const text = body.toString('utf8');
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text, json };
}
