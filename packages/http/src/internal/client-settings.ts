import type { Agent } from 'undici';
import type { HttpClientOptions, HttpRequestOptions } from '../http-client-options.js';
import { booleanOption, durationOption, functionOption, optionError, positiveIntegerOption, secondsOption, stringOption } from './option-checks.js';
import { otelDisabledByEnv } from './otel.js';
import { buildUrl, mergeHeaders } from './request-input.js';
import type { SendLimits } from './send-attempt.js';

/** The client's options, validated, in milliseconds, with every default applied. */
export interface ClientSettings {
  readonly baseUrl: URL | undefined;
  readonly defaultHeaders: Record<string, string>;
  readonly totalMs: number | undefined;
  readonly limits: SendLimits;
  /** Everything of undici's `Agent` options but the pool factory. */
  readonly agent: Omit<Agent.Options, 'factory'>;
  readonly throwOnStatus: boolean;
  readonly random: () => number;
  readonly telemetry: boolean;
  readonly latencyWindowSize: number;
  readonly latencyWindowMs: number;
}

/**
 * Validates the client's scalar options in a fixed order (the first bad one is reported).
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`, `HTTP_INVALID_URL`, `HTTP_INVALID_HEADER`) naming the bad option and value.
 */
export function readClientOptions(options: HttpClientOptions): ClientSettings {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const baseUrl = options.baseUrl === undefined ? undefined : buildUrl(stringOption('baseUrl', options.baseUrl), undefined, undefined);
  const defaultHeaders = mergeHeaders(options.headers);
  const totalMs = secondsOption('timeoutSeconds', options.timeoutSeconds, false);
  const connectMs = durationOption(options, 'connectTimeoutMs', 'connectTimeoutSeconds', { allowZero: false }) ?? 10_000;
  const headersMs = durationOption(options, 'headersTimeoutMs', 'headersTimeoutSeconds', { allowZero: true }) ?? 30_000;
  const bodyMs = durationOption(options, 'bodyTimeoutMs', 'bodyTimeoutSeconds', { allowZero: true }) ?? 30_000;
  const connections = positiveIntegerOption('connections', options.connections) ?? 32;
  const pipelining = positiveIntegerOption('pipelining', options.pipelining) ?? 1;
  const keepAliveMs = durationOption(options, 'keepAliveTimeoutMs', 'keepAliveTimeoutSeconds', { allowZero: false }) ?? 4_000;
  const maxResponseSize = positiveIntegerOption('maxResponseSize', options.maxResponseSize) ?? 64 * 1024 * 1024;
  return {
    baseUrl,
    defaultHeaders,
    totalMs,
    limits: { connectMs, headersMs, bodyMs, maxResponseSize },
    agent: {
      connections,
      pipelining,
      keepAliveTimeout: keepAliveMs,
      keepAliveMaxTimeout: Math.max(keepAliveMs, 600_000),
      headersTimeout: headersMs,
      bodyTimeout: bodyMs,
      maxResponseSize,
      connect: { timeout: connectMs },
    },
    throwOnStatus: booleanOption('throwOnStatus', options.throwOnStatus) ?? false,
    random: functionOption<() => number>('random', options.random) ?? Math.random,
    telemetry: (booleanOption('telemetry', options.telemetry) ?? true) && !otelDisabledByEnv(),
    latencyWindowSize: positiveIntegerOption('latencyWindowSize', options.latencyWindowSize) ?? 1024,
    latencyWindowMs: durationOption(options, 'latencyWindowMs', 'latencyWindowSeconds', { allowZero: false }) ?? 60_000,
  };
}

/** A call's own options, validated, in milliseconds. */
export interface CallSettings {
  readonly totalMs: number | undefined;
  readonly headersTimeout: number | undefined;
  readonly bodyTimeout: number | undefined;
  readonly throwOnStatus: boolean;
  readonly circuitName: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Validates a call's options (the client's settings fill the gaps).
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`) naming the bad option and value.
 */
export function readCallOptions(options: HttpRequestOptions, client: ClientSettings): CallSettings {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const totalMs = secondsOption('timeoutSeconds', options.timeoutSeconds, false) ?? client.totalMs;
  const headersTimeout = durationOption(options, 'headersTimeoutMs', 'headersTimeoutSeconds', { allowZero: true });
  const bodyTimeout = durationOption(options, 'bodyTimeoutMs', 'bodyTimeoutSeconds', { allowZero: true });
  const throwOnStatus = booleanOption('throwOnStatus', options.throwOnStatus) ?? client.throwOnStatus;
  const circuitName = stringOption('circuitName', options.circuitName);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw optionError('signal', 'an AbortSignal', signal);
  return { totalMs, headersTimeout, bodyTimeout, throwOnStatus, circuitName, signal };
}
