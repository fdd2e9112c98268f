import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { OTEL_DURATION_BUCKETS_SECONDS, otelDisabledByEnv, otelErrorType, otelInstrumentSource, otelTracerSource } from '@onex/spi-types/support';

/** Instrumentation scope of this package (tracer and meter name, and version); spans and metrics follow messaging semconv v1.45.0. */
export const OTEL_SCOPE = { name: '@onex/kafka', version: '0.1.0' } as const;

/** Advised buckets of `messaging.client.operation.duration` and `messaging.process.duration` (seconds). */
export const DURATION_BUCKETS = [...OTEL_DURATION_BUCKETS_SECONDS];

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1` (read when a client is created). */
export function otelEnabledByEnv(): boolean {
  return !otelDisabledByEnv();
}

const OTEL_API = { trace, metrics, ProxyTracerProvider, createNoopMeter };

interface Instruments {
  readonly duration: Histogram;
  readonly sent: Counter;
  readonly consumed: Counter;
}

/** The tracer of the registered SDK, or undefined when none is registered (checked without allocating). */
export const activeTracer: () => Tracer | undefined = otelTracerSource(OTEL_API, OTEL_SCOPE);

/** The instruments of the registered meter provider, or undefined when none is registered. */
export const activeInstruments: () => Instruments | undefined = otelInstrumentSource(OTEL_API, OTEL_SCOPE, (meter) => ({
  duration: meter.createHistogram('messaging.client.operation.duration', {
    description: 'Duration of messaging operation initiated by a producer or consumer client.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  }),
  sent: meter.createCounter('messaging.client.sent.messages', { description: 'Number of messages producer attempted to send to the broker.', unit: '{message}' }),
  consumed: meter.createCounter('messaging.client.consumed.messages', {
    description: 'Number of messages that were delivered to the application.',
    unit: '{message}',
  }),
}));

/** True when an SDK's tracer or meter provider is registered (no allocation when none is). */
export function telemetryActive(): boolean {
  return activeTracer() !== undefined || activeInstruments() !== undefined;
}

/** Per-client attributes computed once. */
export interface ClientTelemetry {
  readonly tracingEnabled: boolean;
  readonly clientId: string;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly groupId?: string;
}

/** `server.address` and `server.port` of the first bootstrap server. */
export function firstServer(brokers: readonly string[]): { serverAddress: string | undefined; serverPort: number | undefined } {
  const first = brokers[0];
  if (first === undefined) return { serverAddress: undefined, serverPort: undefined };
  const colon = first.lastIndexOf(':');
  const host = first.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(first.slice(colon + 1));
  return { serverAddress: host, serverPort: Number.isInteger(port) ? port : undefined };
}

function baseAttributes(client: ClientTelemetry, operation: string, type: string, topic: string | undefined): Attributes {
  const attributes: Attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.name': operation,
    'messaging.operation.type': type,
  };
  if (topic !== undefined) attributes['messaging.destination.name'] = topic;
  if (client.groupId !== undefined) attributes['messaging.consumer.group.name'] = client.groupId;
  if (client.serverAddress !== undefined) attributes['server.address'] = client.serverAddress;
  if (client.serverPort !== undefined) attributes['server.port'] = client.serverPort;
  return attributes;
}

function endWithError(span: Span | undefined, error: unknown): string {
  const type = otelErrorType(error);
  if (span !== undefined) {
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    if (error instanceof Error) span.recordException(error);
    span.end();
  }
  return type;
}

/** The options of produceMessage with the arguments it needs. */
interface ProduceOptionsLike {
  readonly headers?: Readonly<Record<string, Uint8Array | string>>;
  readonly [key: string]: unknown;
}

/** Produce call of the producer, given the (possibly injected) options. */
export type ProduceCall<O, R> = (options: O | undefined) => Promise<R>;

/**
 * Wraps one `produceMessage` call in a `send {topic}` PRODUCER span (when an SDK is registered), injects
 * its context into the record headers unless the caller set `traceparent`, and records the send metrics.
 * Returns undefined when neither a tracer nor a meter is registered, so the caller takes its plain path.
 */
export function tracedProduce<O extends object, R extends { partition: number; offset: number }>(
  client: ClientTelemetry,
  topic: string,
  key: unknown,
  value: unknown,
  options: O | undefined,
  call: ProduceCall<O, R>,
): Promise<R> | undefined {
  const tracer = client.tracingEnabled ? activeTracer() : undefined;
  const instruments = client.tracingEnabled ? activeInstruments() : undefined;
  if (tracer === undefined && instruments === undefined) return undefined;
  const started = performance.now();
  let span: Span | undefined;
  let sendOptions = options;
  if (tracer !== undefined) {
    const attributes = baseAttributes(client, 'send', 'send', typeof topic === 'string' ? topic : undefined);
    attributes['messaging.client.id'] = client.clientId;
    if (typeof key === 'string') attributes['messaging.kafka.message.key'] = key;
    if (value === null) attributes['messaging.kafka.message.tombstone'] = true;
    span = tracer.startSpan(`send ${String(topic)}`, { kind: SpanKind.PRODUCER, attributes });
    sendOptions = inject(span, options);
  }
  const finish = (result: R | undefined, error: unknown): void => {
    let type: string | undefined;
    if (error === undefined && result !== undefined) {
      if (span !== undefined) {
        span.setAttribute('messaging.destination.partition.id', String(result.partition));
        if (result.offset >= 0) span.setAttribute('messaging.kafka.offset', result.offset);
        span.end();
      }
    } else {
      type = endWithError(span, error);
    }
    if (instruments !== undefined) {
      const attributes = baseAttributes(client, 'send', 'send', typeof topic === 'string' ? topic : undefined);
      if (result !== undefined) attributes['messaging.destination.partition.id'] = String(result.partition);
      if (type !== undefined) attributes['error.type'] = type;
      instruments.duration.record((performance.now() - started) / 1000, attributes);
      instruments.sent.add(1, attributes);
    }
  };
  let promise: Promise<R>;
  try {
    promise = span === undefined ? call(sendOptions) : context.with(trace.setSpan(context.active(), span), () => call(sendOptions));
  } catch (error) {
    finish(undefined, error);
    throw error;
  }
  return promise.then(
    (result) => {
      finish(result, undefined);
      return result;
    },
    (error: unknown) => {
      finish(undefined, error ?? new Error('produce failed'));
      throw error;
    },
  );
}

/**
 * Options with `traceparent`/`tracestate` of the span added to the headers. A `traceparent` the caller set
 * is kept, unless it names the active span (the send span's parent, as a bridge or processor writes its
 * own context into the records it sends): the send span is then the more precise parent for consumers.
 */
function inject<O extends object>(span: Span, options: O | undefined): O | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) return options;
  const headers = (options as ProduceOptionsLike | undefined)?.headers;
  // Bad headers are left to the producer's validation, which names what is wrong.
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) return options;
  if (headers !== undefined && Object.prototype.hasOwnProperty.call(headers, 'traceparent') && !namesActiveSpan((headers as Record<string, unknown>)['traceparent'])) return options;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  if (Object.keys(carrier).length === 0) return options;
  return { ...(options ?? {}), headers: { ...(headers ?? {}), ...carrier } } as unknown as O;
}

/** True when a `traceparent` header value (string or bytes) carries the trace and span id of the active span. */
function namesActiveSpan(value: unknown): boolean {
  const active = trace.getSpanContext(context.active());
  if (active === undefined) return false;
  const text = typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1') : undefined;
  if (text === undefined) return false;
  const parts = text.trim().split('-');
  return parts.length >= 4 && parts[1]?.toLowerCase() === active.traceId && parts[2]?.toLowerCase() === active.spanId;
}

/**
 * Wraps one `consumeMessages` call: a `poll {topic}` CLIENT span when records arrived or the poll failed,
 * the operation duration of every poll and the consumed-messages counter per partition.
 */
export function tracedPoll<R extends { topic: string; partition: number }>(
  client: ClientTelemetry,
  topics: readonly string[],
  call: () => Promise<R[]>,
): Promise<R[]> | undefined {
  const tracer = client.tracingEnabled ? activeTracer() : undefined;
  const instruments = client.tracingEnabled ? activeInstruments() : undefined;
  if (tracer === undefined && instruments === undefined) return undefined;
  const startTime = Date.now();
  const started = performance.now();
  const topic = Array.isArray(topics) && topics.length === 1 && typeof topics[0] === 'string' ? topics[0] : undefined;
  const spanAttributes = (): Attributes => {
    const attributes = baseAttributes(client, 'poll', 'receive', topic);
    attributes['messaging.client.id'] = client.clientId;
    return attributes;
  };
  return call().then(
    (records) => {
      const seconds = (performance.now() - started) / 1000;
      if (tracer !== undefined && records.length > 0) {
        const attributes = spanAttributes();
        attributes['messaging.batch.message_count'] = records.length;
        tracer.startSpan(topic === undefined ? 'poll' : `poll ${topic}`, { kind: SpanKind.CLIENT, attributes, startTime }).end();
      }
      if (instruments !== undefined) {
        instruments.duration.record(seconds, baseAttributes(client, 'poll', 'receive', topic));
        const counts = new Map<string, { topic: string; partition: number; count: number }>();
        for (const r of records) {
          const k = `${r.partition}:${r.topic}`;
          const entry = counts.get(k);
          if (entry === undefined) counts.set(k, { topic: r.topic, partition: r.partition, count: 1 });
          else entry.count++;
        }
        for (const { topic: t, partition, count } of counts.values()) {
          const attributes = baseAttributes(client, 'poll', 'receive', t);
          attributes['messaging.destination.partition.id'] = String(partition);
          instruments.consumed.add(count, attributes);
        }
      }
      return records;
    },
    (error: unknown) => {
      const span = tracer?.startSpan(topic === undefined ? 'poll' : `poll ${topic}`, { kind: SpanKind.CLIENT, attributes: spanAttributes(), startTime });
      const type = endWithError(span, error);
      if (instruments !== undefined) {
        const attributes = baseAttributes(client, 'poll', 'receive', topic);
        attributes['error.type'] = type;
        instruments.duration.record((performance.now() - started) / 1000, attributes);
      }
      throw error;
    },
  );
}
