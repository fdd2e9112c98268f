// Type declarations for the kafkajs 2.2.4 internals that record-batch encoding uses (kafkajs ships
// declarations for its public API only). kafkajs is pinned; kafkajs-produce-request.spec.ts fails when
// the shapes declared here change.

declare module 'kafkajs/src/protocol/requests/produce/index.js' {
  /** The arguments kafkajs's broker passes to a Produce request (v3 and later). */
  interface ProduceRequestArgs {
    acks: number;
    timeout: number;
    compression?: number;
    transactionalId?: string | null;
    producerId?: { toString(): string } | number;
    producerEpoch?: number;
    topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: object[] }[] }[];
  }
  interface ProduceRequest {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    expectResponse: () => boolean;
    encode: () => Promise<{ buf: Buffer; offset: number; readonly buffer: Buffer }>;
  }
  /** kafkajs's response handler: `parse` throws the first partition's error, else returns the decoded response. */
  interface ProduceResponseHandler {
    decode: (rawData: Buffer) => Promise<unknown>;
    parse: (data: unknown) => Promise<unknown>;
  }
  const produce: {
    versions: string[];
    protocol: (options: { version: number }) => ((args: ProduceRequestArgs) => { request: ProduceRequest; response: ProduceResponseHandler }) | undefined;
  };
  export = produce;
}

declare module 'kafkajs/src/protocol/encoder.js' {
  class Encoder {
    constructor(initialSize?: number);
    buf: Buffer;
    offset: number;
    readonly buffer: Buffer;
    writeBuffer(value: Buffer): this;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/message/compression/index.js' {
  const compression: {
    lookupCodec(type: number): { compress(encoder: { buffer: Buffer }): Promise<Buffer> } | null;
  };
  export = compression;
}

declare module 'kafkajs/src/protocol/recordBatch/crc32C/index.js' {
  const crc32C: (buffer: Buffer) => number;
  export = crc32C;
}

declare module 'kafkajs/src/protocol/requests/produce/v3/request.js' {
  /** kafkajs's own Produce v3 encoder (the spec's reference for byte equality). */
  const request: (args: object) => { encode: () => Promise<{ readonly buffer: Buffer }> };
  export = request;
}

declare module 'kafkajs/src/producer/groupMessagesPerPartition.js' {
  /** kafkajs's grouping of a request's messages by partition (the spec runs PartitionMessages through it). */
  const groupMessagesPerPartition: (args: { topic: string; partitionMetadata: object[]; messages: object[]; partitioner: (args: object) => number }) => Record<string, object[]>;
  export = groupMessagesPerPartition;
}
