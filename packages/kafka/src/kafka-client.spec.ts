import type { ProtocolKafkaConsumerConfig, ProtocolKafkaProducerConfig } from '@onex/spi-types';
import { isProtocolKafkaClient } from '@onex/spi-types';
import { KafkaClient } from './kafka-client.js';
import { isCodecAvailable } from './internal/resolve-config.js';

const servers = ['127.0.0.1:1'];

describe(KafkaClient, () => {
  it('is a ProtocolKafkaClient', () => {
    expect(isProtocolKafkaClient(new KafkaClient())).toBe(true);
  });

  it.each([
    [{ bootstrapServers: [] }, 'KAFKA_INVALID_CONFIG', '`bootstrapServers` must be a non-empty list of "host:port", got an array of length 0'],
    [{ bootstrapServers: ['nohost'] }, 'KAFKA_INVALID_CONFIG', '`bootstrapServers` entries must be "host:port", got "nohost"'],
    [{ bootstrapServers: servers, retries: -1 }, 'KAFKA_INVALID_CONFIG', '`retries` must be a non-negative integer, got -1'],
    [{ bootstrapServers: servers, acks: 2 }, 'KAFKA_INVALID_CONFIG', '`acks` must be one of "all", -1, 0, 1, got 2'],
    [{ bootstrapServers: servers, acks: 1 }, 'KAFKA_INVALID_CONFIG', "`acks` must be 'all' when `enableIdempotence` is true, got 1"],
    [{ bootstrapServers: servers, lingerMs: 1.5 }, 'KAFKA_INVALID_CONFIG', '`lingerMs` must be an integer from 0 to 60000, got 1.5'],
    [{ bootstrapServers: servers, batchSize: 0 }, 'KAFKA_INVALID_CONFIG', '`batchSize` must be a positive integer, got 0'],
    [{ bootstrapServers: servers, compression: 'brotli' }, 'KAFKA_INVALID_CONFIG', '`compression` must be one of "none", "gzip", "snappy", "lz4", "zstd", got "brotli"'],
    [{ bootstrapServers: servers, sasl: { mechanism: 'gssapi' } }, 'KAFKA_INVALID_CONFIG', '`sasl.mechanism` must be one of'],
    [{ bootstrapServers: servers, clientId: '' }, 'KAFKA_INVALID_CONFIG', '`clientId` must be a non-empty string, got ""'],
    // The shared renderer of @onex/spi-types/support: an object is named, a long string cut at 60 characters.
    [{ bootstrapServers: servers, clientId: { a: 1 } }, 'KAFKA_INVALID_CONFIG', '`clientId` must be a non-empty string, got an object'],
    [{ bootstrapServers: servers, compression: 'z'.repeat(70) }, 'KAFKA_INVALID_CONFIG', `got "${'z'.repeat(60)}…"`],
    [{ bootstrapServers: servers, bufferMemoryBytes: 0 }, 'KAFKA_INVALID_CONFIG', '`bufferMemoryBytes` must be a positive integer, got 0'],
    [{ bootstrapServers: servers, maxBlockMs: -1 }, 'KAFKA_INVALID_CONFIG', '`maxBlockMs` must be a non-negative integer, got -1'],
    [
      { bootstrapServers: servers, retries: 0 },
      'KAFKA_INVALID_CONFIG',
      '`retries` must be at least 1 when `enableIdempotence` is true (the default), got 0: set `enableIdempotence: false` to send without retries',
    ],
  ])('rejects producer config %j with %s', async (config, code, message) => {
    const client = new KafkaClient();
    const error = await client.createProducer(config as unknown as ProtocolKafkaProducerConfig).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(message);
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)('has the %s codec built in: a producer with it passes validation and only fails to connect', async (compression) => {
    expect(isCodecAvailable(compression)).toBe(true);
    const client = new KafkaClient({ logLevel: 'nothing' });
    const error = await client
      .createProducer({ bootstrapServers: servers, compression, connectionTimeoutMs: 200, retries: 0, enableIdempotence: false })
      .catch((e: unknown) => e);
    // The connect, not the config, failed (with the default idempotence, `retries: 0` is refused as a config error).
    expect(error).toMatchObject({ code: 'KAFKA_CONNECTION' });
    await client.close();
  });

  it.each([
    [{ bootstrapServers: servers }, '`groupId` must be a non-empty string, got undefined'],
    [{ bootstrapServers: servers, groupId: 'g', autoOffsetReset: 'smallest' }, '`autoOffsetReset` must be one of "earliest", "latest", got "smallest"'],
    [{ bootstrapServers: servers, groupId: 'g', maxPollRecords: 0 }, '`maxPollRecords` must be a positive integer, got 0'],
    [{ bootstrapServers: servers, groupId: 'g', sessionTimeoutMs: 3000, heartbeatIntervalMs: 3000 }, '`heartbeatIntervalMs` must be lower than `sessionTimeoutMs` (3000), got 3000'],
    [{ bootstrapServers: servers, groupId: 'g', isolationLevel: 'serializable' }, '`isolationLevel` must be one of'],
    [{ bootstrapServers: servers, groupId: 'g', enableAutoCommit: 'yes' }, '`enableAutoCommit` must be a boolean, got "yes"'],
    [{ bootstrapServers: servers, groupId: 'g', maxPollIntervalMs: 0 }, '`maxPollIntervalMs` must be a positive integer, got 0'],
  ])('rejects consumer config %j', async (config, message) => {
    const client = new KafkaClient();
    const error = await client.createConsumer(config as unknown as ProtocolKafkaConsumerConfig).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KAFKA_INVALID_CONFIG' });
    expect((error as Error).message).toContain(message);
  });

  it('rejects bad client options in the constructor', () => {
    expect(() => new KafkaClient({ logLevel: 'loud' as never })).toThrow('`logLevel` must be one of');
    expect(() => new KafkaClient({ metadataMaxAgeMs: -5 })).toThrow('`metadataMaxAgeMs` must be a non-negative integer, got -5');
  });

  it('rejects unknown ids and admin calls without any connection', async () => {
    const client = new KafkaClient();
    await expect(client.produceMessage('nope', 't', null, 'v')).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PRODUCER' });
    await expect(client.consumeMessages('nope', ['t'])).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_CONSUMER' });
    await expect(client.commitOffsets('nope', {})).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_CONSUMER' });
    await expect(client.closeProducer('nope')).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PRODUCER' });
    await expect(client.getTopicMetadata('t')).rejects.toMatchObject({ code: 'KAFKA_INVALID_CONFIG' });
  });

  it('reports zero metrics for a client id it has never seen', async () => {
    const metrics = await new KafkaClient().getKafkaMetrics('ghost');
    expect(metrics).toMatchObject({ clientId: 'ghost', messagesProduced: 0, connectionState: 'disconnected', averageBatchSize: 0 });
  });
});
