import { tolerateUntargetedPartitionErrors, type KafkaMetadataRequestsLike, type KafkaMetadataResponseLike } from './kafka-untargeted-metadata.js';

class ProtocolError extends Error {}

const errors = {
  failure: (code: number): boolean => code !== 0,
  createErrorFromCode: (code: number): Error => new ProtocolError(`code ${code}`),
};

/** A definition shaped like kafkajs's: its parse throws on any topic or partition error. */
function definition(): KafkaMetadataRequestsLike {
  return {
    protocol: ({ version }) =>
      version > 6
        ? undefined
        : ({ topics }) => ({
            request: { topics },
            response: {
              async parse(data: KafkaMetadataResponseLike) {
                const topic = data.topicMetadata.find((t) => t.topicErrorCode !== 0);
                if (topic) throw errors.createErrorFromCode(topic.topicErrorCode);
                const partition = data.topicMetadata.flatMap((t) => t.partitionMetadata).find((p) => p.partitionErrorCode !== 0);
                if (partition) throw errors.createErrorFromCode(partition.partitionErrorCode);
                return data;
              },
            },
          }),
  };
}

const offlinePartition: KafkaMetadataResponseLike = {
  topicMetadata: [
    { topicErrorCode: 0, partitionMetadata: [{ partitionErrorCode: 0 }] },
    { topicErrorCode: 0, partitionMetadata: [{ partitionErrorCode: 5 }] },
  ],
};
const topicError: KafkaMetadataResponseLike = { topicMetadata: [{ topicErrorCode: 3, partitionMetadata: [] }] };

const parse = (metadata: KafkaMetadataRequestsLike, topics: string[] | undefined, data: KafkaMetadataResponseLike): Promise<unknown> =>
  metadata.protocol({ version: 6 })!({ topics }).response.parse(data);

describe(tolerateUntargetedPartitionErrors, () => {
  it('fails untargeted metadata on a partition error without it (control)', async () => {
    await expect(parse(definition(), [], offlinePartition)).rejects.toThrow('code 5');
  });

  it('lets metadata asked for no topic through a partition error, keeping the partition and its code', async () => {
    const metadata = definition();
    expect(tolerateUntargetedPartitionErrors(metadata, errors)).toBe(true);
    await expect(parse(metadata, [], offlinePartition)).resolves.toBe(offlinePartition);
    await expect(parse(metadata, undefined, offlinePartition)).resolves.toBe(offlinePartition);
  });

  it('keeps failing untargeted metadata from a broker that names no controller (fenced or restarting), not from one that does', async () => {
    const metadata = definition();
    tolerateUntargetedPartitionErrors(metadata, errors);
    await expect(parse(metadata, [], { ...offlinePartition, controllerId: -1 })).rejects.toThrow(new ProtocolError('code 5'));
    const withController = { ...offlinePartition, controllerId: 2 };
    await expect(parse(metadata, [], withController)).resolves.toBe(withController);
  });

  it('keeps failing untargeted metadata on a topic error and targeted metadata on any error', async () => {
    const metadata = definition();
    tolerateUntargetedPartitionErrors(metadata, errors);
    await expect(parse(metadata, [], topicError)).rejects.toThrow(new ProtocolError('code 3'));
    await expect(parse(metadata, ['orders'], offlinePartition)).rejects.toThrow(new ProtocolError('code 5'));
  });

  it('wraps a definition once and leaves unsupported versions and other shapes alone', async () => {
    const metadata = definition();
    tolerateUntargetedPartitionErrors(metadata, errors);
    const wrapped = metadata.protocol;
    expect(tolerateUntargetedPartitionErrors(metadata, errors)).toBe(true);
    expect(metadata.protocol).toBe(wrapped);
    expect(metadata.protocol({ version: 7 })).toBeUndefined();
    expect(tolerateUntargetedPartitionErrors({} as KafkaMetadataRequestsLike, errors)).toBe(false);
  });
});
