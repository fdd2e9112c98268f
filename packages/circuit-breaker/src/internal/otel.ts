import { createNoopMeter, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { LiteralCircuitState } from '@onex/spi-types';
import { otelDisabledByEnv, otelInstrumentSource } from '@onex/spi-types/support';

/** Instrumentation scope of this package (meter name and version). */
export const OTEL_SCOPE = { name: '@onex/circuit-breaker', version: '0.1.0' } as const;

/** Name of the span event added to the active span on every state transition. */
export const STATE_CHANGE_EVENT = 'circuit_breaker.state_change';

const transitions = otelInstrumentSource({ trace, metrics, ProxyTracerProvider, createNoopMeter }, OTEL_SCOPE, (meter) =>
  meter.createCounter('circuit_breaker.transitions', { description: 'State transitions of circuit breakers.', unit: '{transition}' }),
);

/**
 * Records a state transition as a `circuit_breaker.state_change` event on the active span (the call
 * that caused it, when it runs in a traced context) and in the `circuit_breaker.transitions` counter.
 * Nothing happens when `ONEX_OTEL_DISABLED` is `true` or `1`.
 */
export function recordStateChange(name: string, from: LiteralCircuitState, to: LiteralCircuitState, reason: string): void {
  if (otelDisabledByEnv()) return;
  const attributes = { 'circuit_breaker.name': name, 'circuit_breaker.state.from': from, 'circuit_breaker.state.to': to, 'circuit_breaker.transition.reason': reason };
  const span = trace.getActiveSpan();
  if (span?.isRecording() === true) span.addEvent(STATE_CHANGE_EVENT, attributes);
  transitions()?.add(1, attributes);
}
