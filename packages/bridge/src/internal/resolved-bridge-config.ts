import type { LiteralBridgeMessageFormat, ProtocolBridgeConfig } from '@onex/spi-types';
import { nonNegative, positiveInteger, show } from '../communication-bridge-options.js';
import { BridgeConfigError } from '../errors/bridge-errors.js';
import type { CompiledExpression, RuleEngine } from '../rules/rule-engine.js';

/** A bridge config after validation, with defaults filled in and mappings compiled. */
export interface ResolvedBridgeConfig {
  readonly format: LiteralBridgeMessageFormat;
  readonly defaultDestination: string | undefined;
  readonly keyMapping: CompiledExpression | undefined;
  readonly headerMapping: readonly { readonly name: string; readonly expression: CompiledExpression }[];
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly dlqTarget: string | undefined;
  readonly concurrency: number;
  readonly ordering: boolean;
  readonly routingMode: 'first_match' | 'fan_out';
  readonly unmatched: 'default' | 'reject';
  readonly circuitName: string;
}

const FORMATS = ['json', 'text', 'bytes'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Validates a `ProtocolBridgeConfig` and compiles its key and header mappings.
 * @throws BridgeConfigError naming the field and the bad value, or a rule error for a bad mapping
 */
export function resolveBridgeConfig(name: string, config: ProtocolBridgeConfig, engine: RuleEngine): ResolvedBridgeConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new BridgeConfigError(`\`config\` must be an object, got ${show(config)}`);
  }
  for (const field of ['sourceEndpoint', 'targetTopic', 'targetEndpoint', 'dlqTarget', 'circuitName', 'keyMapping'] as const) {
    const value = config[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new BridgeConfigError(`\`config.${field}\` must be a non-empty string, got ${show(value)}`);
    }
  }
  const format = config.messageFormat ?? 'json';
  if (!FORMATS.includes(format)) {
    throw new BridgeConfigError(`\`config.messageFormat\` must be one of json, text, bytes, got ${show(format)}`);
  }
  const routingMode = config.routingMode ?? 'first_match';
  if (routingMode !== 'first_match' && routingMode !== 'fan_out') {
    throw new BridgeConfigError(`\`config.routingMode\` must be 'first_match' or 'fan_out', got ${show(routingMode)}`);
  }
  const unmatched = config.unmatched ?? 'default';
  if (unmatched !== 'default' && unmatched !== 'reject') {
    throw new BridgeConfigError(`\`config.unmatched\` must be 'default' or 'reject', got ${show(unmatched)}`);
  }
  if (config.ordering !== undefined && typeof config.ordering !== 'boolean') {
    throw new BridgeConfigError(`\`config.ordering\` must be a boolean, got ${show(config.ordering)}`);
  }
  const defaultDestination = config.targetTopic ?? config.targetEndpoint;
  if (unmatched === 'default' && defaultDestination === undefined) {
    throw new BridgeConfigError(
      "`config.targetTopic` or `config.targetEndpoint` must be set when `config.unmatched` is 'default', got neither",
    );
  }
  const retry = config.retryPolicy ?? {};
  if (typeof retry !== 'object' || retry === null) {
    throw new BridgeConfigError(`\`config.retryPolicy\` must be an object, got ${show(retry)}`);
  }
  const maxRetries = retry.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 100) {
    throw new BridgeConfigError(`\`config.retryPolicy.maxRetries\` must be an integer from 0 to 100, got ${show(maxRetries)}`);
  }
  const initialDelayMs = nonNegative('config.retryPolicy.initialDelayMs', retry.initialDelayMs, 100);
  const maxDelayMs = nonNegative('config.retryPolicy.maxDelayMs', retry.maxDelayMs, 5_000);
  if (maxDelayMs < initialDelayMs) {
    throw new BridgeConfigError(
      `\`config.retryPolicy.maxDelayMs\` must be >= initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`,
    );
  }
  const concurrency = positiveInteger('config.concurrency', config.concurrency, 16);
  if (concurrency > 10_000) throw new BridgeConfigError(`\`config.concurrency\` must be at most 10000, got ${concurrency}`);
  const headerMapping = config.headerMapping ?? {};
  if (typeof headerMapping !== 'object' || headerMapping === null || Array.isArray(headerMapping)) {
    throw new BridgeConfigError(`\`config.headerMapping\` must be an object of header name to expression, got ${show(headerMapping)}`);
  }
  return {
    format,
    defaultDestination,
    keyMapping: config.keyMapping === undefined ? undefined : engine.compile(config.keyMapping, 'config.keyMapping'),
    headerMapping: Object.entries(headerMapping).map(([header, expression]) => {
      if (!HEADER_NAME.test(header)) {
        throw new BridgeConfigError(`\`config.headerMapping\` key must be a valid header name, got ${show(header)}`);
      }
      return { name: header.toLowerCase(), expression: engine.compile(expression, `config.headerMapping.${header}`) };
    }),
    maxRetries,
    initialDelayMs,
    maxDelayMs,
    dlqTarget: config.dlqTarget,
    concurrency,
    ordering: config.ordering ?? false,
    routingMode,
    unmatched,
    circuitName: config.circuitName ?? name,
  };
}
