// A local HTTP service that receives webhook deliveries: counts them per event id (duplicates
// included), can be made to fail with 503 for a while, and can require a bearer token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery the service accepted. */
export interface WebhookDelivery {
  readonly body: Uint8Array;
  readonly headers: http.IncomingHttpHeaders;
  readonly receivedAt: number;
}

/** Options of {@link WebhookService}. */
export interface WebhookServiceOptions {
  /** Checks the `Authorization` header; return false to answer 401. */
  readonly authorize?: (authorization: string | undefined) => Promise<boolean> | boolean;
  /** Called for every accepted delivery (after it is recorded). */
  readonly onDelivery?: (delivery: WebhookDelivery) => void | Promise<void>;
}

/** The webhook target of the demo and the tests. */
export class WebhookService {
  readonly deliveries: WebhookDelivery[] = [];
  /** Requests answered 503 because the service was failing. */
  failedRequests = 0;
  /** Requests answered 401. */
  unauthorizedRequests = 0;
  #failing = false;
  #server: http.Server | undefined;
  readonly #options: WebhookServiceOptions;

  constructor(options: WebhookServiceOptions = {}) {
    this.#options = options;
  }

  /** Starts listening on 127.0.0.1 (port 0 picks a free one). */
  async listen(port = 0): Promise<string> {
    const server = http.createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    return this.url;
  }

  /** Base URL of the service. */
  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the webhook service is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Whether requests are answered 503. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Starts or stops answering 503. */
  setFailing(failing: boolean): void {
    this.#failing = failing;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (this.#options.authorize && !(await this.#options.authorize(req.headers.authorization))) {
      this.unauthorizedRequests++;
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    if (this.#failing) {
      this.failedRequests++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('temporarily unavailable');
      return;
    }
    const delivery: WebhookDelivery = { body: new Uint8Array(Buffer.concat(chunks)), headers: req.headers, receivedAt: Date.now() };
    this.deliveries.push(delivery);
    try {
      await this.#options.onDelivery?.(delivery);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-message-id': `hook-${this.deliveries.length}` }).end('{"ok":true}');
  }
}
