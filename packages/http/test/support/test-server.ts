import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server saw of one request. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** 1 for the first request on its socket, 2 for the second, … */
  readonly socketRequestIndex: number;
}

/** A node:http server on 127.0.0.1, port 0, that records what it receives. */
export interface TestServer {
  readonly url: string;
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Sockets currently open on the server side. */
  readonly sockets: Set<Socket>;
  /** Total sockets ever accepted. */
  accepted(): number;
  close(): Promise<void>;
}

export type TestHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  info: { body: Buffer; index: number; socketRequestIndex: number },
) => void | Promise<void>;

/** Starts a recording server; the handler runs after the request body is fully read. */
export async function startServer(handler: TestHandler, options: http.ServerOptions = {}): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const perSocket = new WeakMap<Socket, number>();
  let accepted = 0;
  const server = http.createServer({ keepAliveTimeout: 30_000, ...options }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const socketRequestIndex = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, socketRequestIndex);
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socketRequestIndex });
      Promise.resolve(handler(req, res, { body, index: requests.length, socketRequestIndex })).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    requests,
    sockets,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `predicate` holds, polling on real macrotasks (works under fake timers too). */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  let spins = 0;
  while (!predicate()) {
    spins += 1;
    if (spins > 1_000_000 || (spins % 100 === 0 && Date.now() - start > timeoutMs && !isFakeDate())) {
      throw new Error('waitFor: condition not met in time');
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function isFakeDate(): boolean {
  return typeof (Date as unknown as { clock?: unknown }).clock !== 'undefined' || typeof (setTimeout as unknown as { clock?: unknown }).clock !== 'undefined';
}
