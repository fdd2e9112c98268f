import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { HttpExtended } from '../http-extended.js';
import { channelName } from '../internal/diagnostics.js';
import { WebSocketConnection } from './websocket-connection.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unmasked server frame (FIN set) with a payload shorter than 126 bytes. */
function frame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.byteLength]), payload]);
}

interface RawPeer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A hand-written WebSocket server on loopback that writes its 101 answer and `after` in a single
 * `write`, so both arrive in one TCP segment; any later byte from the client ends the socket.
 */
async function rawPeer(after: Buffer): Promise<RawPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let head = '';
    let upgraded = false;
    socket.on('data', (data: Buffer) => {
      if (upgraded) {
        socket.end();
        return;
      }
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      upgraded = true;
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
      const answer = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(answer, 'latin1'), after]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe(WebSocketConnection, () => {
  let client: HttpExtended;
  let peer: RawPeer | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);

  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
    client = new HttpExtended();
  });
  afterEach(async () => {
    await client.close();
    await peer?.stop();
    peer = undefined;
    process.off('uncaughtException', onUncaught);
  });

  describe('data that arrives in the same segment as the handshake answer', () => {
    it('delivers a text message sent together with the 101 response', async () => {
      peer = await rawPeer(frame(0x1, Buffer.from('early bird')));
      const ws = await client.websocketConnect(peer.url);
      expect(await ws.receive({ timeoutMs: 2000 })).toBe('early bird');
      expect(uncaught).toEqual([]);
    });

    it('closes with a typed protocol error on invalid UTF-8 and keeps the process up', async () => {
      peer = await rawPeer(frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])));
      const ws = await client.websocketConnect(peer.url);
      const error = await ws.receive({ timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WS_CLOSED' });
      expect((error as Error).cause).toMatchObject({ code: 'WS_PROTOCOL_ERROR', details: { wsCode: 'WS_ERR_INVALID_UTF8', closeCode: 1007 } });
      expect((error as Error).message).toMatch(/closed/);
      expect(ws.state).toBe('closed');
      // Give any stray error event a turn to surface as an uncaught exception.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    });

    it('closes with WS_PAYLOAD_TOO_LARGE when an oversized frame follows the 101 response', async () => {
      peer = await rawPeer(frame(0x2, Buffer.alloc(100, 7)));
      const ws = await client.websocketConnect(peer.url, { maxPayload: 10 });
      const error = await ws.receive({ timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WS_CLOSED' });
      expect((error as Error).cause).toMatchObject({ code: 'WS_PAYLOAD_TOO_LARGE', details: { maxPayload: 10 } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    });
  });

  describe('heartbeat', () => {
    let wss: WebSocketServer | undefined;
    const sockets: ServerSocket[] = [];
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.terminate();
      if (wss !== undefined) await new Promise((resolve) => wss!.close(resolve));
      wss = undefined;
    });

    /** A ws server that answers pings itself, after `pongDelayMs` (never when undefined). */
    async function pongServer(pongDelayMs: number | undefined): Promise<{ url: string; pings: number[] }> {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
      wss = server;
      await new Promise<void>((resolve) => server.once('listening', resolve));
      const pings: number[] = [];
      server.on('connection', (socket) => {
        sockets.push(socket);
        socket.on('ping', (payload) => {
          pings.push(Date.now());
          if (pongDelayMs !== undefined) setTimeout(() => socket.readyState === socket.OPEN && socket.pong(payload), pongDelayMs);
        });
      });
      return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, pings };
    }

    it('keeps a peer whose pongs come later than the ping interval but within heartbeatTimeoutSeconds', async () => {
      const peer = await pongServer(250);
      const ws = await client.websocketConnect(peer.url, { heartbeatIntervalSeconds: 0.1, heartbeatTimeoutSeconds: 2 });
      const errors: Error[] = [];
      ws.on('error', (e) => errors.push(e));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(errors).toEqual([]);
      expect(ws.state).toBe('open');
      expect(peer.pings.length).toBeGreaterThanOrEqual(2);
    });

    it('terminates a silent peer after heartbeatTimeoutSeconds with WS_HEARTBEAT_TIMEOUT and close 1006', async () => {
      const peer = await pongServer(undefined);
      const ws = await client.websocketConnect(peer.url, { heartbeatIntervalSeconds: 0.05, heartbeatTimeoutSeconds: 0.1 });
      const errors: Error[] = [];
      ws.on('error', (e) => errors.push(e));
      const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
      expect(code).toBe(1006);
      expect(errors[0]).toMatchObject({ code: 'WS_HEARTBEAT_TIMEOUT', details: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 } });
      await expect(ws.receive()).rejects.toMatchObject({ code: 'WS_CLOSED', cause: { code: 'WS_HEARTBEAT_TIMEOUT' } });
    });

    it('is on by default: a ping after 30 s, and a peer silent for 10 s more is terminated', async () => {
      const peer = await pongServer(undefined);
      // Only setTimeout/setInterval are faked (sockets and their timeouts run for real), before the
      // connect so the heartbeat interval is a fake one.
      jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      try {
        const ws = await client.websocketConnect(peer.url);
        const errors: Error[] = [];
        ws.on('error', (e) => errors.push(e));
        const closed = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
        jest.advanceTimersByTime(29_999);
        for (let i = 0; i < 20; i += 1) await turn();
        expect(peer.pings).toHaveLength(0);
        jest.advanceTimersByTime(1);
        for (let i = 0; i < 50 && peer.pings.length === 0; i += 1) await turn();
        expect(peer.pings).toHaveLength(1);
        jest.advanceTimersByTime(9_999);
        expect(errors).toEqual([]);
        expect(ws.state).toBe('open');
        jest.advanceTimersByTime(1);
        expect(errors[0]).toMatchObject({ code: 'WS_HEARTBEAT_TIMEOUT' });
        jest.useRealTimers();
        expect(await closed).toBe(1006);
      } finally {
        jest.useRealTimers();
      }
    });

    it('disables the heartbeat with heartbeatIntervalSeconds 0 and validates heartbeatTimeoutSeconds', async () => {
      expect(() => new HttpExtended({ websocket: { heartbeatTimeoutSeconds: 0 } })).toThrow(
        '`websocket.heartbeatTimeoutSeconds` must be a positive number, got 0',
      );
      const peer = await pongServer(undefined);
      jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
      let ws: WebSocketConnection;
      try {
        ws = await client.websocketConnect(peer.url, { heartbeatIntervalSeconds: 0 });
        jest.advanceTimersByTime(3_600_000);
      } finally {
        jest.useRealTimers();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(peer.pings).toHaveLength(0);
      expect(ws.state).toBe('open');
    });
  });

  describe('initial connect', () => {
    /** A loopback port with nothing listening on it (yet). */
    async function freePort(): Promise<number> {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      return port;
    }

    let late: WebSocketServer | undefined;
    afterEach(async () => {
      if (late !== undefined) {
        for (const socket of late.clients) socket.terminate();
        await new Promise((resolve) => late!.close(resolve));
      }
      late = undefined;
    });

    function listenLater(port: number, afterMs: number): void {
      setTimeout(() => {
        late = new WebSocketServer({ host: '127.0.0.1', port });
        late.on('connection', (socket) => socket.send('hello'));
      }, afterMs);
    }

    it('retries a refused first connect with the reconnect backoff by default until the server listens', async () => {
      const port = await freePort();
      const retries: unknown[] = [];
      const listener = (message: unknown): void => void retries.push(message);
      diagnosticsChannel.subscribe(channelName('ws-reconnect'), listener);
      try {
        listenLater(port, 300);
        const ws = await client.websocketConnect(`ws://127.0.0.1:${port}`);
        expect(await ws.receive({ timeoutMs: 2000 })).toBe('hello');
        expect(retries.length).toBeGreaterThanOrEqual(1);
        expect(retries[0]).toMatchObject({ url: `ws://127.0.0.1:${port}`, attempt: 1, initial: true });
        // Default backoff: attempt 1 waits within [50, 100] ms.
        expect((retries[0] as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(50);
        expect((retries[0] as { delayMs: number }).delayMs).toBeLessThanOrEqual(100);
      } finally {
        diagnosticsChannel.unsubscribe(channelName('ws-reconnect'), listener);
      }
    });

    it('uses the reconnect options for the first connect and reports the attempts when they run out', async () => {
      const port = await freePort();
      const error = await client
        .websocketConnect(`ws://127.0.0.1:${port}`, { reconnect: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WS_CONNECT_FAILED', details: { attempts: 4 } });
      expect((error as Error).message).toMatch(/ECONNREFUSED.*after 4 attempts/);
    });

    it('does not retry with retryInitialConnect false, nor after a 4xx answer to the upgrade', async () => {
      const port = await freePort();
      await expect(client.websocketConnect(`ws://127.0.0.1:${port}`, { retryInitialConnect: false })).rejects.toMatchObject({
        code: 'WS_CONNECT_FAILED',
        details: { attempts: 1 },
      });
      let requests = 0;
      const refusing = http.createServer((_req, res) => void res.writeHead(401).end());
      refusing.on('upgrade', (_req, socket: net.Socket) => {
        requests += 1;
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      try {
        const url = `ws://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
        await expect(client.websocketConnect(url, { reconnect: { initialDelayMs: 10, maxDelayMs: 10 } })).rejects.toMatchObject({
          code: 'WS_CONNECT_FAILED',
          message: expect.stringMatching(/401/),
        });
        expect(requests).toBe(1);
      } finally {
        await new Promise((resolve) => refusing.close(resolve));
      }
    });

    it('stops retrying when the client is closed', async () => {
      const port = await freePort();
      const pending = client.websocketConnect(`ws://127.0.0.1:${port}`, { reconnect: { initialDelayMs: 50, maxDelayMs: 50, maxAttempts: 1000 } });
      await new Promise((resolve) => setTimeout(resolve, 120));
      await client.close();
      await expect(pending).rejects.toMatchObject({ code: 'HTTPX_CLOSED' });
    });
  });
});
