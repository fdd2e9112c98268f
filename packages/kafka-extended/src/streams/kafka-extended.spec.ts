import type { SchemaRegistryApi } from '../schema-registry/public-api.js';
import { KafkaExtended } from './kafka-extended.js';

// Validation paths: nothing here connects (127.0.0.1:1 would refuse if anything tried).
const base = { bootstrapServers: ['127.0.0.1:1'] };

describe(KafkaExtended, () => {
  describe('constructor', () => {
    it.each([
      ['bootstrapServers missing', {}, '`bootstrapServers` must be a non-empty array of host:port strings, got undefined'],
      ['bootstrapServers entry without port', { bootstrapServers: ['localhost'] }, '`bootstrapServers[0]` must be a host:port string, got "localhost"'],
      ['bootstrapServers port out of range', { bootstrapServers: ['h:70000'] }, '`bootstrapServers[0]` must have a port between 1 and 65535, got "h:70000"'],
      ['clientId empty', { ...base, clientId: '' }, '`clientId` must be a non-empty string, got ""'],
      ['requestTimeoutMs zero', { ...base, requestTimeoutMs: 0 }, '`requestTimeoutMs` must be a positive integer, got 0'],
      ['lagWarningThreshold negative', { ...base, lagWarningThreshold: -1 }, '`lagWarningThreshold` must be a non-negative integer, got -1'],
      ['sasl mechanism unknown', { ...base, sasl: { mechanism: 'kerberos' } }, "`sasl.mechanism` must be one of 'plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', got \"kerberos\""],
      ['schemaRegistry incomplete', { ...base, schemaRegistry: { registerSchema: () => undefined } }, '`schemaRegistry` must implement SchemaRegistryApi (missing getSchema())'],
    ])('rejects %s with a config error', (_label, options, message) => {
      expect(() => new KafkaExtended(options as never)).toThrow(expect.objectContaining({ code: 'KAFKAX_INVALID_CONFIG', message: expect.stringContaining(message) }));
    });
  });

  describe('createStreamProcessor', () => {
    let extended: KafkaExtended;
    beforeEach(() => {
      extended = new KafkaExtended(base);
    });
    afterEach(() => extended.close());

    it.each([
      ['applicationId missing', {}, '`config.applicationId` must be a non-empty string, got undefined'],
      ['applicationId with spaces', { applicationId: 'my app' }, '`config.applicationId` must be 1-200 of [a-zA-Z0-9._-] (it prefixes the group and transactional ids), got "my app"'],
      ['unknown option', { applicationId: 'a', batchSize: 5 }, '`config.batchSize` is not a stream processor option, got 5'],
      ['processingGuarantee unknown', { applicationId: 'a', processingGuarantee: 'at_most_once' }, '`config.processingGuarantee` must be one of "at_least_once", "exactly_once", got "at_most_once"'],
      ['maxRetries negative', { applicationId: 'a', maxRetries: -1 }, '`config.maxRetries` must be an integer from 0 to 100, got -1'],
      ['concurrency zero', { applicationId: 'a', concurrency: 0 }, '`config.concurrency` must be an integer from 1 to 1000, got 0'],
      ['dlqTopic illegal', { applicationId: 'a', dlqTopic: 'dead letters' }, '`config.dlqTopic` must be a Kafka topic name (1-249 of [a-zA-Z0-9._-]), got "dead letters"'],
      ['autoOffsetReset unknown', { applicationId: 'a', autoOffsetReset: 'middle' }, '`config.autoOffsetReset` must be one of "earliest", "latest", got "middle"'],
      ['heartbeat above session timeout', { applicationId: 'a', sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }, '`config.heartbeatIntervalMs` must be below config.sessionTimeoutMs (6000), got 6000'],
      ['valueSerde without deserialize', { applicationId: 'a', valueSerde: { serialize: () => undefined } }, '`config.valueSerde` must have serialize(topic, value) and deserialize(topic, bytes)'],
      ['processingTimeoutMs not a number', { applicationId: 'a', processingTimeoutMs: '5s' }, '`config.processingTimeoutMs` must be a positive integer, got "5s"'],
    ])('rejects %s with a config error naming the option', async (_label, config, message) => {
      await expect(extended.createStreamProcessor({ ...base, ...config } as never)).rejects.toMatchObject({
        name: 'KafkaExtendedConfigError',
        code: 'KAFKAX_INVALID_CONFIG',
        message: expect.stringContaining(message),
      });
    });

    it('accepts several exactly-once processors of one application (transactional ids are per input partition)', async () => {
      await expect(extended.createStreamProcessor({ ...base, applicationId: 'app', processingGuarantee: 'exactly_once' })).resolves.toBe('app#1');
      await expect(extended.createStreamProcessor({ ...base, applicationId: 'app', processingGuarantee: 'exactly_once' })).resolves.toBe('app#2');
    });

    it('refuses a maxTransactionalProducers below 1', async () => {
      await expect(extended.createStreamProcessor({ ...base, applicationId: 'app', maxTransactionalProducers: 0 })).rejects.toMatchObject({
        code: 'KAFKAX_INVALID_CONFIG',
        message: expect.stringContaining('config.maxTransactionalProducers'),
      });
    });

    it('returns distinct ids and reports a created processor', async () => {
      const id = await extended.createStreamProcessor({ ...base, applicationId: 'orders' });
      expect(id).toBe('orders#1');
      expect(extended.listStreamProcessors()).toEqual(['orders#1']);
      const status = await extended.getStreamProcessorStatus(id);
      expect(status).toMatchObject({ processorId: id, applicationId: 'orders', processingGuarantee: 'at_least_once', dlqTopic: 'orders.dlq', inputTopics: [], outputTopic: null });
      expect(status.state.kind).toBe('created');
      expect(status.metrics).toMatchObject({ recordsIn: 0, recordsOut: 0, recordsDlq: 0, totalLag: 0, lastError: null });
    });
  });

  describe('processKafkaStream', () => {
    let extended: KafkaExtended;
    let id: string;
    beforeEach(async () => {
      extended = new KafkaExtended(base);
      id = await extended.createStreamProcessor({ ...base, applicationId: 'app', dlqTopic: 'app-dlq' });
    });
    afterEach(() => extended.close());

    it.each([
      ['no input topics', [], 'out', () => null, '`inputTopics` must be a non-empty array of topic names, got an array of length 0'],
      ['an illegal input topic', ['in put'], 'out', () => null, '`inputTopics[0]` must be a Kafka topic name (1-249 of [a-zA-Z0-9._-]), got "in put"'],
      ['a repeated input topic', ['in', 'in'], 'out', () => null, '`inputTopics` must not repeat a topic'],
      ['the output among the inputs', ['in'], 'in', () => null, '`outputTopic` must not be one of the input topics'],
      ['the DLQ among the inputs', ['app-dlq'], 'out', () => null, "`inputTopics` must not contain the processor's DLQ topic 'app-dlq'"],
      ['a processor that is neither function nor object', ['in'], 'out', 42, '`processorFunc` must be a function or an object with process(record), got 42'],
    ])('rejects %s with an argument error', async (_label, inputs, output, fn, message) => {
      await expect(extended.processKafkaStream(id, inputs as string[], output, fn as never)).rejects.toMatchObject({
        name: 'KafkaExtendedArgumentError',
        code: 'KAFKAX_INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
    });

    it('rejects an unknown processor id', async () => {
      await expect(extended.processKafkaStream('nope', ['in'], 'out', () => null)).rejects.toMatchObject({ code: 'KAFKAX_UNKNOWN_PROCESSOR', message: "no stream processor with id 'nope'" });
      await expect(extended.getStreamProcessorMetrics('nope')).rejects.toMatchObject({ code: 'KAFKAX_UNKNOWN_PROCESSOR' });
      await expect(extended.stopStreamProcessor('nope')).rejects.toMatchObject({ code: 'KAFKAX_UNKNOWN_PROCESSOR' });
    });
  });

  describe('optimizeKafkaPerformance', () => {
    it.each([
      ['an unknown key', { 'retention.hours': 1 }, "`settings['retention.hours']` is not a supported topic config"],
      ['a negative segment size', { 'segment.bytes': -1 }, "`settings['segment.bytes']` must be an integer between 1048576 and 2147483647, got -1"],
      ['a fractional retention', { retentionMs: 1.5 }, "`settings['retentionMs']` must be an integer >= -1, got 1.5"],
      ['an unknown cleanup policy', { 'cleanup.policy': 'archive' }, "`settings['cleanup.policy']` must be 'delete', 'compact' or 'compact,delete', got \"archive\""],
      ['an unknown compression', { 'compression.type': 'brotli' }, "`settings['compression.type']` must be one of uncompressed, zstd, lz4, snappy, gzip, producer, got \"brotli\""],
      ['a non-boolean flag', { 'unclean.leader.election.enable': 'yes' }, "`settings['unclean.leader.election.enable']` must be a boolean, got \"yes\""],
      ['a ratio above 1', { 'min.cleanable.dirty.ratio': 1.5 }, "`settings['min.cleanable.dirty.ratio']` must be a number between 0 and 1, got 1.5"],
      ['the same config twice', { 'retention.ms': 1, retentionMs: 2 }, "`settings['retentionMs']` sets 'retention.ms' a second time"],
      ['no configs', {}, "`settings['*']` must name at least one topic config, got {}"],
    ])('rejects %s before contacting the broker', async (_label, settings, message) => {
      const extended = new KafkaExtended(base);
      await expect(extended.optimizeKafkaPerformance('t', settings)).rejects.toMatchObject({
        name: 'InvalidTopicConfigError',
        code: 'KAFKAX_INVALID_TOPIC_CONFIG',
        message: expect.stringContaining(message),
      });
      await extended.close();
    });

    it('rejects an illegal topic name', async () => {
      const extended = new KafkaExtended(base);
      await expect(extended.optimizeKafkaPerformance('', { 'retention.ms': 1 })).rejects.toMatchObject({ code: 'KAFKAX_INVALID_ARGUMENT' });
      await extended.close();
    });
  });

  describe('schema registry delegation', () => {
    it('delegates the three schema methods to the injected registry', async () => {
      const calls: unknown[][] = [];
      const registry: SchemaRegistryApi = {
        registerSchema: async (...args) => (calls.push(['registerSchema', ...args]), 7),
        getSchema: async (...args) => (calls.push(['getSchema', ...args]), { id: 7, subject: 's', version: 2, schemaType: 'AVRO', schema: '"string"', references: [] }),
        checkSchemaCompatibility: async (...args) => (calls.push(['checkSchemaCompatibility', ...args]), { isCompatible: true, messages: [] }),
        getSchemaById: async () => ({ id: 7, schemaType: 'AVRO', schema: '"string"', references: [] }),
      };
      const extended = new KafkaExtended({ ...base, schemaRegistry: registry });
      await expect(extended.registerSchema('s', '"string"', 'AVRO')).resolves.toBe(7);
      await expect(extended.getSchema('s', { version: 2 })).resolves.toMatchObject({ id: 7, version: 2 });
      await expect(extended.checkSchemaCompatibility('s', '"int"', { schemaType: 'AVRO' })).resolves.toEqual({ isCompatible: true, messages: [] });
      expect(calls).toEqual([
        ['registerSchema', 's', '"string"', 'AVRO', undefined],
        ['getSchema', 's', { version: 2 }],
        ['checkSchemaCompatibility', 's', '"int"', { schemaType: 'AVRO' }],
      ]);
      await extended.close();
    });
  });

  describe('close', () => {
    it('rejects every operation afterwards with a closed error', async () => {
      const extended = new KafkaExtended(base);
      await extended.close();
      await extended.close();
      await expect(extended.createStreamProcessor({ ...base, applicationId: 'a' })).rejects.toMatchObject({ code: 'KAFKAX_CLOSED', message: 'cannot create a stream processor: KafkaExtended is closed' });
      await expect(extended.getKafkaDiagnostics()).rejects.toMatchObject({ code: 'KAFKAX_CLOSED' });
      await expect(extended.registerSchema('s', '"string"', 'AVRO')).rejects.toMatchObject({ code: 'KAFKAX_CLOSED' });
    });
  });
});
