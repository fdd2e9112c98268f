import { context, type Attributes, type Histogram, type Tracer } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { AttemptFn, AttemptWrapper, HttpCall } from './attempt-chain.js';
import { errorTypeOf } from './classify-outcome.js';
import { channels } from './diagnostics.js';
import {
  activeTracer,
  durationHistogram,
  emitOldHttpAttributes,
  endClientSpan,
  injectedHeaders,
  requestAttributes,
  startClientSpan,
  tracingSuppressed,
} from './otel.js';

/**
 * Observes each attempt: the `onex:http:request:attempt` event, and when `telemetry` is on and an
 * OpenTelemetry SDK is registered, a CLIENT span (its `traceparent` injected into the attempt's
 * headers) and one `http.client.request.duration` record.
 */
export function observeAttempt(telemetry: boolean): AttemptWrapper {
  return (next) => {
    const announced: AttemptFn = (call, attempt, signal, headers) => {
      if (channels.attempt.hasSubscribers) {
        channels.attempt.publish({ requestId: call.requestId, method: call.method, url: call.href, attempt });
      }
      return next(call, attempt, signal, headers);
    };
    if (!telemetry) return announced;
    return (call, attempt, signal, headers) => {
      const tracer = activeTracer();
      const histogram = durationHistogram();
      // No SDK registered: nothing is allocated for telemetry.
      if (tracer === undefined && histogram === undefined) return announced(call, attempt, signal, headers);
      return traced(announced, tracer, histogram, call, attempt, signal, headers);
    };
  };
}

async function traced(
  next: AttemptFn,
  tracer: Tracer | undefined,
  histogram: Histogram | undefined,
  call: HttpCall,
  attempt: number,
  signal: AbortSignal | undefined,
  headers: Readonly<Record<string, string>>,
): ReturnType<AttemptFn> {
  const { request } = call;
  const oldNames = emitOldHttpAttributes();
  const attributes = requestAttributes(request.method, request.url, attempt - 1, oldNames);
  let span;
  let sent = headers;
  if (tracer !== undefined && !tracingSuppressed(context.active())) {
    const started = startClientSpan(tracer, request.method, attributes);
    span = started.span;
    sent = injectedHeaders(started.ctx, headers);
  }
  const startedAt = performance.now();
  const outcome = await next(call, attempt, signal, sent);
  const statusCode = outcome.kind === 'response' ? outcome.response.statusCode : undefined;
  const errorType = errorTypeOf(outcome);
  if (span !== undefined) endClientSpan(span, statusCode, errorType, outcome.kind === 'error' ? outcome.error : undefined, oldNames);
  if (histogram !== undefined) {
    const metricAttributes: Attributes = {
      'http.request.method': attributes['http.request.method'],
      'server.address': attributes['server.address'],
      'server.port': attributes['server.port'],
      'url.scheme': request.url.protocol.slice(0, -1),
    };
    if (statusCode !== undefined) metricAttributes['http.response.status_code'] = statusCode;
    if (errorType !== undefined) metricAttributes['error.type'] = errorType;
    histogram.record((performance.now() - startedAt) / 1000, metricAttributes);
  }
  return outcome;
}
