import { readFileSync } from 'node:fs';
import path from 'node:path';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ProtocolKafkaMessage } from '@onex/spi-types';
import { consumeAtLeast, kafkaBrokers, text, uniqueName } from '../../test/helpers.js';
import { KafkaClient } from '../kafka-client.js';
import { OTEL_SCOPE } from './otel.js';

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

const [host, port] = kafkaBrokers()[0]!.split(':') as [string, string];

async function produceAndConsume(client: KafkaClient, topic: string, produce: (producerId: string) => Promise<unknown>, count = 1): Promise<ProtocolKafkaMessage[]> {
  const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers(), clientId: 'otel-test' });
  await produce(producerId);
  const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
  return consumeAtLeast(client, consumerId, [topic], count);
}

describe('OpenTelemetry in KafkaClient', () => {
  it('names its tracer and meter after the package and its version', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(OTEL_SCOPE).toEqual({ name: pkg.name, version: pkg.version });
  });

  let client: KafkaClient;
  beforeEach(() => {
    client = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
  });
  afterEach(async () => {
    await client.close();
  });

  describe('without an SDK', () => {
    it('injects no trace headers and leaves the caller’s headers as they were', async () => {
      const topic = uniqueName('otel-nosdk');
      await client.createTopic(topic, 1, 1);
      const records = await produceAndConsume(client, topic, (p) => client.produceMessage(p, topic, 'k', 'v', { headers: { a: 'b' } }));
      expect(records).toHaveLength(1);
      expect(Object.keys(records[0]!.headers)).toEqual(['a']);
      expect(text(records[0]!.headers['a'])).toBe('b');
    });
  });

  describe('with an SDK registered', () => {
    const exporter = new InMemorySpanExporter();
    const reader = new TestReader();
    const contextManager = new AsyncLocalStorageContextManager();
    beforeAll(() => {
      context.setGlobalContextManager(contextManager.enable());
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
    beforeEach(() => exporter.reset());

    const spansNamed = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

    it('sends each message in a PRODUCER span that is a child of the active span and whose context is in the record headers', async () => {
      const topic = uniqueName('otel-send');
      await client.createTopic(topic, 1, 1);
      const tracer = trace.getTracer('test');
      let parent: Span | undefined;
      let offset = -1;
      const records = await produceAndConsume(client, topic, (p) =>
        tracer.startActiveSpan('parent', async (span) => {
          parent = span;
          offset = (await client.produceMessage(p, topic, 'key-1', 'v', { headers: { a: 'b' } })).offset;
          span.end();
        }),
      );
      const [send] = spansNamed(`send ${topic}`);
      expect(send).toBeDefined();
      expect(send!.kind).toBe(SpanKind.PRODUCER);
      expect(send!.instrumentationScope).toMatchObject(OTEL_SCOPE);
      expect(send!.spanContext().traceId).toBe(parent!.spanContext().traceId);
      expect(send!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
      expect(send!.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': '0',
        'messaging.kafka.offset': offset,
        'messaging.kafka.message.key': 'key-1',
        'messaging.client.id': 'otel-test',
        'server.address': host,
        'server.port': Number(port),
      });
      expect(send!.status.code).toBe(SpanStatusCode.UNSET);
      // The record carries the send span's context (the creation context), and the caller's header.
      expect(text(records[0]!.headers['traceparent'])).toBe(`00-${send!.spanContext().traceId}-${send!.spanContext().spanId}-01`);
      expect(text(records[0]!.headers['a'])).toBe('b');
      expect(Object.keys(records[0]!.headers).sort()).toEqual(['a', 'traceparent']);

      const polls = spansNamed(`poll ${topic}`);
      expect(polls).toHaveLength(1);
      expect(polls[0]!.kind).toBe(SpanKind.CLIENT);
      expect(polls[0]!.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'poll',
        'messaging.operation.type': 'receive',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': 1,
        'server.address': host,
      });
      expect(typeof polls[0]!.attributes['messaging.consumer.group.name']).toBe('string');
    });

    it('keeps a traceparent the caller set, and marks tombstones', async () => {
      const topic = uniqueName('otel-own');
      await client.createTopic(topic, 1, 1);
      const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const records = await produceAndConsume(client, topic, (p) => client.produceMessage(p, topic, null, null, { headers: { traceparent: own } }));
      expect(text(records[0]!.headers['traceparent'])).toBe(own);
      const [send] = spansNamed(`send ${topic}`);
      expect(send!.attributes['messaging.kafka.message.tombstone']).toBe(true);
      expect(send!.attributes['messaging.kafka.message.key']).toBeUndefined();
    });

    it('replaces a traceparent that names the active span with the send span, and keeps one that names another span', async () => {
      const topic = uniqueName('otel-active');
      await client.createTopic(topic, 1, 1);
      const tracer = trace.getTracer('test');
      const hop = tracer.startSpan('hop');
      const hopContext = hop.spanContext();
      const named = `00-${hopContext.traceId}-${hopContext.spanId}-01`;
      const other = `00-${hopContext.traceId}-b7ad6b7169203331-01`;
      const records = await produceAndConsume(client, topic, (p) =>
        context.with(trace.setSpan(context.active(), hop), async () => {
          await client.produceMessage(p, topic, 'as-text', 'v', { headers: { traceparent: named } });
          await client.produceMessage(p, topic, 'as-bytes', 'v', { headers: { traceparent: Buffer.from(named) } });
          return client.produceMessage(p, topic, 'other', 'v', { headers: { traceparent: other } });
        }),
      3);
      hop.end();
      const sends = spansNamed(`send ${topic}`);
      expect(sends).toHaveLength(3);
      for (const send of sends) expect(send.parentSpanContext?.spanId).toBe(hopContext.spanId);
      const byKey = new Map(records.map((r) => [text(r.key), text(r.headers['traceparent'])]));
      const sendOf = (key: string) => sends.find((s) => s.attributes['messaging.kafka.message.key'] === key)!.spanContext().spanId;
      expect(byKey.get('as-text')).toBe(`00-${hopContext.traceId}-${sendOf('as-text')}-01`);
      expect(byKey.get('as-bytes')).toBe(`00-${hopContext.traceId}-${sendOf('as-bytes')}-01`);
      expect(byKey.get('other')).toBe(other);
    });

    it('carries the tracestate of the active context into the record headers', async () => {
      const topic = uniqueName('otel-state');
      await client.createTopic(topic, 1, 1);
      const remote = propagation.extract(context.active(), { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' });
      const records = await produceAndConsume(client, topic, (p) => context.with(remote, () => client.produceMessage(p, topic, null, 'v')));
      const [send] = spansNamed(`send ${topic}`);
      expect(send!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(text(records[0]!.headers['traceparent'])).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${send!.spanContext().spanId}-01`);
      expect(text(records[0]!.headers['tracestate'])).toBe('vendor=abc');
    });

    it('ends the send span with error.type and an error status when the produce fails', async () => {
      const topic = uniqueName('otel-fail');
      await client.createTopic(topic, 1, 1);
      const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
      await expect(client.produceMessage(producerId, topic, null, 'v', { partition: 7 })).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_PARTITION' });
      await expect(client.produceMessage(producerId, topic, 42 as never, 'v')).rejects.toMatchObject({ code: 'KAFKA_INVALID_ARGUMENT' });
      const sends = spansNamed(`send ${topic}`);
      expect(sends.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
        [SpanStatusCode.ERROR, 'KAFKA_UNKNOWN_PARTITION'],
        [SpanStatusCode.ERROR, 'KAFKA_INVALID_ARGUMENT'],
      ]);
      const { resourceMetrics } = await reader.collect();
      const sent = resourceMetrics.scopeMetrics.find((s) => s.scope.name === OTEL_SCOPE.name)!.metrics.find((m) => m.descriptor.name === 'messaging.client.sent.messages') as SumMetricData;
      const failed = sent.dataPoints.filter((d) => d.attributes['messaging.destination.name'] === topic).map((d) => [d.attributes['error.type'], d.value]);
      expect(failed.sort()).toEqual([
        ['KAFKA_INVALID_ARGUMENT', 1],
        ['KAFKA_UNKNOWN_PARTITION', 1],
      ]);
    });

    it('records the operation duration and the sent and consumed counters with their units and attributes', async () => {
      const topic = uniqueName('otel-metrics');
      await client.createTopic(topic, 1, 1);
      const producerId = await client.createProducer({ bootstrapServers: kafkaBrokers() });
      await Promise.all([0, 1, 2].map((i) => client.produceMessage(producerId, topic, null, `m${i}`)));
      const consumerId = await client.createConsumer({ bootstrapServers: kafkaBrokers(), groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
      expect(await consumeAtLeast(client, consumerId, [topic], 3)).toHaveLength(3);
      const { resourceMetrics } = await reader.collect();
      const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === OTEL_SCOPE.name);
      const byName = new Map(scope!.metrics.map((m) => [m.descriptor.name, m]));
      const duration = byName.get('messaging.client.operation.duration') as HistogramMetricData;
      expect(duration.descriptor.unit).toBe('s');
      expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
      const sendPoint = duration.dataPoints.find((d) => d.attributes['messaging.destination.name'] === topic && d.attributes['messaging.operation.name'] === 'send');
      expect(sendPoint!.value.count).toBe(3);
      expect(sendPoint!.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
      expect(sendPoint!.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': '0',
        'server.address': host,
        'server.port': Number(port),
      });
      const pollPoints = duration.dataPoints.filter((d) => d.attributes['messaging.destination.name'] === topic && d.attributes['messaging.operation.name'] === 'poll');
      expect(pollPoints.length).toBeGreaterThan(0);
      expect(pollPoints[0]!.attributes['messaging.operation.type']).toBe('receive');
      const sent = byName.get('messaging.client.sent.messages') as SumMetricData;
      expect(sent.descriptor.unit).toBe('{message}');
      expect(sent.dataPoints.find((d) => d.attributes['messaging.destination.name'] === topic)!.value).toBe(3);
      const consumed = byName.get('messaging.client.consumed.messages') as SumMetricData;
      expect(consumed.descriptor.unit).toBe('{message}');
      const consumedPoint = consumed.dataPoints.find((d) => d.attributes['messaging.destination.name'] === topic);
      expect(consumedPoint!.value).toBe(3);
      expect(consumedPoint!.attributes).toMatchObject({ 'messaging.destination.partition.id': '0', 'messaging.operation.name': 'poll' });
      expect(typeof consumedPoint!.attributes['messaging.consumer.group.name']).toBe('string');
    });

    it('emits nothing and injects nothing for a client created with ONEX_OTEL_DISABLED=true', async () => {
      const topic = uniqueName('otel-off');
      await client.createTopic(topic, 1, 1);
      process.env['ONEX_OTEL_DISABLED'] = 'true';
      let off: KafkaClient;
      try {
        off = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });
      } finally {
        delete process.env['ONEX_OTEL_DISABLED'];
      }
      try {
        const records = await produceAndConsume(off, topic, (p) => off.produceMessage(p, topic, null, 'v'));
        expect(records[0]!.headers).toEqual({});
        expect(exporter.getFinishedSpans().filter((s) => s.name.endsWith(topic))).toEqual([]);
      } finally {
        await off.close();
      }
      // Control: the same produce through a client created without the variable is traced.
      const records = await produceAndConsume(client, topic, (p) => client.produceMessage(p, topic, null, 'w'));
      expect(records.some((r) => r.headers['traceparent'] !== undefined)).toBe(true);
      expect(spansNamed(`send ${topic}`)).toHaveLength(1);
    });
  });
});
