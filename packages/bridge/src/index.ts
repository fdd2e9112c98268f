export { CommunicationBridge } from './communication-bridge.js';
export type { CommunicationBridgeOptions } from './communication-bridge-options.js';
export { AdapterRegistry } from './adapters/adapter-registry.js';
export type {
  BridgeAdapter,
  BridgeDeliveryResult,
  BridgeHandle,
  BridgeMetrics,
  BridgeResult,
  BridgeSendOptions,
  BridgeSource,
  BridgeTarget,
  DeliveryReceipt,
  KafkaPosition,
  OutboundMessage,
  PoisonDecision,
  PoisonReport,
} from './adapters/bridge-adapter.js';
export { MemoryAdapter } from './adapters/memory-adapter.js';
export type { MemoryAdapterOptions, MemoryRecord, MemorySubscriber } from './adapters/memory-adapter.js';
export { MessageCodec } from './format/message-codec.js';
export { RuleEngine } from './rules/rule-engine.js';
export type { CompiledExpression, RuleContext } from './rules/rule-engine.js';
export { DEFAULT_RULE_LIMITS } from './rules/rule-limits.js';
export type { RuleLimits } from './rules/rule-limits.js';
export { BRIDGE_CHANNELS } from './channels.js';
export type { BridgeOverloadReason } from './errors/bridge-errors.js';
export {
  BridgeBadRequestError,
  BridgeConfigError,
  BridgeDeliveryAbortedError,
  BridgeDeliveryError,
  BridgeDuplicateNameError,
  BridgeError,
  BridgeFormatError,
  BridgeForbiddenError,
  BridgeInvalidMessageError,
  BridgeMalformedBodyError,
  BridgeNoRouteError,
  BridgeNotFoundError,
  BridgeOverloadedError,
  BridgePayloadTooLargeError,
  BridgeRequestTimeoutError,
  BridgeRouteNotFoundError,
  BridgeRuleEvaluationError,
  BridgeRuleSyntaxError,
  BridgeRuleTooLargeError,
  BridgeRuleUnsafeError,
  BridgeStoppedError,
  BridgeUnauthorizedError,
  BridgeUnknownProtocolError,
  BridgeUnsupportedMediaTypeError,
  isBridgeError,
} from './errors/bridge-errors.js';
export { KafkaAdapter } from './adapters/kafka-adapter.js';
export type { KafkaAdapterOptions, KafkaPoisonPolicy } from './adapters/kafka-adapter.js';
export { HttpAdapter } from './adapters/http-adapter.js';
export type { HttpAdapterOptions } from './adapters/http-adapter.js';
export { WebSocketAdapter } from './adapters/websocket-adapter.js';
export type { WebSocketAdapterOptions } from './adapters/websocket-adapter.js';
export { IngressServer } from './ingress/ingress-server.js';
export type { IngressServerOptions } from './ingress/ingress-server.js';
export type {
  IngressSchemaBinding,
  IngressSchemaOptions,
  IngressSchemaRequest,
  IngressSchemaResult,
  IngressSchemaValidator,
} from './ingress/ingress-schemas.js';
export { apiKeyAuthenticator, jwtAuthenticator } from './ingress/ingress-auth.js';
export type {
  ApiKeyAuthenticatorOptions,
  IngressAuthenticator,
  IngressAuthRequest,
  JwtAuthenticatorOptions,
} from './ingress/ingress-auth.js';
