import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { HttpExtended, WebSocketError, type WebSocketConnection } from '../src/index.js';

interface Peer {
  wss: WebSocketServer;
  url: string;
  sockets: ServerSocket[];
  headers: Record<string, string | string[] | undefined>[];
}

async function startPeer(options: ConstructorParameters<typeof WebSocketServer>[0] = {}, port = 0): Promise<Peer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, ...options });
  await new Promise<void>((r) => wss.once('listening', r));
  const peer: Peer = { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, sockets: [], headers: [] };
  wss.on('connection', (socket, req) => {
    peer.sockets.push(socket);
    peer.headers.push(req.headers);
    socket.on('message', (data, isBinary) => {
      const text = data.toString();
      if (!isBinary && text.startsWith('big:')) socket.send('x'.repeat(Number(text.slice(4))));
      else socket.send(data, { binary: isBinary });
    });
  });
  return peer;
}

async function stopPeer(peer: Peer): Promise<void> {
  for (const s of peer.sockets) s.terminate();
  await new Promise((r) => peer.wss.close(r));
}

describe('HttpExtended.websocketConnect', () => {
  let peer: Peer;
  let client: HttpExtended;
  beforeEach(async () => {
    peer = await startPeer({ handleProtocols: (protocols) => (protocols.has('v2') ? 'v2' : false), perMessageDeflate: true });
    client = new HttpExtended();
  });
  afterEach(async () => {
    await client.close();
    await stopPeer(peer);
  });

  it('sends and receives text and binary messages, and iterates over them', async () => {
    const ws = await client.websocketConnect(peer.url, { headers: { 'x-token': 'abc' }, protocols: ['v1', 'v2'] });
    expect(ws.state).toBe('open');
    expect(ws.protocol).toBe('v2');
    expect(peer.headers[0]?.['x-token']).toBe('abc');
    await ws.send('hello');
    await ws.send(new Uint8Array([1, 2, 3]));
    expect(await ws.receive({ timeoutMs: 2000 })).toBe('hello');
    expect(await ws.receive({ timeoutMs: 2000 })).toEqual(new Uint8Array([1, 2, 3]));
    await Promise.all(['a', 'b', 'c'].map((m) => ws.send(m)));
    const seen: unknown[] = [];
    for await (const message of ws) {
      seen.push(message);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    await ws.close();
    expect(ws.state).toBe('closed');
  });

  it('rejects receive after a timeout and send after close', async () => {
    const ws = await client.websocketConnect(peer.url);
    await expect(ws.receive({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'WS_RECEIVE_TIMEOUT' });
    await ws.close(4000, 'bye');
    await expect(ws.send('late')).rejects.toMatchObject({ code: 'WS_CLOSED' });
    await expect(ws.receive()).rejects.toBeInstanceOf(WebSocketError);
  });

  it('measures a ping round trip', async () => {
    const ws = await client.websocketConnect(peer.url);
    const rtt = await ws.ping();
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(5000);
  });

  it('negotiates permessage-deflate only when asked', async () => {
    const plain = await client.websocketConnect(peer.url);
    const deflated = await client.websocketConnect(peer.url, { perMessageDeflate: true });
    expect(plain.extensions).toBe('');
    expect(deflated.extensions).toContain('permessage-deflate');
    await deflated.send('z'.repeat(10_000));
    expect(await deflated.receive({ timeoutMs: 2000 })).toBe('z'.repeat(10_000));
  });

  it('closes the connection and emits WS_PAYLOAD_TOO_LARGE when a message exceeds maxPayload', async () => {
    const ws = await client.websocketConnect(peer.url, { maxPayload: 1024 });
    const errors: Error[] = [];
    const closes: number[] = [];
    ws.on('error', (e) => errors.push(e)).on('close', (code) => closes.push(code));
    await ws.send('big:5000');
    await expect(ws.receive({ timeoutMs: 2000 })).rejects.toMatchObject({ code: 'WS_CLOSED' });
    expect(errors[0]).toMatchObject({ code: 'WS_PAYLOAD_TOO_LARGE' });
    expect(closes).toHaveLength(1);
    expect(ws.state).toBe('closed');
  });

  it('fails with WS_HANDSHAKE_TIMEOUT when the server never answers the upgrade', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      await expect(client.websocketConnect(`ws://127.0.0.1:${port}`, { handshakeTimeoutMs: 100, retryInitialConnect: false })).rejects.toMatchObject({
        code: 'WS_HANDSHAKE_TIMEOUT',
      });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('fails with WS_CONNECT_FAILED when nothing listens', async () => {
    const dead = await startPeer();
    const url = dead.url;
    await stopPeer(dead);
    await expect(client.websocketConnect(url, { retryInitialConnect: false })).rejects.toMatchObject({ code: 'WS_CONNECT_FAILED' });
  });

  it('terminates a peer that stops answering pings', async () => {
    const mute = await startPeer({ autoPong: false });
    try {
      const ws = await client.websocketConnect(mute.url, { heartbeatIntervalSeconds: 0.05, heartbeatTimeoutSeconds: 0.1 });
      const errors: Error[] = [];
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.on('error', (e) => errors.push(e));
      expect(await closed).toBe(1006);
      expect(errors.map((e) => (e as WebSocketError).code)).toContain('WS_HEARTBEAT_TIMEOUT');
      expect(ws.state).toBe('closed');
    } finally {
      await stopPeer(mute);
    }
  });

  it('keeps a healthy connection open under the heartbeat', async () => {
    // Several heartbeat rounds; the interval leaves room for event-loop stalls on a loaded CI machine.
    const ws = await client.websocketConnect(peer.url, { heartbeatIntervalSeconds: 0.25 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(ws.state).toBe('open');
    await expect(ws.ping()).resolves.toBeGreaterThanOrEqual(0);
    await ws.close();
  });

  describe('reconnect', () => {
    it('reconnects with backoff after the server drops the connection and flushes queued sends', async () => {
      const ws: WebSocketConnection = await client.websocketConnect(peer.url, {
        reconnect: { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 5 },
      });
      const reconnects: [number, number][] = [];
      let opened = 0;
      ws.on('reconnect', (attempt, delay) => reconnects.push([attempt, delay])).on('open', () => (opened += 1));
      peer.sockets[0]!.terminate();
      await new Promise((r) => setTimeout(r, 10));
      expect(ws.state).toBe('reconnecting');
      const queued = ws.send('while away');
      expect(ws.queuedSends).toBe(1);
      await queued;
      expect(await ws.receive({ timeoutMs: 2000 })).toBe('while away');
      expect(opened).toBe(1);
      expect(reconnects[0]?.[0]).toBe(1);
      expect(reconnects[0]?.[1]).toBeGreaterThanOrEqual(25);
      expect(reconnects[0]?.[1]).toBeLessThanOrEqual(50);
      expect(ws.state).toBe('open');
    });

    it('rejects sends beyond maxQueuedMessages while reconnecting', async () => {
      const ws = await client.websocketConnect(peer.url, { reconnect: { initialDelayMs: 200, maxDelayMs: 200 }, maxQueuedMessages: 2 });
      peer.sockets[0]!.terminate();
      await new Promise((r) => setTimeout(r, 20));
      const first = ws.send('1');
      const second = ws.send('2');
      await expect(ws.send('3')).rejects.toMatchObject({ code: 'WS_QUEUE_FULL' });
      await Promise.all([first, second]);
    });

    it('gives up after maxAttempts with growing jittered delays and rejects queued sends', async () => {
      const ws = await client.websocketConnect(peer.url, { reconnect: { initialDelayMs: 20, maxDelayMs: 60, maxAttempts: 3 } });
      const delays: number[] = [];
      ws.on('reconnect', (_attempt, delay) => delays.push(delay));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await stopPeer(peer);
      while (ws.state === 'open') await new Promise((r) => setTimeout(r, 1));
      const pending = ws.send('never');
      expect(await closed).toBe(1006);
      await expect(pending).rejects.toMatchObject({ code: 'WS_CLOSED' });
      expect(delays).toHaveLength(3);
      expect(delays[0]).toBeGreaterThanOrEqual(10);
      expect(delays[0]).toBeLessThanOrEqual(20);
      expect(delays[2]).toBeGreaterThanOrEqual(30);
      expect(delays[2]).toBeLessThanOrEqual(60);
      peer = await startPeer();
    });

    it('does not reconnect after a normal close by the server', async () => {
      const ws = await client.websocketConnect(peer.url, { reconnect: true });
      const reconnects: number[] = [];
      ws.on('reconnect', (a) => reconnects.push(a));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      peer.sockets[0]!.close(1000, 'done');
      expect(await closed).toBe(1000);
      expect(reconnects).toEqual([]);
      const messages: unknown[] = [];
      for await (const m of ws) messages.push(m);
      expect(messages).toEqual([]);
    });
  });

  it('pauses reading when maxBufferedMessages are waiting and resumes as they are consumed', async () => {
    const ws = await client.websocketConnect(peer.url, { maxBufferedMessages: 4 });
    for (let i = 0; i < 20; i += 1) await ws.send(`m${i}`);
    const got: unknown[] = [];
    for (let i = 0; i < 20; i += 1) got.push(await ws.receive({ timeoutMs: 2000 }));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('validates options with messages naming the option', async () => {
    await expect(client.websocketConnect(peer.url, { maxQueuedMessages: -1 })).rejects.toThrow(
      '`options.maxQueuedMessages` must be a positive integer, got -1',
    );
    await expect(client.websocketConnect('ftp://x')).rejects.toMatchObject({ code: 'HTTPX_INVALID_OPTION' });
    const ws = await client.websocketConnect(peer.url);
    await expect(ws.close(1006)).rejects.toThrow('`code` must be 1000 or an integer in 3000..4999, got 1006');
  });
});
