// Delivery guarantees of @onex/bridge composed with the real @onex/kafka and @onex/http: a Kafka →
// webhook bridge SIGKILLed while a delivery is in flight (offset not committed) redelivers the message
// after a restart with the same Idempotency-Key, so the webhook can deduplicate it; and a webhook
// that keeps failing sees exactly the documented number of attempts when the HttpClient has retries too.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CommunicationBridge, HttpAdapter } from '@onex/bridge';
import { HttpClient } from '@onex/http';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';
import { startTsx, type Child } from './support/child.js';
import { waitFor } from './support/wait-for.js';

const FIXTURE = path.join(__dirname, 'fixtures/kafka-webhook-bridge.ts');
const brokers = kafkaBrokers();
const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
const children: Child[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await kafka.close();
});

interface Received {
  readonly key: string | undefined;
  readonly body: string;
  readonly response: ServerResponse;
}

/** A webhook that records every request and leaves answering to the test. */
async function webhook(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => received.push({ key: request.headers['idempotency-key'] as string | undefined, body, response }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('a Kafka → webhook bridge killed mid-delivery', () => {
  it('redelivers the uncommitted message after a restart with the same Idempotency-Key', async () => {
    const topic = uniqueName('bridge-crash');
    const name = uniqueName('crash');
    const group = `onex-bridge-${name}`;
    await kafka.createTopic(topic, 1, 1);
    const producer = await kafka.createProducer({ bootstrapServers: brokers });
    const produced = await kafka.produceMessage(producer, topic, 'k', JSON.stringify({ order: 7 }));
    const hook = await webhook();
    const env = { BRIDGE_BROKERS: brokers.join(','), BRIDGE_NAME: name, BRIDGE_TOPIC: topic, BRIDGE_WEBHOOK: hook.url };

    // First run: the webhook receives the message and does not answer yet; the bridge is killed then,
    // before it could commit the offset.
    const first = startTsx(FIXTURE, env);
    children.push(first);
    await first.waitForLine(/^running$/, 90_000);
    await waitFor('the first delivery', () => hook.received.length === 1, 60_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const committed = (await kafka.getConsumerGroupInfo(group)).offsets.find((o) => o.topic === topic);
    expect(committed?.committedOffset ?? -1).toBeLessThanOrEqual(produced.offset);
    hook.received[0]!.response.destroy();

    // Second run, same consumer group: the message comes again, with the same key.
    const second = startTsx(FIXTURE, env);
    children.push(second);
    await second.waitForLine(/^running$/, 90_000);
    await waitFor('the redelivery', () => hook.received.length === 2, 60_000);
    hook.received[1]!.response.writeHead(200).end();
    const [before, after] = hook.received as [Received, Received];
    expect(after.body).toBe(before.body);
    expect(JSON.parse(after.body)).toEqual({ order: 7 });
    expect(after.key).toBe(before.key);
    expect(before.key).toBe(`kafka/${group}/${topic}/${produced.partition}/${produced.offset}`);

    // Delivered this time: the offset is committed past it.
    await waitFor('the commit', async () => (await kafka.getConsumerGroupInfo(group)).offsets.some((o) => o.topic === topic && o.committedOffset === produced.offset + 1), 30_000);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});

describe('retries of a webhook target whose HttpClient retries too', () => {
  let http: HttpClient;
  let bridge: CommunicationBridge;
  afterEach(async () => {
    await bridge?.close();
    await http?.close();
  });

  async function failingWebhook(): Promise<{ url: string; attempts: () => number }> {
    const hook = await webhook();
    const server = servers[servers.length - 1]!;
    server.on('request', (_request, response: ServerResponse) => {
      // Answered once the body is read (the recording listener runs first).
      setImmediate(() => response.writeHead(503).end());
    });
    return { url: hook.url, attempts: () => hook.received.length };
  }

  async function send(retries: 'bridge' | 'client' | undefined, url: string): Promise<unknown> {
    // The client alone would make 1 + 3 attempts per call (its Idempotency-Key makes the POST retryable).
    http = new HttpClient({ retry: { maxRetries: 3, backoffFactor: 0.001, retryOnStatusCodes: [503] } });
    bridge = new CommunicationBridge({ adapters: [new HttpAdapter({ client: http, ...(retries ? { retries } : {}) })] });
    const id = await bridge.createBridge(uniqueName('budget'), 'memory', 'http', {
      sourceEndpoint: 'in',
      targetEndpoint: url,
      retryPolicy: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 },
    });
    return bridge.sendMessageThroughBridge(id, { payload: { n: 1 } });
  }

  it("makes maxRetries + 1 attempts by default: the bridge retries and the client's retries are off for it", async () => {
    const hook = await failingWebhook();
    const result = await send(undefined, hook.url);
    expect(result).toMatchObject({ success: false, attempts: 3, error: { code: 'BRIDGE_DELIVERY_FAILED' } });
    expect(hook.attempts()).toBe(3);
  });

  it("makes the client's 1 + maxRetries attempts with retries: 'client', and the bridge does not retry on top", async () => {
    const hook = await failingWebhook();
    const result = await send('client', hook.url);
    expect(result).toMatchObject({ success: false, attempts: 1, error: { code: 'BRIDGE_DELIVERY_FAILED' } });
    expect(hook.attempts()).toBe(4);
  });
});
