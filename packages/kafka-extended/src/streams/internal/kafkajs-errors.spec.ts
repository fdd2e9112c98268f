import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KafkaExtended } from '../../index.js';

/** A TCP listener on loopback that accepts connections and never answers: every Kafka request times out. */
async function silentBroker(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe('kafkajs failure mapping of KafkaExtended', () => {
  const instances: KafkaExtended[] = [];
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((i) => i.close()));
  });

  it('reports a broker that accepts the connection but does not answer within requestTimeoutMs as a timeout', async () => {
    const broker = await silentBroker();
    try {
      const extended = new KafkaExtended({ bootstrapServers: [broker.address], clientId: 'timeout-spec', connectionTimeoutMs: 1_000, requestTimeoutMs: 300 });
      instances.push(extended);
      const error = await extended.configureKafkaSecurity({}, { verify: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'KafkaExtendedTimeoutError', code: 'KAFKAX_TIMEOUT' });
      expect((error as Error).message).toContain(broker.address);
    } finally {
      await broker.close();
    }
  });

  it('reports a refused connection as a connection error (the control: not every failure is a timeout)', async () => {
    const address = await closedPort();
    const extended = new KafkaExtended({ bootstrapServers: [address], clientId: 'refused-spec', connectionTimeoutMs: 1_000, requestTimeoutMs: 300 });
    instances.push(extended);
    await expect(extended.configureKafkaSecurity({}, { verify: true })).rejects.toMatchObject({ name: 'KafkaExtendedConnectionError', code: 'KAFKAX_CONNECTION' });
  });
});
