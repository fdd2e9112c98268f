import { readFileSync } from 'node:fs';
import path from 'node:path';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CircuitBreakerRegistry } from '../circuit-breaker-registry.js';
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

const boom = (): Promise<never> => Promise.reject(new Error('boom'));

describe('OpenTelemetry in CircuitBreakerRegistry', () => {
  it('names its tracer and meter after the package and its version', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(OTEL_SCOPE).toEqual({ name: pkg.name, version: pkg.version });
  });

  const exporter = new InMemorySpanExporter();
  const reader = new TestReader();
  let registry: CircuitBreakerRegistry;
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 2, timeoutSeconds: 30 } });
  });
  afterEach(() => registry.close());

  /** Runs a call inside its own span and returns that span's finished copy. */
  async function inSpan(name: string, call: () => Promise<unknown>): Promise<ReturnType<InMemorySpanExporter['getFinishedSpans']>[number]> {
    await trace.getTracer('test').startActiveSpan(name, async (span) => {
      await call().catch(() => undefined);
      span.end();
    });
    return exporter.getFinishedSpans().find((s) => s.name === name)!;
  }

  it('adds a circuit_breaker.state_change event to the span of the call that moved the state, and counts transitions', async () => {
    const first = await inSpan('call-1', () => registry.executeWithCircuitBreaker(boom, 'users'));
    const second = await inSpan('call-2', () => registry.executeWithCircuitBreaker(boom, 'users'));
    const forced = await inSpan('admin', () => registry.forceCircuitClosed('users'));
    expect(first.events).toEqual([]);
    expect(second.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'circuit_breaker.state_change',
        { 'circuit_breaker.name': 'users', 'circuit_breaker.state.from': 'closed', 'circuit_breaker.state.to': 'open', 'circuit_breaker.transition.reason': 'failure_threshold' },
      ],
    ]);
    expect(forced.events.map((e) => [e.attributes?.['circuit_breaker.state.to'], e.attributes?.['circuit_breaker.transition.reason']])).toEqual([['closed', 'forced_closed']]);

    const { resourceMetrics } = await reader.collect();
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === OTEL_SCOPE.name)!;
    const counter = scope.metrics.find((m) => m.descriptor.name === 'circuit_breaker.transitions') as SumMetricData;
    expect(counter.descriptor.unit).toBe('{transition}');
    const toOpen = counter.dataPoints.find((d) => d.attributes['circuit_breaker.name'] === 'users' && d.attributes['circuit_breaker.state.to'] === 'open');
    expect(toOpen!.value).toBe(1);
    expect(toOpen!.attributes).toEqual({
      'circuit_breaker.name': 'users',
      'circuit_breaker.state.from': 'closed',
      'circuit_breaker.state.to': 'open',
      'circuit_breaker.transition.reason': 'failure_threshold',
    });
  });

  it('transitions without an active span and with ONEX_OTEL_DISABLED=true add no event and break nothing', async () => {
    await registry.executeWithCircuitBreaker(boom, 'bare').catch(() => undefined);
    await registry.executeWithCircuitBreaker(boom, 'bare').catch(() => undefined);
    expect(await registry.getCircuitState('bare')).toBe('open');
    process.env['ONEX_OTEL_DISABLED'] = 'true';
    let span;
    try {
      span = await inSpan('disabled', () => registry.forceCircuitOpen('bare'));
    } finally {
      delete process.env['ONEX_OTEL_DISABLED'];
    }
    expect(span.events).toEqual([]);
    // Control: the same call with telemetry on adds the event.
    const control = await inSpan('enabled', () => registry.forceCircuitClosed('bare'));
    expect(control.events.map((e) => e.name)).toEqual(['circuit_breaker.state_change']);
  });
});
