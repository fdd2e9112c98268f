import { readFileSync } from 'node:fs';
import path from 'node:path';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { kafkaBrokers, uniqueName } from '../../../../tools/jest/kafka-env.js';
import { createTopics, rawKafka, readTopic, type ReadRecord } from '../../test/streams/kafka-test-utils.js';
import { DEAD_LETTER_HEADERS } from './dead-letter-headers.js';
import { KafkaExtended } from './kafka-extended.js';
import { OTEL_SCOPE } from './internal/otel.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const brokers = kafkaBrokers();

/** Runs a processor that upper-cases values, fails on 'poison' (1 retry), over the given inputs; returns outputs and DLQ records. */
async function runProcessor(
  kafka: Kafka,
  admin: Admin,
  inputs: { value: string; headers?: IHeaders }[],
  onRecord: (value: string) => void = () => undefined,
  processingGuarantee: 'at_least_once' | 'exactly_once' = 'at_least_once',
): Promise<{ input: string; groupId: string; outputs: ReadRecord[]; dead: ReadRecord[] }> {
  const input = uniqueName('otel-in');
  const output = uniqueName('otel-out');
  const dlq = uniqueName('otel-dlq');
  const groupId = uniqueName('otel-app');
  await createTopics(admin, [input], 1);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: input, acks: -1, messages: inputs.map((m, i) => ({ key: `k-${i}`, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })) });
  await producer.disconnect();
  const extended = new KafkaExtended({ bootstrapServers: brokers, clientId: 'otel-spec' });
  try {
    const id = await extended.createStreamProcessor({ applicationId: groupId, bootstrapServers: brokers, dlqTopic: dlq, maxRetries: 1, retryBackoffMs: 10, processingGuarantee });
    await extended.processKafkaStream(id, [input], output, (record) => {
      const value = Buffer.from(record.value as Uint8Array).toString();
      onRecord(value);
      if (value === 'poison') throw new TypeError('cannot process poison');
      return { value: value.toUpperCase() };
    });
    const poisons = inputs.filter((m) => m.value === 'poison').length;
    const outputs = await readTopic(kafka, output, (r) => r.length >= inputs.length - poisons);
    const dead = poisons === 0 ? [] : await readTopic(kafka, dlq, (r) => r.length >= poisons);
    await extended.stopStreamProcessor(id);
    return { input, groupId, outputs, dead };
  } finally {
    await extended.close();
  }
}

describe('OpenTelemetry in the stream processor', () => {
  it('names its tracer and meter after the package and its version', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(OTEL_SCOPE).toEqual({ name: pkg.name, version: pkg.version });
  });

  let kafka: Kafka;
  let admin: Admin;
  beforeAll(async () => {
    kafka = rawKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  describe('without an SDK', () => {
    it('adds no trace headers to outputs', async () => {
      const { outputs } = await runProcessor(kafka, admin, [{ value: 'a', headers: { origin: 'test' } }]);
      expect(outputs.map((r) => [r.value, r.headers])).toEqual([['A', {}]]);
    });
  });

  describe('with an SDK registered', () => {
    const exporter = new InMemorySpanExporter();
    const reader = new TestReader();
    beforeAll(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    });
    afterAll(() => {
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    });

    /** Headers carrying the context of a span the test starts (standing in for the upstream send span). */
    function upstream(name: string): { span: Span; headers: IHeaders } {
      const span = trace.getTracer('test').startSpan(name);
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(context.active(), span), headers);
      span.end();
      return { span, headers: { ...headers, origin: 'test' } };
    }

    it('processes each record in a CONSUMER span whose parent is the record’s context, and its outputs and DLQ copy carry that span’s context', async () => {
      const good = upstream('upstream-good');
      const bad = upstream('upstream-bad');
      const active = new Map<string, string | undefined>();
      const { input, groupId, outputs, dead } = await runProcessor(
        kafka,
        admin,
        [{ value: 'a', headers: good.headers }, { value: 'poison', headers: bad.headers }, { value: 'b' }],
        (value) => active.set(value, trace.getActiveSpan()?.spanContext().spanId),
      );
      const spans = exporter.getFinishedSpans().filter((s) => s.name === `process ${input}`);
      expect(spans).toHaveLength(3);
      const byOffset = new Map(spans.map((s) => [s.attributes['messaging.kafka.offset'], s]));
      const [a, poison, b] = [byOffset.get(0)!, byOffset.get(1)!, byOffset.get(2)!];

      // Parent: the exact span whose context the input record carried.
      expect(a.kind).toBe(SpanKind.CONSUMER);
      expect(a.instrumentationScope).toMatchObject(OTEL_SCOPE);
      expect(a.spanContext().traceId).toBe(good.span.spanContext().traceId);
      expect(a.parentSpanContext?.spanId).toBe(good.span.spanContext().spanId);
      expect(poison.parentSpanContext?.spanId).toBe(bad.span.spanContext().spanId);
      // No context in the record: a new trace.
      expect(b.parentSpanContext).toBeUndefined();
      expect(b.spanContext().traceId).not.toBe(good.span.spanContext().traceId);
      // The processor function runs with the process span active.
      expect(active.get('a')).toBe(a.spanContext().spanId);
      expect(active.get('b')).toBe(b.spanContext().spanId);

      expect(a.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.destination.name': input,
        'messaging.destination.partition.id': '0',
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': 0,
        'onex.stream.attempts': 1,
      });
      expect(a.status.code).toBe(SpanStatusCode.UNSET);
      expect(poison.status.code).toBe(SpanStatusCode.ERROR);
      expect(poison.attributes).toMatchObject({ 'error.type': 'TypeError', 'onex.stream.attempts': 2, 'onex.stream.dead_letter_topic': expect.any(String) });
      expect(poison.events.map((e) => [e.name, e.attributes?.['exception.type']])).toEqual([
        ['exception', 'TypeError'],
        ['exception', 'TypeError'],
      ]);

      // Outputs continue the trace under the process span.
      const traceparent = (span: typeof a): string => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
      const outA = outputs.find((r) => r.value === 'A')!;
      const outB = outputs.find((r) => r.value === 'B')!;
      expect(outA.headers['traceparent']).toBe(traceparent(a));
      expect(outB.headers['traceparent']).toBe(traceparent(b));
      // The DLQ copy keeps the input's headers except the trace context, which is the failed process span's.
      expect(dead).toHaveLength(1);
      expect(dead[0]!.headers).toMatchObject({ origin: 'test', traceparent: traceparent(poison), [DEAD_LETTER_HEADERS.attempts]: '2' });
    });

    it('with exactly_once, the outputs committed in the transaction carry their process span’s context too', async () => {
      const up = upstream('upstream-eos');
      const { input, outputs } = await runProcessor(kafka, admin, [{ value: 'a', headers: up.headers }], undefined, 'exactly_once');
      const [span] = exporter.getFinishedSpans().filter((s) => s.name === `process ${input}`);
      expect(span!.parentSpanContext?.spanId).toBe(up.span.spanContext().spanId);
      expect(outputs.map((r) => r.headers['traceparent'])).toEqual([`00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`]);
    });

    it('records messaging.process.duration per record with error.type for the dead-lettered one', async () => {
      const { input, groupId } = await runProcessor(kafka, admin, [{ value: 'a' }, { value: 'poison' }, { value: 'b' }]);
      const { resourceMetrics } = await reader.collect();
      const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === OTEL_SCOPE.name)!;
      const duration = scope.metrics.find((m) => m.descriptor.name === 'messaging.process.duration') as HistogramMetricData;
      expect(duration.descriptor.unit).toBe('s');
      const points = duration.dataPoints.filter((d) => d.attributes['messaging.destination.name'] === input);
      const base = {
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.destination.name': input,
        'messaging.destination.partition.id': '0',
        'messaging.consumer.group.name': groupId,
      };
      const rows = points.map((p) => ({ attributes: p.attributes, count: p.value.count }));
      rows.sort((x, y) => Object.keys(x.attributes).length - Object.keys(y.attributes).length);
      expect(rows.map((r) => [r.attributes, r.count])).toEqual([
        [base, 2],
        [{ ...base, 'error.type': 'TypeError' }, 1],
      ]);
      const consumed = scope.metrics.find((m) => m.descriptor.name === 'messaging.client.consumed.messages')!;
      expect(consumed.descriptor.unit).toBe('{message}');
    });
  });
});
