import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { HttpExtended } from '../http-extended.js';
import type { WebSocketConnectOptions } from './websocket-connect-options.js';

/** Heartbeat durations are named `…Ms`; `heartbeatIntervalSeconds` / `heartbeatTimeoutSeconds` stay as deprecated aliases. */
describe('websocketConnect heartbeat options: …Ms names with their deprecated …Seconds aliases', () => {
  let wss: WebSocketServer;
  let url: string;
  let pings: number;
  const sockets: ServerSocket[] = [];
  const clients: HttpExtended[] = [];
  const open = (options: ConstructorParameters<typeof HttpExtended>[0] = {}): HttpExtended => {
    const client = new HttpExtended(options);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    // A peer that never answers a ping (autoPong off).
    pings = 0;
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('ping', () => (pings += 1));
    });
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const socket of sockets.splice(0)) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  const heartbeatFailure = async (client: HttpExtended, options: WebSocketConnectOptions = {}): Promise<unknown> => {
    const ws = await client.websocketConnect(url, options);
    const errors: unknown[] = [];
    ws.on('error', (e) => errors.push(e));
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    return errors[0];
  };

  it.each([
    ['heartbeatIntervalMs / heartbeatTimeoutMs', { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 }],
    ['heartbeatIntervalSeconds / heartbeatTimeoutSeconds (deprecated aliases)', { heartbeatIntervalSeconds: 0.05, heartbeatTimeoutSeconds: 0.1 }],
    ['a mix of both spellings', { heartbeatIntervalMs: 50, heartbeatTimeoutSeconds: 0.1 }],
  ] as const)('%s: a silent peer is terminated with WS_HEARTBEAT_TIMEOUT after interval 50 ms + timeout 100 ms', async (_name, options) => {
    const error = await heartbeatFailure(open(), options);
    expect(error).toMatchObject({ code: 'WS_HEARTBEAT_TIMEOUT', details: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 } });
    expect(pings).toBeGreaterThanOrEqual(1);
  });

  it('takes the …Ms names from the client-wide websocket defaults too', async () => {
    const error = await heartbeatFailure(open({ websocket: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 } }));
    expect(error).toMatchObject({ code: 'WS_HEARTBEAT_TIMEOUT', details: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 } });
  });

  it("lets a call's …Ms value win over a client default given under the deprecated …Seconds name", async () => {
    const client = open({ websocket: { heartbeatIntervalSeconds: 3600, heartbeatTimeoutSeconds: 3600 } });
    const error = await heartbeatFailure(client, { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 });
    expect(error).toMatchObject({ details: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 } });
  });

  it.each([
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 0 }, { heartbeatIntervalSeconds: 0.05 }],
    ['heartbeatIntervalSeconds (deprecated alias)', { heartbeatIntervalSeconds: 0 }, { heartbeatIntervalMs: 50 }],
  ] as const)('control: %s 0 on the call turns a 50 ms client-default heartbeat off, so the same silent peer stays connected', async (_name, options, defaults) => {
    const ws = await open({ websocket: { ...defaults, heartbeatTimeoutMs: 100 } }).websocketConnect(url, options);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pings).toBe(0);
    expect(ws.state).toBe('open');
  });

  it.each([
    [{ heartbeatIntervalMs: 100, heartbeatIntervalSeconds: 0.1 }, 'heartbeatIntervalMs', 'heartbeatIntervalSeconds'],
    [{ heartbeatTimeoutMs: 100, heartbeatTimeoutSeconds: 0.1 }, 'heartbeatTimeoutMs', 'heartbeatTimeoutSeconds'],
  ] as const)('refuses %o with HTTPX_INVALID_OPTION naming both, per call and as client default', async (options, msName, secondsName) => {
    await expect(open().websocketConnect(url, options)).rejects.toMatchObject({
      code: 'HTTPX_INVALID_OPTION',
      message: `\`options.${msName}\` must be given alone, not together with its deprecated alias \`options.${secondsName}\`, got 100`,
    });
    expect(() => open({ websocket: options })).toThrow(
      `\`websocket.${msName}\` must be given alone, not together with its deprecated alias \`websocket.${secondsName}\`, got 100`,
    );
    expect(wss.clients.size).toBe(0);
  });

  it('names the …Ms option when its value is bad', () => {
    expect(() => open({ websocket: { heartbeatIntervalMs: -1 } })).toThrow('`websocket.heartbeatIntervalMs` must be a non-negative number, got -1');
    expect(() => open({ websocket: { heartbeatTimeoutMs: 0 } })).toThrow('`websocket.heartbeatTimeoutMs` must be a positive number, got 0');
  });
});
