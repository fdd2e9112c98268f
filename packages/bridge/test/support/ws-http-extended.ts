// A ProtocolHttpExtended whose websocketConnect wraps a real `ws` client (standing in for
// @onex/http-extended). Other methods are outside the bridge's needs and reject.
import WebSocket from 'ws';
import type {
  LiteralWebSocketState,
  ProtocolHttpExtended,
  ProtocolJWTClaims,
  ProtocolWebSocketConnection,
  ProtocolWebSocketEvents,
  ProtocolWebSocketMessage,
} from '@onex/spi-types';

class WsConnection implements ProtocolWebSocketConnection {
  readonly protocol = '';
  readonly #queue: ProtocolWebSocketMessage[] = [];
  readonly #waiting: { resolve: (m: ProtocolWebSocketMessage) => void; reject: (e: Error) => void }[] = [];
  #closed = false;

  constructor(readonly url: string, private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const message: ProtocolWebSocketMessage = isBinary ? new Uint8Array(data as Buffer) : (data as Buffer).toString('utf8');
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(message);
      else this.#queue.push(message);
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiting.splice(0)) w.reject(new Error('closed'));
    });
  }

  get state(): LiteralWebSocketState {
    return ({ 0: 'connecting', 1: 'open', 2: 'closing', 3: 'closed' } as const)[this.socket.readyState as 0 | 1 | 2 | 3];
  }

  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, (error) => (error ? reject(error) : resolve())));
  }

  receive(): Promise<ProtocolWebSocketMessage> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  close(code?: number, reason?: string): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(code, reason);
    });
  }

  ping(): Promise<number> {
    const started = Date.now();
    return new Promise((resolve) => {
      this.socket.once('pong', () => resolve(Date.now() - started));
      this.socket.ping();
    });
  }

  on<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this {
    this.socket.on(event, listener as never);
    return this;
  }

  off<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this {
    this.socket.off(event, listener as never);
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProtocolWebSocketMessage> {
    for (;;) {
      try {
        yield await this.receive();
      } catch {
        return;
      }
    }
  }
}

export class WsHttpExtended implements Pick<ProtocolHttpExtended, 'websocketConnect' | 'authenticateJwt'> {
  readonly connections: WsConnection[] = [];

  /** @param verifyJwt verification used by authenticateJwt (tests pass a tiny verifier) */
  constructor(private readonly verifyJwt?: (token: string) => Promise<ProtocolJWTClaims> | ProtocolJWTClaims) {}

  websocketConnect(url: string): Promise<ProtocolWebSocketConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => {
        const connection = new WsConnection(url, socket);
        this.connections.push(connection);
        resolve(connection);
      });
      socket.once('error', reject);
    });
  }

  async authenticateJwt(token: string): Promise<ProtocolJWTClaims> {
    if (!this.verifyJwt) throw new Error('no verifier');
    return this.verifyJwt(token);
  }
}
