import type { Dispatcher } from 'undici';
import {
  HttpAbortedError,
  HttpClientClosedError,
  HttpNetworkError,
  HttpResponseTooLargeError,
  HttpTimeoutError,
  HttpValidationError,
  isHttpError,
  type HttpError,
  type HttpTimeoutKind,
} from '../errors/http-errors.js';
import { HttpResponse } from '../http-response.js';
import type { AttemptFn, HttpCall } from './attempt-chain.js';
import type { MetricsRecorder } from './metrics-recorder.js';

/** The client-wide limits the core needs to name a timeout or an oversized body. */
export interface SendLimits {
  readonly connectMs: number;
  readonly headersMs: number;
  readonly bodyMs: number;
  readonly maxResponseSize: number;
}

const TIMEOUT_CODES: Readonly<Record<string, HttpTimeoutKind>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/**
 * The core: one attempt on undici, the whole body read, every failure mapped to a typed error
 * (never thrown). It counts what it transfers (attempts, bytes) because only it knows what was sent.
 */
export function sendAttempt(dispatcher: Dispatcher, limits: SendLimits, metrics: MetricsRecorder, isClosed: () => boolean): AttemptFn {
  function mapError(error: unknown, call: HttpCall, breakerSignal: AbortSignal | undefined): HttpError {
    if (isHttpError(error)) return error;
    const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
    if (call.controller?.signal.aborted) return call.abortError(error);
    if (breakerSignal?.aborted) return new HttpAbortedError(call.method, call.href, { cause: error, details: { by: 'circuit breaker' } });
    if (code !== undefined) {
      const kind = TIMEOUT_CODES[code];
      if (kind !== undefined) {
        metrics.timeout(kind);
        const ms = kind === 'connect' ? limits.connectMs : kind === 'headers' ? (call.headersTimeout ?? limits.headersMs) : (call.bodyTimeout ?? limits.bodyMs);
        return new HttpTimeoutError(kind, call.method, call.href, ms, { cause: error });
      }
      if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new HttpResponseTooLargeError(call.method, call.href, limits.maxResponseSize, { cause: error });
      if (isClosed() && (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED')) return new HttpClientClosedError(call.method, call.href, { cause: error });
      if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
        return new HttpValidationError('HTTP_INVALID_OPTION', `${call.method} ${call.href}: undici rejected the request: ${(error as Error).message}`, { cause: error });
      }
    }
    return new HttpNetworkError(call.method, call.href, code ?? 'UNKNOWN', error);
  }

  async function* countingStream(source: AsyncIterable<Uint8Array>, call: HttpCall): AsyncGenerator<Uint8Array> {
    call.streamConsumed = true;
    for await (const chunk of source) {
      metrics.addBytesSent(chunk.byteLength);
      yield chunk;
    }
  }

  return async (call, attempt, breakerSignal, headers) => {
    const callSignal = call.controller?.signal;
    if (callSignal?.aborted) return { kind: 'error', error: call.abortError(callSignal.reason) };
    let signal = callSignal ?? breakerSignal;
    let attemptController: AbortController | undefined;
    const onBreakerAbort = (): void => attemptController?.abort(breakerSignal?.reason);
    const onCallAbort = (): void => attemptController?.abort(callSignal?.reason);
    const merge = breakerSignal !== undefined && callSignal !== undefined;
    if (merge) {
      // Merge the breaker's signal with the call's so either cancels this attempt.
      attemptController = new AbortController();
      signal = attemptController.signal;
      breakerSignal.addEventListener('abort', onBreakerAbort, { once: true });
      callSignal.addEventListener('abort', onCallAbort, { once: true });
    }
    const { request } = call;
    const body = request.body;
    let requestBody: string | Uint8Array | AsyncIterable<Uint8Array> | undefined;
    if (body.kind === 'bytes') {
      requestBody = body.bytes;
      metrics.attempt(body.length);
    } else {
      if (body.kind === 'stream') requestBody = countingStream(body.source, call);
      metrics.attempt(0);
    }
    try {
      const res = await dispatcher.request({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: requestBody as Dispatcher.DispatchOptions['body'],
        signal,
        ...(call.headersTimeout === undefined ? {} : { headersTimeout: call.headersTimeout }),
        ...(call.bodyTimeout === undefined ? {} : { bodyTimeout: call.bodyTimeout }),
      });
      const bytes = await res.body.bytes();
      if (bytes.byteLength > limits.maxResponseSize) {
        return { kind: 'error', error: new HttpResponseTooLargeError(call.method, call.href, limits.maxResponseSize) };
      }
      metrics.received(bytes.byteLength);
      return {
        kind: 'response',
        response: new HttpResponse({ statusCode: res.statusCode, headers: flattenHeaders(res.headers), body: bytes, url: call.href, attempts: attempt }),
      };
    } catch (error) {
      return { kind: 'error', error: mapError(error, call, breakerSignal) };
    } finally {
      if (merge) {
        breakerSignal.removeEventListener('abort', onBreakerAbort);
        callSignal.removeEventListener('abort', onCallAbort);
      }
    }
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
}
