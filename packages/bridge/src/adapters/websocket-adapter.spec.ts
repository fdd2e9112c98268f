import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsHttpExtended } from '../../test/support/ws-http-extended.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { MemoryAdapter } from './memory-adapter.js';
import { WebSocketAdapter } from './websocket-adapter.js';

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe(WebSocketAdapter, () => {
  let wss: WebSocketServer;
  let url: string;
  let peers: WebSocket[];
  let frames: { data: string; binary: boolean }[];
  let bridge: CommunicationBridge;
  let memory: MemoryAdapter;

  beforeEach(async () => {
    peers = [];
    frames = [];
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (socket) => {
      peers.push(socket);
      socket.on('message', (data, binary) => frames.push({ data: data.toString(), binary }));
    });
    memory = new MemoryAdapter();
    bridge = new CommunicationBridge({ adapters: [memory, new WebSocketAdapter({ client: new WsHttpExtended() })] });
  });
  afterEach(async () => {
    await bridge.close();
    for (const p of peers) p.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  it('sends each message as one frame to the target endpoint', async () => {
    const id = await bridge.createBridge('to-ws', 'memory', 'websocket', { sourceEndpoint: 'in', targetEndpoint: url });
    const result = await bridge.sendMessageThroughBridge(id, { payload: { event: 'tick' } });
    expect(result).toMatchObject({ success: true, target: url, messageId: expect.stringMatching(/^ws:/) });
    const bytes = await bridge.createBridge('to-ws-bytes', 'memory', 'websocket', { sourceEndpoint: 'in2', targetEndpoint: url, messageFormat: 'bytes' });
    await bridge.sendMessageThroughBridge(bytes, { payload: new Uint8Array([104, 105]) });
    await until(() => frames.length === 2);
    expect(frames).toEqual([{ data: '{"event":"tick"}', binary: false }, { data: 'hi', binary: true }]);
    expect((await bridge.monitorBridgeHealth(id)).target.reachable).toBe(true);
  });

  it('reads frames from the source endpoint into the bridge', async () => {
    const id = await bridge.createBridge('from-ws', 'websocket', 'memory', { sourceEndpoint: url, targetEndpoint: 'sink' });
    await until(() => peers.length === 1);
    peers[0]!.send(JSON.stringify({ n: 1 }));
    peers[0]!.send(JSON.stringify({ n: 2 }));
    await until(() => memory.records('sink').length === 2);
    expect(memory.records('sink').map((r) => r.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(memory.records('sink')[0]!.headers).toEqual({});
    expect((await bridge.monitorBridgeHealth(id)).source).toMatchObject({ reachable: true });
    await bridge.destroyBridge(id);
    await until(() => peers[0]!.readyState === peers[0]!.CLOSED);
  });

  it('delivers every frame of a burst larger than the queue limit, reading only while the queue has room', async () => {
    await bridge.close();
    bridge = new CommunicationBridge({ adapters: [memory, new WebSocketAdapter({ client: new WsHttpExtended() })], maxQueuedMessages: 20 });
    memory.subscribe('sink', () => new Promise<void>((resolve) => setImmediate(resolve)));
    const id = await bridge.createBridge('burst', 'websocket', 'memory', { sourceEndpoint: url, targetEndpoint: 'sink', concurrency: 4 });
    await until(() => peers.length === 1);
    for (let n = 0; n < 5000; n += 1) peers[0]!.send(`{"n":${n}}`);
    await until(() => memory.records('sink').length === 5000, 20_000);
    expect(new Set(memory.records('sink').map((r) => (r.payload as { n: number }).n)).size).toBe(5000);
    const status = await bridge.getBridgeStatus(id);
    expect(status).toMatchObject({ messagesProcessed: 5000, messagesFailed: 0 });
    expect(status.lastError).toBeUndefined();
    expect(await bridge.getBridgeMetrics(id)).toMatchObject({ messagesIn: 5000, messagesOut: 5000 });
  }, 30_000);

  it('stops promptly while waiting for room in a full queue', async () => {
    await bridge.close();
    bridge = new CommunicationBridge({ adapters: [memory, new WebSocketAdapter({ client: new WsHttpExtended() })], maxQueuedMessages: 2, drainTimeoutMs: 20 });
    memory.subscribe('down', () => {
      throw new Error('target down');
    });
    const id = await bridge.createBridge('stuck', 'websocket', 'memory', {
      sourceEndpoint: url,
      targetEndpoint: 'down',
      dlqTarget: 'memory:dlq',
      retryPolicy: { maxRetries: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await until(() => peers.length === 1);
    for (let n = 0; n < 10; n += 1) peers[0]!.send(`{"n":${n}}`);
    while ((await bridge.getBridgeStatus(id)).inFlight < 2) await sleep(5);
    await bridge.destroyBridge(id);
    // The two messages in the queue had their retry waits aborted by the drain timeout and were dead-lettered.
    expect(memory.records('dlq')).toHaveLength(2);
  }, 10_000);

  it('rejects endpoints that are not ws:// URLs', async () => {
    await expect(bridge.createBridge('bad', 'websocket', 'memory', { sourceEndpoint: 'http://x', targetEndpoint: 'sink' })).rejects.toMatchObject({
      code: 'BRIDGE_INVALID_CONFIG',
      message: '`sourceEndpoint` must be a ws:// or wss:// URL, got "http://x"',
    });
    expect(() => new WebSocketAdapter({ client: {} as never })).toThrow('`client` must implement ProtocolHttpExtended.websocketConnect');
  });
});
