// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declarations are a script (ambient modules); a reference lets every project that compiles this file from source see them
/// <reference path="./kafkajs-metadata-internals.d.ts" />
import { tolerateUntargetedPartitionErrors } from '@onex/spi-types/support';
import kafkajsErrors from 'kafkajs/src/protocol/error.js';
import metadataRequests from 'kafkajs/src/protocol/requests/metadata/index.js';

/**
 * Below kafkajs's client (kafkajs 2.2.4, pinned; the same rule as @onex/kafka, from @onex/spi-types/support): a Metadata request naming no topic (what an idempotent or
 * transactional producer sends before InitProducerId, and admin.listTopics) no longer fails while some
 * partition of a topic this client does not use has no leader; metadata of the topics it uses fails and is
 * retried as before. packages/kafka/src/internal/kafkajs-untargeted-metadata.spec.ts (same kafkajs) fails when the kafkajs pieces used change.
 */
export const untargetedMetadataTolerant: boolean = tolerateUntargetedPartitionErrors(metadataRequests, kafkajsErrors);
