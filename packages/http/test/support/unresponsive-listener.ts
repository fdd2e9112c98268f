import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * A TCP listener whose accept queue is full, so new connections never complete: a child Node
 * process listens with backlog 1 and then blocks its event loop; the queue is filled by hand.
 * Used to provoke a real connect timeout on loopback.
 */
export interface UnresponsiveListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function startUnresponsiveListener(): Promise<UnresponsiveListener> {
  const script = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(s.address().port) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  // Fill the accept queue until a connection attempt hangs.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i += 1) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
