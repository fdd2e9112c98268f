// A WebSocket fan-out hub: connections to /publish send, every connection to /subscribe receives
// each published frame. The Kafka→WebSocket bridge publishes here; subscribers read from here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export class WebSocketHub {
  readonly #http = http.createServer((_req, res) => res.writeHead(426).end());
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #subscribers = new Set<WebSocket>();
  /** Frames received from publishers. */
  published = 0;

  constructor() {
    this.#http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://hub').pathname;
      if (path !== '/publish' && path !== '/subscribe') {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        if (path === '/subscribe') {
          this.#subscribers.add(ws);
          ws.on('close', () => this.#subscribers.delete(ws));
          return;
        }
        ws.on('message', (data, isBinary) => {
          this.published++;
          for (const subscriber of this.#subscribers) {
            if (subscriber.readyState === subscriber.OPEN) subscriber.send(data, { binary: isBinary });
          }
        });
      });
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.#http.listen(port, '127.0.0.1', resolve));
  }

  /** ws:// base URL. */
  get url(): string {
    return `ws://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
