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
  type MeterProvider,
  type Span,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Instrumentation scope of this package (tracer and meter name, and version). */
export const OTEL_SCOPE = { name: '@onex/kafka-extended', version: '0.1.0' } as const;

/** Advised buckets of `messaging.process.duration` (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** True unless `ONEX_OTEL_DISABLED` is `true` or `1` (read when a processor is created). */
export function otelEnabledByEnv(): boolean {
  const value = process.env['ONEX_OTEL_DISABLED'];
  return !(value === 'true' || value === '1');
}

// The delegate of a ProxyTracerProvider that no SDK was registered with.
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

interface Instruments {
  readonly duration: Histogram;
  readonly consumed: Counter;
}

let tracerCache: { provider: TracerProvider; tracer: Tracer } | undefined;
let instrumentProvider: MeterProvider | undefined;
let instrumentCache: Instruments | undefined;

function activeTracer(): Tracer | undefined {
  let provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) {
    provider = provider.getDelegate();
    if (provider === NOOP_TRACER_PROVIDER) return undefined;
  }
  if (tracerCache?.provider !== provider) tracerCache = { provider, tracer: provider.getTracer(OTEL_SCOPE.name, OTEL_SCOPE.version) };
  return tracerCache.tracer;
}

function activeInstruments(): Instruments | undefined {
  const provider = metrics.getMeterProvider();
  if (provider === instrumentProvider) return instrumentCache;
  instrumentProvider = provider;
  const meter = provider.getMeter(OTEL_SCOPE.name, OTEL_SCOPE.version);
  // The API's no-op provider hands out its one no-op meter: nothing to record into.
  if (meter === createNoopMeter()) {
    instrumentCache = undefined;
    return undefined;
  }
  instrumentCache = {
    duration: meter.createHistogram('messaging.process.duration', {
      description: 'Duration of processing operation.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    consumed: meter.createCounter('messaging.client.consumed.messages', { description: 'Number of messages that were delivered to the application.', unit: '{message}' }),
  };
  return instrumentCache;
}

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

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.name : '_OTHER';
}

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
    const type = this.failed ? errorType(this.failure) : undefined;
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
