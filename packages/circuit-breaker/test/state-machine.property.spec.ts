import fc from 'fast-check';
import { CircuitBreakerFailure } from '@onex/spi-types';
import { CircuitBreakerRegistry } from '../src/circuit-breaker-registry.js';
import { ReferenceCircuit, type ModelOutcome } from './reference-model.js';

type Command =
  | { readonly kind: 'call'; readonly outcome: ModelOutcome | 'circuit-failure' }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'forceOpen' | 'forceClosed' | 'reset' | 'read' };

const CALL_TIMEOUT_MS = 300;
const SLOW_MS = 200;

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<ModelOutcome | 'circuit-failure'>('success', 'failure').map((outcome) => ({ kind: 'call' as const, outcome })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<ModelOutcome | 'circuit-failure'>('timeout', 'slow', 'excused', 'circuit-failure')
      .map((outcome) => ({ kind: 'call' as const, outcome })),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 2_500 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constantFrom('forceOpen', 'forceClosed', 'reset', 'read').map((kind) => ({ kind }) as Command) },
);

class Excused extends Error {}

function operationFor(outcome: ModelOutcome | 'circuit-failure'): (signal: AbortSignal) => Promise<string> {
  switch (outcome) {
    case 'success':
      return () => Promise.resolve('ok');
    case 'failure':
      return () => Promise.reject(new Error('down'));
    case 'circuit-failure':
      return () => Promise.reject(new CircuitBreakerFailure('counted whatever isFailure says'));
    case 'excused':
      return () => Promise.reject(new Excused('not a failure'));
    case 'timeout':
      return (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    case 'slow':
      return () => new Promise((resolve) => setTimeout(() => resolve('late'), SLOW_MS + 1));
  }
}

describe('CircuitBreakerRegistry against the reference model', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('agrees with the model on state, transitions and counts for random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          failureThreshold: fc.integer({ min: 1, max: 4 }),
          openMs: fc.integer({ min: 1, max: 30 }).map((n) => n * 100),
          successThreshold: fc.integer({ min: 1, max: 3 }),
        }),
        fc.array(commandArb, { minLength: 1, maxLength: 60 }),
        async (config, commands) => {
          jest.setSystemTime(0);
          const registry = new CircuitBreakerRegistry({
            defaults: {
              failureThreshold: config.failureThreshold,
              timeoutSeconds: config.openMs / 1000,
              successThreshold: config.successThreshold,
              slowCallDurationSeconds: SLOW_MS / 1000,
              isFailure: (error) => !(error instanceof Excused),
            },
            transitionLogSize: 1_000,
          });
          const model = new ReferenceCircuit(config);
          const name = 'model';
          try {
            await registry.configureCircuitBreaker(name, {});
            for (const command of commands) {
              switch (command.kind) {
                case 'call': {
                  const outcome = command.outcome === 'circuit-failure' ? 'failure' : command.outcome;
                  const runs = model.admit(Date.now());
                  const call = registry
                    .executeWithCircuitBreaker(operationFor(command.outcome), name, { timeoutSeconds: CALL_TIMEOUT_MS / 1000 })
                    .then(
                      () => 'resolved',
                      (e: { code?: string }) => e.code ?? 'error',
                    );
                  const ms = outcome === 'timeout' ? CALL_TIMEOUT_MS : outcome === 'slow' ? SLOW_MS + 1 : 0;
                  await jest.advanceTimersByTimeAsync(ms);
                  const settled = await call;
                  if (runs) model.finish(outcome, Date.now());
                  else expect(settled).toBe('CIRCUIT_OPEN');
                  break;
                }
                case 'advance':
                  await jest.advanceTimersByTimeAsync(command.ms);
                  break;
                case 'forceOpen':
                  await registry.forceCircuitOpen(name);
                  model.forceOpen(Date.now());
                  break;
                case 'forceClosed':
                  await registry.forceCircuitClosed(name);
                  model.forceClosed(Date.now());
                  break;
                case 'reset':
                  await registry.resetCircuitBreaker(name);
                  model.reset(Date.now());
                  break;
                case 'read':
                  break;
              }
              model.refresh(Date.now());
              expect(await registry.getCircuitState(name)).toBe(model.state);
            }
            const metrics = await registry.getCircuitMetrics(name);
            expect(metrics.transitionLog).toEqual(model.log);
            expect({
              state: metrics.state,
              forced: metrics.forced,
              total: metrics.totalCalls,
              success: metrics.successCount,
              failure: metrics.failureCount,
              timeout: metrics.timeoutCount,
              slow: metrics.slowCallCount,
              rejected: metrics.rejectionCount,
              ignored: metrics.ignoredErrorCount,
              failureRun: metrics.consecutiveFailures,
              successRun: metrics.consecutiveSuccesses,
              transitions: metrics.stateTransitions,
            }).toEqual({
              state: model.state,
              forced: model.forced,
              ...model.counts,
              failureRun: model.failureRun,
              successRun: model.successRun,
              transitions: model.log.length,
            });
          } finally {
            await registry.close();
          }
          expect(jest.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
