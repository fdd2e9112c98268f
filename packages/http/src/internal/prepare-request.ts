import type { ProtocolHttpBodyRequestOptions, ProtocolHttpRequestOptions, ProtocolHttpResponse } from '@onex/spi-types';
import type { HttpInterceptedRequest } from '../http-client-options.js';
import { optionError, stringOption } from './option-checks.js';
import { buildUrl, encodeBody, mergeHeaders, normalizeMethod, type EncodedBody } from './request-input.js';

/** A request after validation and encoding, ready to send. */
export interface PreparedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: EncodedBody;
  readonly circuitName: string;
  readonly intercepted: HttpInterceptedRequest;
}

/** What a call (or an interceptor's replacement) asks for, before validation. */
export interface RequestInput {
  readonly method: unknown;
  readonly url: unknown;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly params: ProtocolHttpRequestOptions['params'];
  readonly data: ProtocolHttpBodyRequestOptions['data'];
  readonly json: unknown;
  readonly hasJson: boolean;
  readonly circuitName: string | undefined;
}

/**
 * Validates and encodes a call's input (no I/O).
 * @throws HttpValidationError for a bad URL, method, header or body.
 */
export function prepareRequest(input: RequestInput, baseUrl: URL | undefined, defaultHeaders: Record<string, string>): PreparedRequest {
  const method = normalizeMethod(input.method);
  const url = buildUrl(input.url, baseUrl, input.params);
  const headers = mergeHeaders(defaultHeaders, input.headers);
  const userHeaders = { ...headers };
  const body = encodeBody(method, url.href, input.data, input.json, input.hasJson, headers);
  const circuitName = input.circuitName ?? url.origin;
  const intercepted: HttpInterceptedRequest = {
    method,
    url: url.href,
    headers: userHeaders,
    circuitName,
    ...(input.hasJson ? { json: input.json } : input.data === undefined ? {} : { data: input.data }),
  };
  return { method, url, headers, body, circuitName, intercepted };
}

/**
 * Validates what a request interceptor returned in place of the request.
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`, …) naming what was wrong.
 */
export function prepareIntercepted(request: HttpInterceptedRequest, baseUrl: URL | undefined, defaultHeaders: Record<string, string>): PreparedRequest {
  if (typeof request !== 'object' || request === null) {
    throw optionError('interceptor result', 'a request, a response or undefined', request);
  }
  const circuitName = stringOption('circuitName', request.circuitName);
  const hasJson = 'json' in request && request.json !== undefined;
  return prepareRequest(
    { method: request.method, url: request.url, headers: request.headers, params: undefined, data: request.data, json: request.json, hasJson, circuitName },
    baseUrl,
    defaultHeaders,
  );
}

/** True for what a request interceptor returns to short-circuit the call. */
export function isResponseLike(value: object): value is ProtocolHttpResponse {
  return typeof (value as { statusCode?: unknown }).statusCode === 'number';
}
