import type {
  ProtocolBridgeConfig,
  ProtocolEndpointHealth,
  ProtocolHttpExtended,
  ProtocolWebSocketConnectOptions,
  ProtocolWebSocketConnection,
  ProtocolWebSocketMessage,
} from '@onex/spi-types';
import { BridgeConfigError } from '../errors/bridge-errors.js';
import type { BridgeAdapter, BridgeHandle, BridgeSource, BridgeTarget, OutboundMessage } from './bridge-adapter.js';
import { bridgeCheck } from '../internal/bridge-check.js';

const encoder = new TextEncoder();

/** Options of {@link WebSocketAdapter}. */
export interface WebSocketAdapterOptions {
  /** Client that opens the connections. */
  readonly client: Pick<ProtocolHttpExtended, 'websocketConnect'>;
  /** Options of every connection (headers, heartbeat, reconnect, …). @default { reconnect: true } */
  readonly connect?: ProtocolWebSocketConnectOptions;
}

/**
 * WebSocket through an injected `ProtocolHttpExtended`: a source reads every message of the
 * connection at `sourceEndpoint`; a target sends each message as one frame (text for json/text,
 * binary for bytes). WebSocket has no acknowledgements, so delivery is at-most-once: a message
 * is counted as delivered once written to the socket.
 */
export class WebSocketAdapter implements BridgeAdapter {
  readonly protocol = 'websocket';
  readonly #client: Pick<ProtocolHttpExtended, 'websocketConnect'>;
  readonly #connect: ProtocolWebSocketConnectOptions;

  /** @throws BridgeConfigError when the client is missing */
  constructor(options: WebSocketAdapterOptions) {
    if (typeof options?.client?.websocketConnect !== 'function') {
      throw new BridgeConfigError('`client` must implement ProtocolHttpExtended.websocketConnect');
    }
    this.#client = options.client;
    this.#connect = options.connect ?? { reconnect: true };
  }

  validate(config: ProtocolBridgeConfig, role: 'source' | 'target'): void {
    const endpoint = role === 'source' ? config.sourceEndpoint : config.targetEndpoint;
    if (role === 'source' || endpoint !== undefined) {
      if (!endpoint || !/^wss?:\/\//.test(endpoint)) {
        throw bridgeCheck.fail(`${role === 'source' ? 'sourceEndpoint' : 'targetEndpoint'}`, `a ws:// or wss:// URL`, endpoint);
      }
    }
  }

  createSource(bridge: BridgeHandle): BridgeSource {
    const url = bridge.config.sourceEndpoint!;
    let connection: ProtocolWebSocketConnection | undefined;
    let loop: Promise<void> | undefined;
    // Settles when the source stops, so that no wait for queue room outlives it (the bridge drains
    // its queue only after its source stopped).
    let stopping!: () => void;
    const stopped = new Promise<'stopped'>((resolve) => (stopping = () => resolve('stopped')));
    const room = (): Promise<unknown> => Promise.race([bridge.whenRoom(), stopped]);
    return {
      start: async () => {
        connection = await this.#client.websocketConnect(url, this.#connect);
        const conn = connection;
        const forward = async (frame: ProtocolWebSocketMessage): Promise<void> => {
          // Text frames of a json bridge carry JSON documents: hand them over as bytes so the
          // bridge parses them (and dead-letters the ones that are not JSON).
          const message = { payload: bridge.codec.format === 'json' && typeof frame === 'string' ? encoder.encode(frame) : frame, metadata: { source: 'websocket', url } };
          for (;;) {
            try {
              await bridge.send(message);
              return;
            } catch (error) {
              // Another source filled the queue between our wait and our send: wait again.
              if ((error as { code?: unknown }).code === 'BRIDGE_OVERLOADED' && bridge.accepting()) {
                // Once stopped, the next send fails with BRIDGE_STOPPED, which is reported below.
                await room();
                continue;
              }
              bridge.reportSourceError(error, false);
              return;
            }
          }
        };
        loop = (async () => {
          try {
            for await (const frame of conn) {
              if (!bridge.accepting()) break;
              // Backpressure: no frame is taken from the connection while the bridge's queue is full.
              if ((await room()) === 'stopped') break;
              void forward(frame);
            }
          } catch (error) {
            if (bridge.accepting()) bridge.reportSourceError(error, true);
          }
        })();
      },
      stop: async () => {
        stopping();
        await connection?.close(1000, 'bridge stopped').catch(() => undefined);
        await loop;
      },
      check: async (): Promise<ProtocolEndpointHealth> => ({
        reachable: connection?.state === 'open',
        detail: `${url} is ${connection?.state ?? 'not connected'}`,
      }),
    };
  }

  createTarget(bridge: BridgeHandle): BridgeTarget {
    const connections = new Map<string, Promise<ProtocolWebSocketConnection>>();
    const open = (url: string): Promise<ProtocolWebSocketConnection> => {
      let pending = connections.get(url);
      if (!pending) {
        pending = this.#client.websocketConnect(url, this.#connect);
        pending.catch(() => connections.delete(url));
        connections.set(url, pending);
      }
      return pending;
    };
    return {
      deliver: async (destination: string, message: OutboundMessage) => {
        const conn = await open(destination);
        if (conn.state === 'closed') {
          connections.delete(destination);
          throw new Error(`WebSocket ${destination} is closed`);
        }
        await conn.send(message.body);
        return { messageId: `ws:${message.deliveryId}` };
      },
      check: async (): Promise<ProtocolEndpointHealth> => {
        const endpoint = bridge.config.targetEndpoint;
        if (!endpoint) return { reachable: true, detail: 'no default endpoint to probe' };
        try {
          const conn = await open(endpoint);
          return { reachable: conn.state === 'open' || conn.state === 'reconnecting', detail: `${endpoint} is ${conn.state}` };
        } catch (error) {
          return { reachable: false, detail: (error as Error).message };
        }
      },
      close: async () => {
        const all = [...connections.values()];
        connections.clear();
        await Promise.allSettled(all.map(async (p) => (await p).close(1000, 'bridge stopped')));
      },
    };
  }
}
