import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { OTEL_DURATION_BUCKETS_SECONDS, otelDisabledByEnv, otelErrorType, otelInstrumentSource, otelTracerSource } from '@onex/spi-types/support';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Instrumentation scope of this package (tracer and meter name, and version). */
export const OTEL_SCOPE = { name: '@onex/kafka-extended', version: '0.1.0' } as const;

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1` (read when a processor is created). */
export function otelEnabledByEnv(): boolean {
  return !otelDisabledByEnv();
}

const OTEL_API = { trace, metrics, ProxyTracerProvider, createNoopMeter };

interface Instruments {
  readonly duration: Histogram;
  readonly consumed: Counter;
}

const activeTracer = otelTracerSource(OTEL_API, OTEL_SCOPE);

const activeInstruments = otelInstrumentSource(
  OTEL_API,
  OTEL_SCOPE,
  (meter): Instruments => ({
    duration: meter.createHistogram('messaging.process.duration', {
      description: 'Duration of processing operation.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...OTEL_DURATION_BUCKETS_SECONDS] },
    }),
    consumed: meter.createCounter('messaging.client.consumed.messages', { description: 'Number of messages that were delivered to the application.', unit: '{message}' }),
  }),
);

/** True when an SDK's tracer or meter provider is registered (no allocation when none is). */
export function telemetryActive(): boolean {
  return activeTracer() !== undefined || activeInstruments() !== undefined;
}

/** Reads kafkajs record headers (Buffer, string or a list of them; the last one wins) for `propagation.extract`. */
const headersGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    let value = carrier[key];
    if (Array.isArray(value)) value = value[value.length - 1];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : value.toString('utf8');
  },
};

/** Who processes: the group and the input partition. */
export interface ProcessScope {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * The telemetry of processing one input record: a `process {topic}` CONSUMER span whose parent is the
 * context in the record's headers, and the `messaging.process.duration` of the record (retries included).
 */
export class RecordTrace {
  private attempts = 0;
  private failure: unknown;
  private failed = false;

  private constructor(
    private readonly span: Span | undefined,
    private readonly spanContext: Context,
    private readonly instruments: Instruments | undefined,
    private readonly scope: ProcessScope,
    private readonly started: number,
  ) {}

  /** Starts the record's telemetry, or returns undefined when no SDK is registered (nothing allocated). */
  static start(scope: ProcessScope, message: KafkaMessage): RecordTrace | undefined {
    const tracer = activeTracer();
    const instruments = activeInstruments();
    if (tracer === undefined && instruments === undefined) return undefined;
    let span: Span | undefined;
    let spanContext = ROOT_CONTEXT;
    if (tracer !== undefined) {
      const parent = message.headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, message.headers, headersGetter);
      const attributes: Attributes = {
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.destination.name': scope.topic,
        'messaging.destination.partition.id': String(scope.partition),
        'messaging.consumer.group.name': scope.groupId,
        'messaging.kafka.offset': Number(message.offset),
      };
      if (message.value === null) attributes['messaging.kafka.message.tombstone'] = true;
      span = tracer.startSpan(`process ${scope.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
      spanContext = trace.setSpan(parent, span);
    }
    return new RecordTrace(span, spanContext, instruments, scope, performance.now());
  }

  /** Runs the processing in the span's context (the processor function sees it as the active span), then ends it. */
  async run(work: () => Promise<void>): Promise<void> {
    try {
      await context.with(this.spanContext, work);
    } catch (error) {
      this.failed = true;
      this.failure ??= error;
      throw error;
    } finally {
      this.end();
    }
  }

  /** A processor attempt failed (it is retried or the record goes to the dead-letter topic). */
  attemptFailed(error: unknown): void {
    this.attempts++;
    if (this.span !== undefined && error instanceof Error) this.span.recordException(error);
  }

  /** An attempt succeeded. */
  attemptSucceeded(): void {
    this.attempts++;
  }

  /** The record goes to the dead-letter topic after its last failed attempt. */
  deadLettered(error: unknown, dlqTopic: string): void {
    this.failed = true;
    this.failure = error;
    this.span?.setAttribute('onex.stream.dead_letter_topic', dlqTopic);
  }

  /**
   * Puts the process span's context into an output record's headers (`traceparent`, `tracestate`), so the
   * record continues the trace; `replace` overwrites ones already there (the DLQ copy of the input's headers).
   */
  inject(message: Message, replace: boolean): void {
    if (this.span === undefined) return;
    const headers = message.headers;
    if (!replace && headers !== undefined && headers['traceparent'] !== undefined) return;
    const carrier: Record<string, string> = {};
    propagation.inject(this.spanContext, carrier);
    if (Object.keys(carrier).length === 0) return;
    message.headers = { ...(headers ?? {}), ...carrier };
  }

  private end(): void {
    const type = this.failed ? otelErrorType(this.failure) : undefined;
    if (this.span !== undefined) {
      this.span.setAttribute('onex.stream.attempts', this.attempts);
      if (type !== undefined) {
        this.span.setAttribute('error.type', type);
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: this.failure instanceof Error ? this.failure.message : String(this.failure) });
      }
      this.span.end();
    }
    if (this.instruments !== undefined) {
      const attributes: Attributes = {
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.destination.name': this.scope.topic,
        'messaging.destination.partition.id': String(this.scope.partition),
        'messaging.consumer.group.name': this.scope.groupId,
      };
      if (type !== undefined) attributes['error.type'] = type;
      this.instruments.duration.record((performance.now() - this.started) / 1000, attributes);
      this.instruments.consumed.add(1, attributes);
    }
  }
}
