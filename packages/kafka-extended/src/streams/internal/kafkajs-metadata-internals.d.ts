// The kafkajs 2.2.4 internals kafkajs-untargeted-metadata.ts passes to @onex/spi-types/support, whose
// parameter types describe them (packages/kafka/src/internal/kafkajs-metadata-internals.d.ts declares them
// in full; packages/kafka/src/internal/kafkajs-untargeted-metadata.spec.ts guards the same kafkajs).
declare module 'kafkajs/src/protocol/requests/metadata/index.js';
declare module 'kafkajs/src/protocol/error.js';
