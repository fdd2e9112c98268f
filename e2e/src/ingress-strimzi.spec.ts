// The bridge's IngressServer as a Strimzi Kafka Bridge stand-in, against the real broker: records
// sent with plain HTTP clients in each content type land where and as they were asked to.
import { request } from 'node:http';
import { CommunicationBridge, HttpAdapter, IngressServer, KafkaAdapter } from '@onex/bridge';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers, uniqueName } from '../../tools/jest/kafka-env.js';

interface Stored {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
}

describe('IngressServer (Strimzi compatibility) on the real broker', () => {
  const brokers = kafkaBrokers();
  const kafka = new KafkaClient({ bootstrapServers: brokers, logLevel: 'nothing' });
  const topics = { json: uniqueName('bridge-quickstart'), raw: uniqueName('raw'), lines: uniqueName('lines') };
  let ingress: IngressServer;
  let bridge: CommunicationBridge;

  beforeAll(async () => {
    for (const topic of Object.values(topics)) await kafka.createTopic(topic, 3, 1);
    ingress = new IngressServer();
    bridge = new CommunicationBridge({
      adapters: [new HttpAdapter({ ingress }), new KafkaAdapter({ client: kafka, connection: { bootstrapServers: brokers } })],
    });
    await bridge.createBridge('json', 'http', 'kafka', { sourceEndpoint: '/json', targetTopic: topics.json });
    await bridge.createBridge('raw', 'http', 'kafka', { sourceEndpoint: '/raw', targetTopic: topics.raw, messageFormat: 'bytes' });
    await bridge.createBridge('lines', 'http', 'kafka', { sourceEndpoint: '/lines', targetTopic: topics.lines, messageFormat: 'text' });
  }, 60_000);

  afterAll(async () => {
    await bridge?.close();
    await ingress?.close();
    await kafka.close();
  });

  /** A POST with node:http (no fetch), as a minimal client would send it. */
  function post(path: string, type: string, body: unknown): Promise<{ status: number; text: string }> {
    const data = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        `${ingress.address().url}${path}`,
        { method: 'POST', headers: { 'content-type': type, 'content-length': data.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async function stored(topic: string, count: number): Promise<Stored[]> {
    const consumer = await kafka.createConsumer({ bootstrapServers: brokers, groupId: uniqueName('g'), autoOffsetReset: 'earliest', enableAutoCommit: false });
    const out: Stored[] = [];
    const deadline = Date.now() + 20_000;
    while (out.length < count && Date.now() < deadline) {
      for (const m of await kafka.consumeMessages(consumer, [topic], 1000)) {
        out.push({ partition: m.partition, offset: m.offset, key: m.key && Buffer.from(m.key).toString(), value: Buffer.from(m.value!) });
      }
    }
    await kafka.closeConsumer(consumer);
    return out;
  }

  it('json.v2: the Strimzi quickstart records, one by key, one to partition 2, then a batch to partition 1 and an async one', async () => {
    const first = await post(`/topics/${topics.json}`, 'application/vnd.kafka.json.v2+json', {
      records: [{ key: 'my-key', value: 'sales-lead-0001' }, { value: 'sales-lead-0002', partition: 2 }, { value: 'sales-lead-0003' }],
    });
    expect(first.status).toBe(200);
    const offsets = (JSON.parse(first.text) as { offsets: { partition: number; offset: number }[] }).offsets;
    expect(offsets[1]?.partition).toBe(2);
    const second = await post(`/topics/${topics.json}/partitions/1`, 'application/vnd.kafka.json.v2+json', {
      records: [{ value: { n: 1 } }, { value: { n: 2 } }],
    });
    expect(second.status).toBe(200);
    const third = await post(`/topics/${topics.json}/partitions/0?async=true`, 'application/vnd.kafka.json.v2+json', {
      records: [{ value: 'async-one' }],
    });
    expect(third).toEqual({ status: 204, text: '' });
    const all = await stored(topics.json, 6);
    const find = (v: string) => all.find((m) => m.value.toString() === v);
    expect(find('"sales-lead-0002"')?.partition).toBe(2);
    expect(find('"sales-lead-0001"')).toMatchObject({ key: 'my-key', partition: offsets[0]?.partition, offset: offsets[0]?.offset });
    expect(find('{"n":1}')?.partition).toBe(1);
    expect(find('{"n":2}')?.partition).toBe(1);
    expect(find('"async-one"')?.partition).toBe(0);
    expect(all).toHaveLength(6);
  }, 60_000);

  it('binary.v2: base64 keys and values are produced as the exact bytes', async () => {
    const value = Buffer.from([0, 1, 2, 254, 255]);
    const response = await post(`/topics/${topics.raw}`, 'application/vnd.kafka.binary.v2+json', {
      records: [{ key: Buffer.from('k1').toString('base64'), value: value.toString('base64'), partition: 1 }],
    });
    expect(response.status).toBe(200);
    const bad = await post(`/topics/${topics.raw}`, 'application/vnd.kafka.binary.v2+json', { records: [{ value: 'AAE' }] });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'BRIDGE_MALFORMED_BODY' });
    const all = await stored(topics.raw, 1);
    expect(all).toEqual([{ partition: 1, offset: 0, key: 'k1', value }]);
  }, 60_000);

  it('text.v2: string values are produced as their UTF-8 text', async () => {
    const response = await post(`/topics/${topics.lines}/partitions/2`, 'application/vnd.kafka.text.v2+json', {
      records: [{ value: 'plain line' }, { key: 'k', value: 'ümlaut ✓' }],
    });
    expect(response.status).toBe(200);
    const all = await stored(topics.lines, 2);
    expect(all.map((m) => [m.partition, m.key, m.value.toString()])).toEqual([
      [2, null, 'plain line'],
      [2, 'k', 'ümlaut ✓'],
    ]);
  }, 60_000);
});
