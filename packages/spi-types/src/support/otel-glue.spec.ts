import { context, createContextKey, createNoopMeter, metrics, ProxyTracerProvider, trace, type Counter, type Meter } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { otelDisabledByEnv, otelErrorType, otelInstrumentSource, otelServerPort, OTEL_SUPPRESS_TRACING_KEY, otelTracerSource, otelUrlFull } from './otel-glue.js';

const api = { trace, metrics, ProxyTracerProvider, createNoopMeter };
const scope = { name: '@onex/test', version: '9.9.9' };

describe('otelTracerSource / otelInstrumentSource', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  it('finds no tracer and makes no instruments while no SDK is registered', () => {
    const create = jest.fn((meter: Meter) => meter.createCounter('c'));
    expect(otelTracerSource(api, scope)()).toBeUndefined();
    expect(otelInstrumentSource(api, scope, create)()).toBeUndefined();
    expect(create).not.toHaveBeenCalled();
  });

  it('gives the registered provider’s tracer for the scope, made once per provider', () => {
    const tracer = otelTracerSource(api, scope);
    const first = new BasicTracerProvider();
    const getTracer = jest.spyOn(first, 'getTracer');
    trace.setGlobalTracerProvider(first);
    const t = tracer();
    expect(t).toBeDefined();
    expect(tracer()).toBe(t);
    expect(getTracer).toHaveBeenCalledTimes(1);
    expect(getTracer).toHaveBeenCalledWith('@onex/test', '9.9.9');
    // A span of it is recording and carries the scope: it is the SDK's tracer, not the API's no-op one.
    const span = t!.startSpan('s');
    expect(span.isRecording()).toBe(true);
    span.end();
    trace.disable();
    const second = new BasicTracerProvider();
    trace.setGlobalTracerProvider(second);
    expect(tracer()).not.toBe(t);
    expect(tracer()).toBeDefined();
    trace.disable();
    expect(tracer()).toBeUndefined();
  });

  it('makes the instruments once per registered meter provider, and records into them', async () => {
    const create = jest.fn((meter: Meter): Counter => meter.createCounter('onex.test.count'));
    const instruments = otelInstrumentSource(api, scope, create);
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const counter = instruments();
    expect(counter).toBeDefined();
    expect(instruments()).toBe(counter);
    expect(create).toHaveBeenCalledTimes(1);
    counter!.add(3, { k: 'v' });
    await reader.forceFlush();
    const scopeMetrics = exporter.getMetrics()[0]?.scopeMetrics.find((s) => s.scope.name === '@onex/test');
    expect(scopeMetrics?.scope.version).toBe('9.9.9');
    expect(scopeMetrics?.metrics[0]?.dataPoints[0]).toMatchObject({ value: 3, attributes: { k: 'v' } });
    await reader.shutdown();
    metrics.disable();
    expect(instruments()).toBeUndefined();
  });
});

describe('OTEL_SUPPRESS_TRACING_KEY', () => {
  it('is the key @opentelemetry/core’s suppressTracing() sets', () => {
    expect(suppressTracing(context.active()).getValue(OTEL_SUPPRESS_TRACING_KEY)).toBe(true);
    expect(context.active().getValue(OTEL_SUPPRESS_TRACING_KEY)).toBeUndefined();
    expect(createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING')).toBe(OTEL_SUPPRESS_TRACING_KEY);
  });
});

describe('otelErrorType', () => {
  it.each<[unknown, string]>([
    [Object.assign(new Error('x'), { code: 'HTTP_TIMEOUT' }), 'HTTP_TIMEOUT'],
    [Object.assign(new Error('x'), { code: '' }), 'Error'],
    [new TypeError('x'), 'TypeError'],
    ['text', '_OTHER'],
    [undefined, '_OTHER'],
  ])('names %p as %s', (error, type) => {
    expect(otelErrorType(error)).toBe(type);
  });
});

describe('otelServerPort / otelUrlFull', () => {
  it.each([
    ['http://h/p', 80],
    ['https://h/p', 443],
    ['http://h:8080/p', 8080],
  ])('gives %s the port %d', (url, port) => {
    expect(otelServerPort(new URL(url))).toBe(port);
  });

  it('leaves the user info out of url.full', () => {
    expect(otelUrlFull(new URL('https://u:secret@h:8443/a/b?q=1#f'))).toBe('https://h:8443/a/b?q=1');
  });
});

describe('otelDisabledByEnv', () => {
  const saved = process.env['ONEX_OTEL_DISABLED'];
  afterEach(() => {
    if (saved === undefined) delete process.env['ONEX_OTEL_DISABLED'];
    else process.env['ONEX_OTEL_DISABLED'] = saved;
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['', false],
  ])('reads ONEX_OTEL_DISABLED=%p as %p', (value, disabled) => {
    process.env['ONEX_OTEL_DISABLED'] = value;
    expect(otelDisabledByEnv()).toBe(disabled);
  });
});
