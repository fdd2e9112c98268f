import { readFileSync } from 'node:fs';
import path from 'node:path';
import kafkajsErrors from 'kafkajs/src/protocol/error.js';
import metadataRequests from 'kafkajs/src/protocol/requests/metadata/index.js';
import { untargetedMetadataTolerant } from './kafkajs-untargeted-metadata.js';

const kafkajsDir = path.dirname(require.resolve('kafkajs/package.json'));
const source = (file: string): string => readFileSync(path.join(kafkajsDir, file), 'utf8');

/** A decoded Metadata response: one healthy topic and one whose partition has no leader (LEADER_NOT_AVAILABLE, 5). */
const offline = {
  brokers: [],
  topicMetadata: [
    { topicErrorCode: 0, topic: 'used', partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] }] },
    { topicErrorCode: 0, topic: 'unused', partitionMetadata: [{ partitionErrorCode: 5, partitionId: 0, leader: -1, replicas: [2], isr: [] }] },
  ],
};

describe('kafkajs internals the untargeted-metadata rule relies on', () => {
  it('are those of kafkajs 2.2.4, the pinned version', () => {
    expect((JSON.parse(source('package.json')) as { version: string }).version).toBe('2.2.4');
    // The broker reads requests.Metadata.protocol at every request, with the topics it was asked for.
    expect(source('src/broker/index.js')).toContain('const metadata = this.lookupRequest(apiKeys.Metadata, requests.Metadata)');
    expect(source('src/broker/index.js')).toContain('metadata({ topics: shuffledTopics, allowAutoTopicCreation: this.allowAutoTopicCreation })');
    expect(source('src/protocol/requests/index.js')).toContain('return definition.protocol({ version: bestSupportedVersion })');
    expect(source('src/protocol/requests/metadata/index.js')).toContain('protocol: ({ version }) => versions[version]');
    // An empty topic list is sent as null (all topics), and that is what a producer asks before InitProducerId.
    expect(source('src/protocol/encoder.js')).toContain('const length = array.length !== 0 ? array.length : -1');
    expect(source('src/cluster/index.js')).toContain('return await this.brokerPool.refreshMetadataIfNecessary(Array.from(this.targetTopics))');
    expect(source('src/producer/eosManager/index.js')).toContain('await cluster.refreshMetadataIfNecessary()');
    // Every version's parse is v0's, which throws on any topic or partition error.
    expect(source('src/protocol/requests/metadata/v0/response.js')).toContain('return topic.partitionMetadata.filter(partition => failure(partition.partitionErrorCode))');
    expect(untargetedMetadataTolerant).toBe(true);
    expect(metadataRequests.versions).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });

  it('parses metadata asked for no topic through a partition error, at every version', async () => {
    for (const version of metadataRequests.versions.map(Number)) {
      const { response } = metadataRequests.protocol({ version })!({ topics: [] });
      await expect(response.parse(offline)).resolves.toBe(offline);
    }
  });

  it('keeps failing metadata asked for a topic on a partition error, as kafkajs does (control)', async () => {
    for (const version of metadataRequests.versions.map(Number)) {
      const { response } = metadataRequests.protocol({ version })!({ topics: ['used'] });
      await expect(response.parse(offline)).rejects.toMatchObject({ type: 'LEADER_NOT_AVAILABLE' });
    }
    expect(kafkajsErrors.failure(5)).toBe(true);
  });
});
