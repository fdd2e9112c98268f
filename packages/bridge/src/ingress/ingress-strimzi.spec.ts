import { request } from 'node:http';
import { FakeKafkaClient } from '../../test/support/fake-kafka-client.js';
import { HttpAdapter } from '../adapters/http-adapter.js';
import { KafkaAdapter } from '../adapters/kafka-adapter.js';
import { MemoryAdapter } from '../adapters/memory-adapter.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { IngressServer } from './ingress-server.js';

// Strimzi Kafka Bridge / REST Proxy v2 compatibility, driven with plain HTTP clients.
describe('IngressServer (Strimzi compatibility)', () => {
  let bridge: CommunicationBridge;
  let ingress: IngressServer;
  let kafka: FakeKafkaClient;
  let memory: MemoryAdapter;
  let base: string;

  beforeEach(async () => {
    ingress = new IngressServer();
    kafka = new FakeKafkaClient(3);
    memory = new MemoryAdapter();
    bridge = new CommunicationBridge({
      adapters: [
        memory,
        new HttpAdapter({ ingress }),
        new KafkaAdapter({ client: kafka, connection: { bootstrapServers: ['x:9092'] } }),
      ],
    });
    const noRetry = { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 };
    await bridge.createBridge('json', 'http', 'kafka', {
      sourceEndpoint: '/json',
      targetTopic: 'bridge-quickstart-topic',
      retryPolicy: noRetry,
    });
    await bridge.createBridge('bytes', 'http', 'kafka', {
      sourceEndpoint: '/bytes',
      targetTopic: 'raw',
      messageFormat: 'bytes',
      retryPolicy: noRetry,
    });
    await bridge.createBridge('text', 'http', 'kafka', {
      sourceEndpoint: '/text',
      targetTopic: 'lines',
      messageFormat: 'text',
      retryPolicy: noRetry,
    });
    await bridge.createBridge('mem', 'http', 'memory', { sourceEndpoint: '/mem', targetEndpoint: 'sink' });
    base = ingress.address().url;
  });

  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
  });

  const post = (path: string, body: unknown, type = 'application/vnd.kafka.json.v2+json') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': type },
    });
  const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

  it('sends the records of the Strimzi quickstart by key, to an explicit partition, and by default', async () => {
    // Retyped from the Strimzi quickstart: three sales leads, the second to partition 2.
    const response = await post('/topics/bridge-quickstart-topic', {
      records: [
        { key: 'my-key', value: 'sales-lead-0001' },
        { value: 'sales-lead-0002', partition: 2 },
        { value: 'sales-lead-0003' },
      ],
    });
    expect(response.status).toBe(200);
    const { offsets } = (await response.json()) as { offsets: { partition: number; offset: number }[] };
    expect(offsets).toHaveLength(3);
    expect(offsets[1]).toMatchObject({ partition: 2, offset: expect.any(Number) });
    const stored = kafka.messages('bridge-quickstart-topic');
    const lead2 = stored.find((m) => text(m.value) === '"sales-lead-0002"');
    expect(lead2?.partition).toBe(2);
    const lead1 = stored.find((m) => text(m.value) === '"sales-lead-0001"');
    expect(text(lead1?.key ?? null)).toBe('my-key');
    expect(offsets[0]?.partition).toBe(lead1?.partition);
  });

  it('sends every record of POST /topics/{topic}/partitions/{partition} to that partition', async () => {
    // Retyped from the Strimzi docs' partitions example (no partition field in the records).
    const response = await post('/topics/bridge-quickstart-topic/partitions/1', {
      records: [
        { key: 'key-1', value: 'value-1' },
        { key: 'key-2', value: 'value-2' },
        { value: { nested: true } },
      ],
    });
    expect(response.status).toBe(200);
    const { offsets } = (await response.json()) as { offsets: { partition: number; offset: number }[] };
    expect(offsets.map((o) => [o.partition, o.offset])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(kafka.topics.get('bridge-quickstart-topic')?.[1]).toHaveLength(3);
    // One plain JSON message (not wrapped) goes there too.
    const single = await post('/topics/bridge-quickstart-topic/partitions/0', { hello: 'world' }, 'application/json');
    expect(single.status).toBe(200);
    expect(kafka.topics.get('bridge-quickstart-topic')?.[0]).toHaveLength(1);
  });

  it.each([
    ['x', 'not a number'],
    ['-1', 'negative'],
    ['01', 'leading zero'],
    ['1.5', 'fraction'],
    ['2147483648', 'past int32'],
  ])('refuses partition %s in the path (%s) with a typed 400 and produces nothing', async (partition) => {
    const response = await post(`/topics/bridge-quickstart-topic/partitions/${partition}`, {
      records: [{ value: 1 }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: 400,
      code: 'BRIDGE_BAD_REQUEST',
      message: expect.stringContaining('partition'),
    });
    expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(0);
  });

  it.each([[-1], [1.5], ['2'], [null], [2 ** 31]])(
    'refuses a record partition of %p with BRIDGE_MALFORMED_BODY naming the record',
    async (partition) => {
      const response = await post('/topics/bridge-quickstart-topic', {
        records: [{ value: 'ok' }, { value: 'bad', partition }],
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'BRIDGE_MALFORMED_BODY',
        message: expect.stringContaining('`records[1].partition` must be an integer'),
      });
      expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(0);
    },
  );

  it('refuses a record partition on the partitions path and on a bridge whose target is not Kafka', async () => {
    const both = await post('/topics/bridge-quickstart-topic/partitions/1', { records: [{ value: 1, partition: 0 }] });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ code: 'BRIDGE_MALFORMED_BODY', message: expect.stringContaining('path names 1') });
    const mem = await post('/mem', { records: [{ value: 1, partition: 0 }] });
    expect(mem.status).toBe(400);
    expect(await mem.json()).toMatchObject({ code: 'BRIDGE_BAD_REQUEST', message: expect.stringContaining("delivers to 'memory', not Kafka") });
    await bridge.createBridge('mem-topic', 'http', 'memory', { sourceEndpoint: '/mem2', targetTopic: 'memtopic' });
    const viaPath = await post('/topics/memtopic/partitions/0', { records: [{ value: 1 }] });
    expect(viaPath.status).toBe(400);
    expect(await viaPath.json()).toMatchObject({ code: 'BRIDGE_BAD_REQUEST', message: expect.stringContaining('not Kafka') });
    expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(0);
    expect(memory.records('sink')).toHaveLength(0);
  });

  it('answers an unknown topic on the partitions path with 404 and a GET on it with 405', async () => {
    const unknown = await post('/topics/nope/partitions/0', { records: [{ value: 1 }] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'BRIDGE_ROUTE_NOT_FOUND' });
    const get = await fetch(`${base}/topics/bridge-quickstart-topic/partitions/0`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('decodes binary.v2 base64 keys and values and produces the exact bytes', async () => {
    const value = Uint8Array.from([0, 255, 1, 128, 10]);
    const response = await post(
      '/topics/raw',
      {
        records: [
          { key: Buffer.from('my-key').toString('base64'), value: Buffer.from(value).toString('base64') },
          { value: Buffer.from('second').toString('base64'), partition: 0 },
        ],
      },
      'application/vnd.kafka.binary.v2+json',
    );
    expect(response.status).toBe(200);
    const stored = kafka.messages('raw');
    expect(stored).toHaveLength(2);
    const first = stored.find((m) => text(m.key) === 'my-key');
    expect(first?.value).toEqual(value);
    const second = stored.find((m) => m.key === null);
    expect(text(second?.value ?? null)).toBe('second');
    expect(second?.partition).toBe(0);
  });

  it.each([
    ['unpadded', { value: 'aGVsbG8' }, '`records[1].value` is not valid base64'],
    ['a foreign character', { value: 'aGVs$G8=' }, '`records[1].value` is not valid base64'],
    ['URL-safe alphabet', { value: 'a-_b' }, '`records[1].value` is not valid base64'],
    ['a number', { value: 42 }, '`records[1].value` must be a base64 string, got number'],
    ['a bad key', { key: 'x', value: 'AA==' }, '`records[1].key` is not valid base64'],
    ['a key that is not UTF-8', { key: '/w==', value: 'AA==' }, '`records[1].key` decodes to bytes that are not UTF-8'],
  ])('refuses a binary.v2 record with %s (typed 400) and produces none of the request', async (_, record, message) => {
    const response = await post(
      '/topics/raw',
      { records: [{ value: 'AA==' }, record] },
      'application/vnd.kafka.binary.v2+json',
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error_code: 400, code: 'BRIDGE_MALFORMED_BODY', message: expect.stringContaining(message) });
    expect(kafka.messages('raw')).toHaveLength(0);
  });

  it('takes text.v2 string values on a text bridge and refuses others', async () => {
    const ok = await post(
      '/topics/lines',
      { records: [{ key: 'k', value: 'line one' }, { value: 'zwei ✓' }] },
      'application/vnd.kafka.text.v2+json',
    );
    expect(ok.status).toBe(200);
    expect(kafka.messages('lines').map((m) => text(m.value)).sort()).toEqual(['line one', 'zwei ✓']);
    const bad = await post('/topics/lines', { records: [{ value: { a: 1 } }] }, 'application/vnd.kafka.text.v2+json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'BRIDGE_MALFORMED_BODY',
      message: '`records[0].value` must be a string in a text.v2 body, got object',
    });
    const bare = await post('/topics/lines', '"just a string"', 'application/vnd.kafka.text.v2+json');
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ code: 'BRIDGE_MALFORMED_BODY', message: expect.stringContaining('{ "records": [...] }') });
    expect(kafka.messages('lines')).toHaveLength(2);
  });

  it('answers 415 for binary.v2 and text.v2 on a json bridge, whose values they would change', async () => {
    for (const type of ['application/vnd.kafka.binary.v2+json', 'application/vnd.kafka.text.v2+json']) {
      const response = await post('/topics/bridge-quickstart-topic', { records: [{ value: 'AA==' }] }, type);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'BRIDGE_UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(0);
  });

  it('answers ?async=true with 204 and no body, and the records still arrive', async () => {
    const response = await post('/topics/bridge-quickstart-topic?async=true', {
      records: [{ value: 'a' }, { value: 'b', partition: 1 }],
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    for (let i = 0; i < 100 && kafka.messages('bridge-quickstart-topic').length < 2; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(2);
    expect(kafka.topics.get('bridge-quickstart-topic')?.[1]?.map((m) => text(m.value))).toContain('"b"');
    const sync = await post('/topics/bridge-quickstart-topic?async=false', { records: [{ value: 'c' }] });
    expect(sync.status).toBe(200);
  });

  it('refuses an async parameter that is not true or false, before reading records', async () => {
    const response = await post('/topics/bridge-quickstart-topic?async=yes', { records: [{ value: 'a' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'BRIDGE_BAD_REQUEST', message: expect.stringContaining('async') });
    expect(kafka.messages('bridge-quickstart-topic')).toHaveLength(0);
  });

  it('reports a failed record as offsets[i] with error_code and message, under 207', async () => {
    kafka.produceFailures.push(new Error('broker said no'));
    const response = await post('/topics/bridge-quickstart-topic/partitions/0', {
      records: [{ value: 'fails' }],
    });
    expect(response.status).toBe(207);
    const { offsets } = (await response.json()) as { offsets: Record<string, unknown>[] };
    expect(offsets[0]).toMatchObject({ success: false, error_code: 500, message: expect.stringContaining('broker said no') });
    const ok = await post('/topics/bridge-quickstart-topic/partitions/0', { records: [{ value: 'works' }] });
    expect(ok.status).toBe(200);
  });

  it("serves Strimzi's /healthy as 204 and refuses other methods on it with 405", async () => {
    const healthy = await fetch(`${base}/healthy`);
    expect(healthy.status).toBe(204);
    expect(await healthy.text()).toBe('');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${base}/healthy`, { method: 'HEAD' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(204);
    const post204 = await post('/healthy', {});
    expect(post204.status).toBe(405);
    expect(post204.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });
});
