// Type declarations for the kafkajs 2.2.4 internals that kafkajs-untargeted-metadata.ts uses (kafkajs ships
// declarations for its public API only). kafkajs is pinned; kafkajs-untargeted-metadata.spec.ts fails when
// the shapes declared here change.

declare module 'kafkajs/src/protocol/requests/metadata/index.js' {
  const metadata: import('@onex/spi-types/support').KafkaMetadataRequestsLike & { versions: string[] };
  export = metadata;
}

declare module 'kafkajs/src/protocol/error.js' {
  const errors: import('@onex/spi-types/support').KafkaProtocolErrorsLike;
  export = errors;
}
