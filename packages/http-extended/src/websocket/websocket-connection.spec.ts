import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { HttpExtended } from '../http-extended.js';
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
});
