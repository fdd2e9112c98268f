import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import produceRequests from 'kafkajs/src/protocol/requests/produce/index.js';
import kafkajsProduceV3 from 'kafkajs/src/protocol/requests/produce/v3/request.js';
import groupMessagesPerPartition from 'kafkajs/src/producer/groupMessagesPerPartition.js';
import { AlreadyWrittenError, attachEncodedRecords, PartitionMessages, partitionMessages, preEncodedProduceInstalled, preEncodedStats, writtenBatch } from './kafkajs-produce-request.js';
import type { BatchRecord } from './record-batch.js';

const kafkajsDir = path.dirname(require.resolve('kafkajs/package.json'));
const source = (file: string): string => readFileSync(path.join(kafkajsDir, file), 'utf8');

/** A kafkajs message for a record, as BatchingProducer builds it. */
const toMessage = (r: BatchRecord, partition: number): object => ({ key: r.key, value: r.value, partition, timestamp: String(r.timestamp), ...(r.headers ? { headers: r.headers } : {}) });

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const record: fc.Arbitrary<BatchRecord> = fc.record({
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((k) => k !== '__proto__'), bytes, { maxKeys: 4 }), { nil: undefined }),
  // 13 digits, as every timestamp since 2001: kafkajs sorts timestamps as strings.
  timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
});

interface Case {
  records: BatchRecord[];
  partition: number;
  firstSequence: number;
  producerId: number;
  producerEpoch: number;
  transactionalId: string | null;
  acks: number;
}

const requestCase: fc.Arbitrary<Case> = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 40 }),
  partition: fc.integer({ min: 0, max: 1000 }),
  firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  producerEpoch: fc.integer({ min: 0, max: 32767 }),
  transactionalId: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  acks: fc.constantFrom(-1, 1),
});

/** Both encodings of one Produce request: through the hooked protocol (records attached) and kafkajs's own v3 encoder. */
async function encodeBoth(c: Case, compression: number, attach: 'attach' | 'no-attach', version = 7): Promise<{ ours: Buffer; kafkajs: Buffer; encoder: string }> {
  const messages = c.records.map((r) => toMessage(r, c.partition));
  if (attach === 'attach') expect(attachEncodedRecords(messages, c.records)).toBe(true);
  const args = {
    acks: c.acks,
    timeout: 30_000,
    compression,
    transactionalId: c.transactionalId,
    producerId: c.producerId,
    producerEpoch: c.producerEpoch,
    topicData: [{ topic: 'interop-topic', partitions: [{ partition: c.partition, firstSequence: c.firstSequence, messages: [...messages] }] }],
  };
  const { request } = produceRequests.protocol({ version })!(args);
  expect(request.apiVersion).toBe(version);
  const ours = (await request.encode()).buffer;
  const kafkajs = (await kafkajsProduceV3({ ...args, topicData: [{ ...args.topicData[0]!, partitions: [{ ...args.topicData[0]!.partitions[0]!, messages }] }] }).encode()).buffer;
  return { ours, kafkajs, encoder: request.encode.name };
}

describe('kafkajs internals the pre-encoded Produce path relies on', () => {
  it('are those of kafkajs 2.2.4, the pinned version', () => {
    expect((JSON.parse(source('package.json')) as { version: string }).version).toBe('2.2.4');
  });

  it('build Produce requests through requests.Produce.protocol, read at each call, with versions 3 to 7', () => {
    expect(preEncodedProduceInstalled).toBe(true);
    expect(produceRequests.versions).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(source('src/protocol/requests/index.js')).toContain('return definition.protocol({ version: bestSupportedVersion })');
    expect(source('src/broker/index.js')).toContain('const produce = this.lookupRequest(apiKeys.Produce, requests.Produce)');
    // v4 to v7 are the v3 body with another apiVersion (the layout our encoder writes).
    for (const v of [4, 5, 6, 7]) expect(source(`src/protocol/requests/produce/v${v}/request.js`)).toMatch(/= require\('\.\.\/v[3-6]\/request'\)/);
  });

  it('hand each partition the same message objects the producer sent, and advance its sequence by their count', () => {
    const sendMessages = source('src/producer/sendMessages.js');
    expect(sendMessages).toContain("entry['firstSequence'] = eosManager.getSequence(topic, entry.partition)");
    expect(sendMessages).toContain('eosManager.updateSequence(topic, entry.partition, entry.messages.length)');
    expect(source('src/producer/groupMessagesPerPartition.js')).toContain('return messages.reduce((result, message) => {');
    expect(source('src/producer/groupMessagesPerPartition.js')).toContain('[...current, message]');
    // The default partitioner returns a message's own partition when it names one.
    expect(source('src/producer/partitioners/legacy/partitioner.js')).toContain('if (message.partition !== null && message.partition !== undefined) {');
    expect(source('src/producer/partitioners/default/index.js')).toContain("require('../legacy/partitioner')");
    expect(source('src/producer/createTopicData.js')).toContain('messages: messagesPerPartition[partition]');
  });

  it('count a partition as sent only when its broker answered without error, which a multi-partition send relies on', () => {
    const sendMessages = source('src/producer/sendMessages.js');
    // The sequence numbers of a broker's partitions go back when its produce call throws (any partition's error)...
    expect(sendMessages).toContain('eosManager.updateSequence(topic, entry.partition, -entry.messages.length)');
    // ...and a broker that answered is skipped by the retries, whatever partitions it leads by then.
    expect(sendMessages).toContain('const brokersWithoutResponse = brokers.filter(broker => !responsePerBroker.get(broker))');
    // An error without retriable: true ends kafkajs's retries (what AlreadyWrittenError relies on).
    expect(sendMessages).toContain('if (e.retriable) throw e');
    // The response handler's parse is what throws a partition's error.
    expect(source('src/protocol/requests/produce/v3/response.js')).toContain('throw createErrorFromCode(errorCode)');
    expect(source('src/network/connection.js')).toContain('const data = await response.parse(payloadDecoded)');
  });

  it('expect an Encoder from encode, which the request framing copies before the next encode', () => {
    expect(source('src/protocol/request.js')).toContain('const payload = await encode()');
    expect(source('src/protocol/request.js')).toContain('.writeEncoder(payload)');
    expect(source('src/protocol/encoder.js')).toContain('writeBuffer(value) {');
  });
});

describe(attachEncodedRecords, () => {
  it('writes Produce requests (v3 to v7) byte for byte as kafkajs does, for generated records and producer states', async () => {
    await fc.assert(
      fc.asyncProperty(requestCase, fc.integer({ min: 3, max: 7 }), async (c, version) => {
        const { ours, kafkajs, encoder } = await encodeBoth(c, 0, 'attach', version);
        expect(encoder).toBe('encodePreEncoded');
        expect(ours.equals(kafkajs)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('writes gzip-compressed requests byte for byte as kafkajs does', async () => {
    await fc.assert(
      fc.asyncProperty(requestCase, async (c) => {
        const { ours, kafkajs, encoder } = await encodeBoth(c, 1, 'attach');
        expect(encoder).toBe('encodePreEncoded');
        expect(ours.equals(kafkajs)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('leaves requests whose messages carry no encoded records to kafkajs (control)', async () => {
    const c = fc.sample(requestCase, { numRuns: 1, seed: 7 })[0]!;
    const { ours, kafkajs, encoder } = await encodeBoth(c, 0, 'no-attach');
    expect(encoder).toBe('encode');
    expect(ours.equals(kafkajs)).toBe(true);
  });

  it('leaves a partition to kafkajs when its messages are not exactly the attached ones', async () => {
    const records: BatchRecord[] = [1, 2, 3].map((i) => ({ key: null, value: Buffer.from(`v${i}`), headers: undefined, timestamp: 1_750_000_000_000 + i }));
    const messages = records.map((r) => toMessage(r, 0));
    attachEncodedRecords(messages, records);
    const { request } = produceRequests.protocol({ version: 7 })!({ acks: -1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: messages.slice(0, 2) }] }] });
    expect(request.encode.name).toBe('encode');
  });

  it('records which partitions a Produce response acknowledged, and refuses to send those records again', async () => {
    const records: BatchRecord[] = [1, 2].map((i) => ({ key: null, value: Buffer.from(`v${i}`), headers: undefined, timestamp: 1_750_000_000_000 + i }));
    const [p0, p1, p2] = [0, 1, 2].map((partition) => {
      const messages = records.map((r) => toMessage(r, partition));
      attachEncodedRecords(messages, records);
      return messages;
    });
    const byPartition = [p0!, p1!, p2!];
    const args = (partitions: number[]) => ({
      acks: -1,
      timeout: 1000,
      producerId: 7,
      producerEpoch: 0,
      topicData: [{ topic: 't', partitions: partitions.map((partition) => ({ partition, firstSequence: 0, messages: byPartition[partition]! })) }],
    });
    const response = (codes: number[]) => ({ topics: [{ topicName: 't', partitions: codes.map((errorCode, partition) => ({ partition, errorCode, baseOffset: String(40 + partition), logAppendTime: '-1' })) }], throttleTime: 0 });
    // A response with an error on one partition: kafkajs's parse throws, and nothing counts as written.
    const first = produceRequests.protocol({ version: 7 })!(args([0, 1]));
    await expect(first.response.parse(response([0, 6]))).rejects.toMatchObject({ type: 'NOT_LEADER_FOR_PARTITION' });
    expect(writtenBatch(p0![0]!)).toBeUndefined();
    expect(writtenBatch(p1![0]!)).toBeUndefined();
    // The retry's response has no error: both partitions are written, each with its own base offset.
    const retry = produceRequests.protocol({ version: 7 })!(args([0, 1]));
    await retry.response.parse(response([0, 0]));
    expect(writtenBatch(p0![0]!)).toEqual({ baseOffset: '40', logAppendTime: '-1' });
    expect(writtenBatch(p1![0]!)).toEqual({ baseOffset: '41', logAppendTime: '-1' });
    expect(writtenBatch(p2![0]!)).toBeUndefined();
    // kafkajs would resend p1 with its next sequence number if p1's leader moved: refused, not written twice.
    expect(() => produceRequests.protocol({ version: 7 })!(args([1, 2]))).toThrow(AlreadyWrittenError);
    // Control: records never acknowledged still go out.
    expect(produceRequests.protocol({ version: 7 })!(args([2])).request.encode.name).toBe('encodePreEncoded');
  });

  it('refuses to attach records that do not match the messages one to one', () => {
    expect(attachEncodedRecords([{}], [])).toBe(false);
    expect(attachEncodedRecords([], [])).toBe(false);
  });
});

describe(PartitionMessages, () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0, offlineReplicas: [] }));
  // kafkajs's own default partitioner, as its producer creates it.
  const partitioner = (require('kafkajs/src/producer/partitioners/default/index.js') as () => (args: object) => number)();
  const group = (messages: object[]): Record<string, object[]> => groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });

  function filled(source: readonly { key: string; value: string; partition?: number }[]): PartitionMessages<{ partition?: number }> {
    const messages = partitionMessages<{ key: string; value: string; partition?: number }>();
    for (const m of source) messages.push(m);
    expect(messages).toBeInstanceOf(PartitionMessages);
    return messages as PartitionMessages<{ partition?: number }>;
  }

  it('is grouped by kafkajs into the same partition arrays as a plain array, in one step', () => {
    const source = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 2 }));
    const before = preEncodedStats.groupedAtOnce;
    const grouped = group(filled(source));
    expect(preEncodedStats.groupedAtOnce).toBe(before + 1);
    const plain = group([...source]);
    expect(Object.keys(grouped)).toEqual(['2']);
    expect(grouped).toEqual(plain);
    expect(grouped['2']!.every((m, i) => m === source[i])).toBe(true);
    expect(Array.isArray(grouped['2']) && !(grouped['2'] instanceof PartitionMessages)).toBe(true);
  });

  it('is grouped message by message when the messages name different or no partitions (control)', () => {
    const before = preEncodedStats.groupedAtOnce;
    const mixed = [0, 1, 2, 1, 0].map((partition, i) => ({ key: `k${i}`, value: `v${i}`, partition }));
    expect(group(filled(mixed))).toEqual(group([...mixed]));
    const keyed = [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}` }));
    expect(group(filled(keyed))).toEqual(group([...keyed]));
    expect(preEncodedStats.groupedAtOnce).toBe(before);
  });

  it('groups the runs of several partitions (a multi-partition send) in one step into the same arrays as a plain array', () => {
    const source = [2, 0, 1].flatMap((partition) => Array.from({ length: 200 }, (_, i) => ({ key: `k${partition}-${i}`, value: `v${i}`, partition })));
    const before = preEncodedStats.groupedAtOnce;
    const grouped = group(filled(source));
    expect(preEncodedStats.groupedAtOnce).toBe(before + 1);
    expect(grouped).toEqual(group([...source]));
    expect(grouped['1']!.every((m, i) => m === source[400 + i])).toBe(true);
    // A partition whose messages are not one run (2, 0, 2) is grouped message by message (control).
    const split = [...source.slice(0, 10), ...source.slice(200, 210), ...source.slice(10, 20)];
    expect(group(filled(split))).toEqual(group([...split]));
    expect(preEncodedStats.groupedAtOnce).toBe(before + 1);
  });

  it('derives plain arrays', () => {
    const messages = filled([{ key: 'a', value: 'b', partition: 0 }]);
    expect(messages.slice(0)).not.toBeInstanceOf(PartitionMessages);
    expect(messages.map((m) => m)).not.toBeInstanceOf(PartitionMessages);
  });
});
