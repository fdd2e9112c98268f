import type { LiteralBridgeMessageFormat, ProtocolBridgeConfig } from '@onex/spi-types';
import { nonNegative, positiveInteger } from '../communication-bridge-options.js';
import { BridgeConfigError } from '../errors/bridge-errors.js';
import type { CompiledExpression, RuleEngine } from '../rules/rule-engine.js';
import { describeValue } from '@onex/spi-types/support';
import { bridgeCheck } from './bridge-check.js';

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
    throw bridgeCheck.fail(`config`, `an object`, config);
  }
  for (const field of ['sourceEndpoint', 'targetTopic', 'targetEndpoint', 'dlqTarget', 'circuitName', 'keyMapping'] as const) {
    const value = config[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw bridgeCheck.fail(`config.${field}`, `a non-empty string`, value);
    }
  }
  const format = config.messageFormat ?? 'json';
  if (!FORMATS.includes(format)) {
    throw bridgeCheck.fail(`config.messageFormat`, `one of json, text, bytes`, format);
  }
  const routingMode = config.routingMode ?? 'first_match';
  if (routingMode !== 'first_match' && routingMode !== 'fan_out') {
    throw bridgeCheck.fail(`config.routingMode`, `'first_match' or 'fan_out'`, routingMode);
  }
  const unmatched = config.unmatched ?? 'default';
  if (unmatched !== 'default' && unmatched !== 'reject') {
    throw bridgeCheck.fail(`config.unmatched`, `'default' or 'reject'`, unmatched);
  }
  if (config.ordering !== undefined && typeof config.ordering !== 'boolean') {
    throw bridgeCheck.fail(`config.ordering`, `a boolean`, config.ordering);
  }
  const defaultDestination = config.targetTopic ?? config.targetEndpoint;
  if (unmatched === 'default' && defaultDestination === undefined) {
    throw new BridgeConfigError(
      "`config.targetTopic` or `config.targetEndpoint` must be set when `config.unmatched` is 'default', got neither",
    );
  }
  const retry = config.retryPolicy ?? {};
  if (typeof retry !== 'object' || retry === null) {
    throw bridgeCheck.fail(`config.retryPolicy`, `an object`, retry);
  }
  const maxRetries = retry.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 100) {
    throw bridgeCheck.fail(`config.retryPolicy.maxRetries`, `an integer from 0 to 100`, maxRetries);
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
    throw bridgeCheck.fail(`config.headerMapping`, `an object of header name to expression`, headerMapping);
  }
  return {
    format,
    defaultDestination,
    keyMapping: config.keyMapping === undefined ? undefined : engine.compile(config.keyMapping, 'config.keyMapping'),
    headerMapping: Object.entries(headerMapping).map(([header, expression]) => {
      if (!HEADER_NAME.test(header)) {
        throw new BridgeConfigError(`\`config.headerMapping\` key must be a valid header name, got ${describeValue(header)}`);
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
