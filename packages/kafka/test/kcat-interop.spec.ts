import { execFileSync } from 'node:child_process';
import { KafkaClient, partitionForKey } from '../src/index.js';
import { consumeAtLeast, kafkaBrokers, text, uniqueName } from './helpers.js';

describe(KafkaClient, () => {
  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('writes messages that kcat (librdkafka) reads back with keys, headers and partitions', async () => {
    const topic = uniqueName('kcat-out');
    await client.createTopic(topic, 3, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.produceMessage(producerId, topic, `user-${i}`, `payload-${i}`, { headers: { trace: `t${i}` } })),
    );
    const out = execFileSync('kcat', ['-C', '-b', kafkaBrokers().join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s|%h\\n'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const rows = out.trim().split('\n').map((line) => line.split('|'));
    expect(rows).toHaveLength(30);
    for (const [partition, offset, key, value, headers] of rows) {
      const i = Number(value!.slice('payload-'.length));
      expect(key).toBe(`user-${i}`);
      expect(headers).toBe(`trace=t${i}`);
      expect({ partition: Number(partition), offset: Number(offset) }).toEqual({ partition: results[i]!.partition, offset: results[i]!.offset });
    }
  });

  it('consumes what kcat produced, keys and headers included, on the partitions murmur2 predicts', async () => {
    const topic = uniqueName('kcat-in');
    await client.createTopic(topic, 3, 1);
    const input = Array.from({ length: 30 }, (_, i) => `key-${i}:value-${i}`).join('\n');
    execFileSync(
      'kcat',
      ['-P', '-b', kafkaBrokers().join(','), '-t', topic, '-K', ':', '-H', 'source=kcat', '-X', 'partitioner=murmur2_random'],
      { input: `${input}\n`, timeout: 30_000 },
    );
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const messages = await consumeAtLeast(client, consumerId, [topic], 30);
    expect(messages).toHaveLength(30);
    for (const m of messages) {
      const i = Number(text(m.value)!.slice('value-'.length));
      expect(text(m.key)).toBe(`key-${i}`);
      expect(text(m.headers['source'])).toBe('kcat');
      expect(m.partition).toBe(partitionForKey(`key-${i}`, 3));
    }
  });

  it('hands out each consumed record its own headers: the last of a repeated name, empty values kept, {} without headers', async () => {
    const topic = uniqueName('kcat-headers');
    await client.createTopic(topic, 1, 1);
    const produce = (headers: string[], line: string): void => {
      execFileSync('kcat', ['-P', '-b', kafkaBrokers().join(','), '-t', topic, '-K', ':', ...headers.flatMap((h) => ['-H', h])], { input: `${line}\n`, timeout: 30_000 });
    };
    produce(['trace=first', 'trace=second', 'trace=third', 'empty=', 'other=o'], 'k0:v0');
    produce([], 'k1:v1');
    produce(['trace=only'], 'k2:v2');
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const messages = await consumeAtLeast(client, consumerId, [topic], 3);
    expect(messages.map((m) => text(m.value))).toEqual(['v0', 'v1', 'v2']);
    const [repeated, none, single] = messages.map((m) => m.headers);
    const texts = (headers: Record<string, Uint8Array> | undefined): Record<string, string | null> =>
      Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, value instanceof Uint8Array ? text(value) : `not bytes: ${typeof value}`]));
    expect(texts(repeated)).toEqual({ trace: 'third', empty: '', other: 'o' });
    expect(none).toEqual({});
    expect(texts(single)).toEqual({ trace: 'only' });
    expect(new Set([repeated, none, single]).size).toBe(3);
  });

  it.each([
    ['idempotent', { enableIdempotence: true }],
    ['without idempotence', { enableIdempotence: false, acks: 1 as const }],
  ])('writes header names an object answers for (`__proto__`, `constructor`) as headers, %s (kcat reads them back)', async (_, settings) => {
    const topic = uniqueName('kcat-proto-headers');
    await client.createTopic(topic, 1, 1);
    const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), ...settings });
    // As an application gets them from JSON: own properties named like Object.prototype's.
    const headers = JSON.parse('{"__proto__":"p","constructor":"c","plain":"x"}') as Record<string, string>;
    expect(Object.keys(headers)).toEqual(['__proto__', 'constructor', 'plain']);
    await client.produceMessage(producerId, topic, 'k', 'v', { headers });
    const out = execFileSync('kcat', ['-C', '-b', kafkaBrokers().join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h\\n'], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('k|v|__proto__=p,constructor=c,plain=x');
    // And our consumer hands them out as own properties.
    const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const [message] = await consumeAtLeast(client, consumerId, [topic], 1);
    expect(Object.keys(message!.headers ?? {})).toEqual(['__proto__', 'constructor', 'plain']);
    expect(text(Object.getOwnPropertyDescriptor(message!.headers, '__proto__')!.value as Uint8Array)).toBe('p');
  });
});
