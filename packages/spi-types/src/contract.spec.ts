// Pins the SPI's method signatures: an accidental change to the contract fails `nx typecheck spi-types`
// (expectTypeOf is checked by the compiler) and the method lists are checked at run time too.
import { expectTypeOf } from 'expect-type';
import {
  CIRCUIT_STATES,
  COMPRESSION_TYPES,
  PROTOCOL_CIRCUIT_BREAKER_METHODS,
  PROTOCOL_COMMUNICATION_BRIDGE_METHODS,
  PROTOCOL_HTTP_CLIENT_METHODS,
  PROTOCOL_HTTP_EXTENDED_METHODS,
  PROTOCOL_KAFKA_CLIENT_METHODS,
  PROTOCOL_KAFKA_EXTENDED_METHODS,
  SCHEMA_TYPES,
  type ContextValue,
  type LiteralCircuitState,
  type LiteralCompressionType,
  type LiteralSchemaType,
  type ProtocolBridgeConfig,
  type ProtocolBridgeHealth,
  type ProtocolBridgeInfo,
  type ProtocolBridgeMessage,
  type ProtocolBridgeMetrics,
  type ProtocolBridgeResult,
  type ProtocolBridgeStatus,
  type ProtocolCircuitBreaker,
  type ProtocolCircuitBreakerConfig,
  type ProtocolCircuitBreakerMetrics,
  type ProtocolCommunicationBridge,
  type ProtocolCompatibilityResult,
  type ProtocolConnectionPoolStats,
  type ProtocolConsumerGroupInfo,
  type ProtocolHttpBodyRequestOptions,
  type ProtocolHttpClient,
  type ProtocolHttpClientMetrics,
  type ProtocolHttpExtended,
  type ProtocolHttpRequestOptions,
  type ProtocolHttpResponse,
  type ProtocolJWTClaims,
  type ProtocolKafkaClient,
  type ProtocolKafkaCommitOffsets,
  type ProtocolKafkaConsumerConfig,
  type ProtocolKafkaDiagnostics,
  type ProtocolKafkaExtended,
  type ProtocolKafkaMessage,
  type ProtocolKafkaMetrics,
  type ProtocolKafkaProduceOptions,
  type ProtocolKafkaProduceResult,
  type ProtocolKafkaProducerConfig,
  type ProtocolKafkaSecurityConfig,
  type ProtocolKafkaStreamConfig,
  type ProtocolKafkaStreamProcessor,
  type ProtocolOAuth2Options,
  type ProtocolOAuth2Token,
  type ProtocolRetryPolicy,
  type ProtocolRoutingRule,
  type ProtocolSchemaDefinition,
  type ProtocolSchemaInfo,
  type ProtocolSchemaOptions,
  type ProtocolStreamRequestOptions,
  type ProtocolTopicMetadata,
  type ProtocolWebSocketConnectOptions,
  type ProtocolWebSocketConnection,
} from './index.js';

describe('the SPI contract', () => {
  it('keeps the literal types exactly as the seed defines them', () => {
    expectTypeOf<LiteralCircuitState>().toEqualTypeOf<'closed' | 'open' | 'half_open'>();
    expectTypeOf<LiteralCompressionType>().toEqualTypeOf<'none' | 'gzip' | 'deflate' | 'brotli'>();
    expectTypeOf<LiteralSchemaType>().toEqualTypeOf<'AVRO' | 'JSON' | 'PROTOBUF'>();
    expect(CIRCUIT_STATES).toEqual(['closed', 'open', 'half_open']);
    expect(COMPRESSION_TYPES).toEqual(['none', 'gzip', 'deflate', 'brotli']);
    expect(SCHEMA_TYPES).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
  });

  it('accepts JSON-like data and bytes as ContextValue', () => {
    expectTypeOf<{ event: string; ids: number[]; raw: Uint8Array; nested: { ok: boolean | null } }>().toMatchTypeOf<ContextValue>();
    expectTypeOf<undefined>().not.toMatchTypeOf<ContextValue>();
    expectTypeOf<() => void>().not.toMatchTypeOf<ContextValue>();
  });

  it('pins ProtocolHttpClient', () => {
    type R = Promise<ProtocolHttpResponse>;
    expectTypeOf<ProtocolHttpClient['get']>().toEqualTypeOf<(url: string, options?: ProtocolHttpRequestOptions) => R>();
    expectTypeOf<ProtocolHttpClient['post']>().toEqualTypeOf<(url: string, options?: ProtocolHttpBodyRequestOptions) => R>();
    expectTypeOf<ProtocolHttpClient['put']>().toEqualTypeOf<(url: string, options?: ProtocolHttpBodyRequestOptions) => R>();
    expectTypeOf<ProtocolHttpClient['delete']>().toEqualTypeOf<(url: string, options?: ProtocolHttpRequestOptions) => R>();
    expectTypeOf<ProtocolHttpClient['patch']>().toEqualTypeOf<(url: string, options?: ProtocolHttpBodyRequestOptions) => R>();
    expectTypeOf<ProtocolHttpClient['request']>().toEqualTypeOf<
      (method: string, url: string, options?: ProtocolHttpBodyRequestOptions) => R
    >();
    expectTypeOf<ProtocolHttpClient['getClientMetrics']>().toEqualTypeOf<() => Promise<ProtocolHttpClientMetrics>>();
    expectTypeOf<ProtocolHttpClient['configureRetryPolicy']>().toEqualTypeOf<(policy: ProtocolRetryPolicy) => Promise<boolean>>();
    expectTypeOf<ProtocolHttpClient['configureCircuitBreaker']>().toEqualTypeOf<
      (breaker: ProtocolCircuitBreaker) => Promise<boolean>
    >();
    expect(PROTOCOL_HTTP_CLIENT_METHODS).toHaveLength(9);
  });

  it('pins ProtocolHttpExtended', () => {
    expectTypeOf<ProtocolHttpExtended['streamRequest']>().toEqualTypeOf<
      (method: string, url: string, options?: ProtocolStreamRequestOptions) => AsyncIterableIterator<Uint8Array>
    >();
    expectTypeOf<ProtocolHttpExtended['websocketConnect']>().toEqualTypeOf<
      (url: string, options?: ProtocolWebSocketConnectOptions) => Promise<ProtocolWebSocketConnection>
    >();
    expectTypeOf<ProtocolHttpExtended['authenticateOauth2']>().toEqualTypeOf<
      (tokenUrl: string, clientId: string, clientSecret: string, options?: ProtocolOAuth2Options) => Promise<ProtocolOAuth2Token>
    >();
    expectTypeOf<ProtocolHttpExtended['authenticateJwt']>().toEqualTypeOf<
      (token: string, algorithm?: string) => Promise<ProtocolJWTClaims>
    >();
    expectTypeOf<ProtocolHttpExtended['compressRequest']>().toEqualTypeOf<
      (data: ContextValue, compressionType: LiteralCompressionType) => Promise<Uint8Array>
    >();
    expectTypeOf<ProtocolHttpExtended['decompressResponse']>().toEqualTypeOf<
      (data: Uint8Array, compressionType: LiteralCompressionType) => Promise<Uint8Array>
    >();
    expectTypeOf<ProtocolHttpExtended['getConnectionPoolStats']>().toEqualTypeOf<() => Promise<ProtocolConnectionPoolStats>>();
    expect(PROTOCOL_HTTP_EXTENDED_METHODS).toHaveLength(7);
  });

  it('pins ProtocolKafkaClient', () => {
    expectTypeOf<ProtocolKafkaClient['createProducer']>().toEqualTypeOf<(config: ProtocolKafkaProducerConfig) => Promise<string>>();
    expectTypeOf<ProtocolKafkaClient['createConsumer']>().toEqualTypeOf<(config: ProtocolKafkaConsumerConfig) => Promise<string>>();
    expectTypeOf<ProtocolKafkaClient['produceMessage']>().toEqualTypeOf<
      (
        producerId: string,
        topic: string,
        key: Uint8Array | string | null,
        value: Uint8Array | string | null,
        options?: ProtocolKafkaProduceOptions,
      ) => Promise<ProtocolKafkaProduceResult>
    >();
    expectTypeOf<ProtocolKafkaClient['consumeMessages']>().toEqualTypeOf<
      (consumerId: string, topics: readonly string[], timeoutMs?: number) => Promise<ProtocolKafkaMessage[]>
    >();
    expectTypeOf<ProtocolKafkaClient['commitOffsets']>().toEqualTypeOf<
      (consumerId: string, offsets: ProtocolKafkaCommitOffsets) => Promise<boolean>
    >();
    expectTypeOf<ProtocolKafkaClient['getConsumerGroupInfo']>().toEqualTypeOf<(groupId: string) => Promise<ProtocolConsumerGroupInfo>>();
    expectTypeOf<ProtocolKafkaClient['createTopic']>().toEqualTypeOf<
      (topic: string, partitions: number, replicationFactor: number) => Promise<boolean>
    >();
    expectTypeOf<ProtocolKafkaClient['deleteTopic']>().toEqualTypeOf<(topic: string) => Promise<boolean>>();
    expectTypeOf<ProtocolKafkaClient['getTopicMetadata']>().toEqualTypeOf<(topic: string) => Promise<ProtocolTopicMetadata>>();
    expectTypeOf<ProtocolKafkaClient['getKafkaMetrics']>().toEqualTypeOf<(clientId: string) => Promise<ProtocolKafkaMetrics>>();
    expect(PROTOCOL_KAFKA_CLIENT_METHODS).toHaveLength(10);
  });

  it('pins ProtocolKafkaExtended', () => {
    expectTypeOf<ProtocolKafkaExtended['createStreamProcessor']>().toEqualTypeOf<(config: ProtocolKafkaStreamConfig) => Promise<string>>();
    expectTypeOf<ProtocolKafkaExtended['processKafkaStream']>().toEqualTypeOf<
      (
        processorId: string,
        inputTopics: readonly string[],
        outputTopic: string,
        processorFunc: ProtocolKafkaStreamProcessor,
      ) => Promise<boolean>
    >();
    expectTypeOf<ProtocolKafkaExtended['registerSchema']>().toEqualTypeOf<
      (
        subject: string,
        schema: ProtocolSchemaDefinition,
        schemaType: LiteralSchemaType,
        options?: Pick<ProtocolSchemaOptions, 'references'>,
      ) => Promise<number>
    >();
    expectTypeOf<ProtocolKafkaExtended['getSchema']>().toEqualTypeOf<
      (subject: string, options?: { readonly version?: number }) => Promise<ProtocolSchemaInfo>
    >();
    expectTypeOf<ProtocolKafkaExtended['checkSchemaCompatibility']>().toEqualTypeOf<
      (subject: string, schema: ProtocolSchemaDefinition, options?: ProtocolSchemaOptions) => Promise<ProtocolCompatibilityResult>
    >();
    expectTypeOf<ProtocolKafkaExtended['optimizeKafkaPerformance']>().toEqualTypeOf<
      (topic: string, settings: Readonly<Record<string, unknown>>) => Promise<boolean>
    >();
    expectTypeOf<ProtocolKafkaExtended['getKafkaDiagnostics']>().toEqualTypeOf<
      (options?: { readonly topic?: string }) => Promise<ProtocolKafkaDiagnostics>
    >();
    expectTypeOf<ProtocolKafkaExtended['configureKafkaSecurity']>().toEqualTypeOf<
      (securityConfig: ProtocolKafkaSecurityConfig) => Promise<boolean>
    >();
    expect(PROTOCOL_KAFKA_EXTENDED_METHODS).toHaveLength(8);
  });

  it('pins ProtocolCircuitBreaker', () => {
    expectTypeOf<ProtocolCircuitBreaker['getCircuitState']>().toEqualTypeOf<(circuitName: string) => Promise<LiteralCircuitState>>();
    expectTypeOf<ProtocolCircuitBreaker['configureCircuitBreaker']>().toEqualTypeOf<
      (circuitName: string, config: ProtocolCircuitBreakerConfig) => Promise<boolean>
    >();
    expectTypeOf<ProtocolCircuitBreaker['resetCircuitBreaker']>().toEqualTypeOf<(circuitName: string) => Promise<boolean>>();
    expectTypeOf<ProtocolCircuitBreaker['getCircuitMetrics']>().toEqualTypeOf<
      (circuitName: string) => Promise<ProtocolCircuitBreakerMetrics>
    >();
    expectTypeOf<ProtocolCircuitBreaker['getAllCircuitStates']>().toEqualTypeOf<() => Promise<Record<string, LiteralCircuitState>>>();
    expectTypeOf<ProtocolCircuitBreaker['forceCircuitOpen']>().toEqualTypeOf<(circuitName: string) => Promise<boolean>>();
    expectTypeOf<ProtocolCircuitBreaker['forceCircuitClosed']>().toEqualTypeOf<(circuitName: string) => Promise<boolean>>();
    // executeWithCircuitBreaker is generic: the operation's result type flows through, and a
    // zero-argument operation (the seed's Callable[[], Awaitable]) is accepted.
    type Execute = ProtocolCircuitBreaker['executeWithCircuitBreaker'];
    const run42 = (execute: Execute) => execute(async () => 42, 'c');
    const runAborted = (execute: Execute) => execute(async (signal: AbortSignal) => signal.aborted, 'c', { timeoutSeconds: 1 });
    expectTypeOf(run42).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(runAborted).returns.toEqualTypeOf<Promise<boolean>>();
    // The result filter (an extension of the seed) is typed by the operation's result.
    const runFiltered = (execute: Execute) =>
      execute(async () => ({ statusCode: 503 }), 'c', { isFailureResult: (response) => response.statusCode >= 500 });
    expectTypeOf(runFiltered).returns.toEqualTypeOf<Promise<{ statusCode: number }>>();
    expectTypeOf<ProtocolCircuitBreakerConfig['isFailureResult']>().toEqualTypeOf<((result: unknown) => boolean) | undefined>();
    expectTypeOf<ProtocolCircuitBreaker['supportsResultFilter']>().toEqualTypeOf<boolean | undefined>();
    expect(PROTOCOL_CIRCUIT_BREAKER_METHODS).toHaveLength(8);
  });

  it('pins ProtocolCommunicationBridge', () => {
    expectTypeOf<ProtocolCommunicationBridge['createBridge']>().toEqualTypeOf<
      (bridgeName: string, sourceProtocol: string, targetProtocol: string, config: ProtocolBridgeConfig) => Promise<string>
    >();
    expectTypeOf<ProtocolCommunicationBridge['destroyBridge']>().toEqualTypeOf<(bridgeId: string) => Promise<boolean>>();
    expectTypeOf<ProtocolCommunicationBridge['sendMessageThroughBridge']>().toEqualTypeOf<
      (bridgeId: string, message: ProtocolBridgeMessage) => Promise<ProtocolBridgeResult>
    >();
    expectTypeOf<ProtocolCommunicationBridge['getBridgeStatus']>().toEqualTypeOf<(bridgeId: string) => Promise<ProtocolBridgeStatus>>();
    expectTypeOf<ProtocolCommunicationBridge['getBridgeMetrics']>().toEqualTypeOf<(bridgeId: string) => Promise<ProtocolBridgeMetrics>>();
    expectTypeOf<ProtocolCommunicationBridge['configureBridgeRouting']>().toEqualTypeOf<
      (bridgeId: string, routingRules: readonly ProtocolRoutingRule[]) => Promise<boolean>
    >();
    expectTypeOf<ProtocolCommunicationBridge['getAllBridges']>().toEqualTypeOf<() => Promise<ProtocolBridgeInfo[]>>();
    expectTypeOf<ProtocolCommunicationBridge['monitorBridgeHealth']>().toEqualTypeOf<(bridgeId: string) => Promise<ProtocolBridgeHealth>>();
    expect(PROTOCOL_COMMUNICATION_BRIDGE_METHODS).toHaveLength(8);
  });

  it('accepts the seed examples written in TypeScript', () => {
    const producer: ProtocolKafkaProducerConfig = { bootstrapServers: ['kafka1:9092', 'kafka2:9092'], acks: 'all', retries: 3 };
    const consumer: ProtocolKafkaConsumerConfig = { bootstrapServers: ['kafka1:9092'], groupId: 'user-service', autoOffsetReset: 'earliest' };
    const policy: ProtocolRetryPolicy = { maxRetries: 3, backoffFactor: 2.0, retryOnStatusCodes: [500, 502, 503, 504] };
    const breakerConfig: ProtocolCircuitBreakerConfig = { failureThreshold: 5, timeoutSeconds: 60, successThreshold: 3 };
    const bridgeConfig: ProtocolBridgeConfig = { sourceEndpoint: 'https://api.example.com/events', targetTopic: 'events', messageFormat: 'json' };
    const message: ProtocolBridgeMessage = {
      payload: { event: 'user_login', user_id: '12345' },
      headers: { source: 'web-app' },
      metadata: { timestamp: '2024-01-19T10:00:00Z' },
    };
    const rules: ProtocolRoutingRule[] = [
      { condition: "payload.event == 'user_login'", targetTopic: 'user-events' },
      { condition: "payload.event == 'order_created'", targetTopic: 'order-events' },
    ];
    const stream: ProtocolKafkaStreamConfig = { applicationId: 'user-event-processor', bootstrapServers: ['kafka:9092'] };
    const processor: ProtocolKafkaStreamProcessor = (record) => ({ key: record.key, value: record.value });
    const commit: ProtocolKafkaCommitOffsets = { 'user-events': 42 };
    expect([producer, consumer, policy, breakerConfig, bridgeConfig, message, rules, stream, processor, commit]).toHaveLength(10);
  });
});
