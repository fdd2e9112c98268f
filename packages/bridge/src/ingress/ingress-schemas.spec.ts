import { FakeKafkaClient } from '../../test/support/fake-kafka-client.js';
import { HttpAdapter } from '../adapters/http-adapter.js';
import { KafkaAdapter } from '../adapters/kafka-adapter.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { IngressServer } from './ingress-server.js';
import type { IngressSchemaRequest, IngressSchemaValidator } from './ingress-schemas.js';

// The hook itself; the real registry serdes are composed in e2e/src/ingress-schema-validation.spec.ts.
describe('IngressServer schema validation at ingest', () => {
  let bridge: CommunicationBridge;
  let ingress: IngressServer;
  let kafka: FakeKafkaClient;
  let asked: IngressSchemaRequest[];

  /** Accepts `{ n: <integer> }` and frames it as magic byte 0, schema id 7, then the JSON text. */
  const validate: IngressSchemaValidator = async (request) => {
    asked.push(request);
    const value = request.value as { n?: unknown } | null;
    if (typeof value !== 'object' || value === null || !Number.isInteger(value.n)) {
      return { errors: ['n: must be an integer'] };
    }
    if (value.n === 13) throw new Error('registry unreachable');
    return { bytes: Uint8Array.from([0, 0, 0, 0, 7, ...Buffer.from(JSON.stringify(value))]) };
  };

  async function start(version?: number) {
    asked = [];
    ingress = new IngressServer({
      schemas: { bindings: { orders: { subject: 'orders-value', ...(version ? { version } : {}) } }, validate },
    });
    kafka = new FakeKafkaClient(1);
    bridge = new CommunicationBridge({
      adapters: [new HttpAdapter({ ingress }), new KafkaAdapter({ client: kafka, connection: { bootstrapServers: ['x:9092'] } })],
    });
    await bridge.createBridge('orders', 'http', 'kafka', {
      sourceEndpoint: '/orders',
      targetTopic: 'orders',
      messageFormat: 'bytes',
      retryPolicy: { maxRetries: 0 },
    });
  }

  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
  });

  const post = (path: string, body: unknown, type = 'application/vnd.kafka.json.v2+json') =>
    fetch(`${ingress.address().url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': type } });

  it('produces valid records in the validator’s wire format and refuses invalid ones per record with its messages', async () => {
    await start();
    const response = await post('/topics/orders', { records: [{ value: { n: 1 } }, { value: { n: 'x' } }, { value: { n: 2 } }] });
    expect(response.status).toBe(207);
    const { offsets } = (await response.json()) as { offsets: Record<string, unknown>[] };
    expect(offsets[0]).toMatchObject({ success: true, offset: 0 });
    expect(offsets[1]).toEqual({
      success: false,
      error_code: 422,
      code: 'BRIDGE_INVALID_MESSAGE',
      message: "`records[1].value` does not match subject 'orders-value' (version latest): n: must be an integer",
      errors: ['n: must be an integer'],
    });
    expect(offsets[2]).toMatchObject({ success: true, offset: 1 });
    const stored = kafka.messages('orders');
    expect(stored.map((m) => Buffer.from(m.value!).subarray(5).toString())).toEqual(['{"n":1}', '{"n":2}']);
    expect([...stored[0]!.value!.subarray(0, 5)]).toEqual([0, 0, 0, 0, 7]);
    expect(asked.map((a) => [a.topic, a.subject, a.version])).toEqual([
      ['orders', 'orders-value', 'latest'],
      ['orders', 'orders-value', 'latest'],
      ['orders', 'orders-value', 'latest'],
    ]);
  });

  it('passes a pinned version, reports a validator failure per record, and never produces refused records (async too)', async () => {
    await start(3);
    const failed = await post('/orders', { records: [{ value: { n: 13 } }] });
    expect(failed.status).toBe(207);
    expect(((await failed.json()) as { offsets: unknown[] }).offsets[0]).toMatchObject({
      success: false,
      message: 'registry unreachable',
    });
    const asyncInvalid = await post('/orders?async=true', { records: [{ value: { n: 4 } }, { value: 'nope' }] });
    expect(asyncInvalid.status).toBe(207);
    const { offsets } = (await asyncInvalid.json()) as { offsets: Record<string, unknown>[] };
    expect(offsets[0]).toEqual({ queued: true });
    expect(offsets[1]).toMatchObject({ error_code: 422, errors: ['n: must be an integer'] });
    const asyncValid = await post('/orders?async=true', { n: 5 }, 'application/json');
    expect(asyncValid.status).toBe(204);
    for (let i = 0; i < 100 && kafka.messages('orders').length < 2; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(kafka.messages('orders').map((m) => Buffer.from(m.value!).subarray(5).toString())).toEqual(['{"n":4}', '{"n":5}']);
    expect(asked.every((a) => a.version === 3)).toBe(true);
  });

  it('takes only JSON bodies on a bound topic (415 for binary.v2) and needs a bytes bridge for it', async () => {
    await start();
    const binary = await post('/topics/orders', { records: [{ value: 'AA==' }] }, 'application/vnd.kafka.binary.v2+json');
    expect(binary.status).toBe(415);
    expect(await binary.json()).toMatchObject({ code: 'BRIDGE_UNSUPPORTED_MEDIA_TYPE' });
    await expect(
      bridge.createBridge('orders-json', 'http', 'kafka', { sourceEndpoint: '/orders-json', targetTopic: 'orders' }),
    ).rejects.toMatchObject({ code: 'BRIDGE_INVALID_CONFIG', message: expect.stringContaining("messageFormat must be 'bytes'") });
    expect(kafka.messages('orders')).toHaveLength(0);
  });

  it.each([
    [{ bindings: {}, validate: 'no' }, '`schemas.validate` must be a function'],
    [{ bindings: { t: { subject: '' } }, validate }, "`schemas.bindings['t'].subject` must be a non-empty string"],
    [{ bindings: { t: { subject: 's', version: 0 } }, validate }, "`schemas.bindings['t'].version` must be a positive integer or 'latest'"],
  ])('refuses schemas option %p with BRIDGE_INVALID_CONFIG', (schemas, message) => {
    expect(() => new IngressServer({ schemas: schemas as never })).toThrow(expect.objectContaining({ code: 'BRIDGE_INVALID_CONFIG', message: expect.stringContaining(message) }));
  });
});
