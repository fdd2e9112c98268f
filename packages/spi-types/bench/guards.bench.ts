import { isProtocolCircuitBreaker } from '../src/index.js';
import type { BenchmarkDefinition } from '../../../tools/bench/types.js';

// A value with every ProtocolCircuitBreaker method, and one that lacks the last.
const fn = async () => undefined;
const breaker = {
  executeWithCircuitBreaker: fn, getCircuitState: fn, configureCircuitBreaker: fn, resetCircuitBreaker: fn,
  getCircuitMetrics: fn, getAllCircuitStates: fn, forceCircuitOpen: fn, forceCircuitClosed: fn,
};
const partial: Record<string, unknown> = { ...breaker, forceCircuitClosed: undefined };
const values: unknown[] = [breaker, partial, null, 42, breaker, { executeWithCircuitBreaker: fn }];

function plainCheck(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['executeWithCircuitBreaker'] === 'function' && typeof v['getCircuitState'] === 'function' &&
    typeof v['configureCircuitBreaker'] === 'function' && typeof v['resetCircuitBreaker'] === 'function' &&
    typeof v['getCircuitMetrics'] === 'function' && typeof v['getAllCircuitStates'] === 'function' &&
    typeof v['forceCircuitOpen'] === 'function' && typeof v['forceCircuitClosed'] === 'function'
  );
}

const BATCH = 10_000;
let sink = 0;

export const benchmarks: BenchmarkDefinition[] = [
  {
    name: 'spi-types.guard',
    description: 'isProtocolCircuitBreaker() vs a hand-written inline check, over a mix of matching and non-matching values',
    opsPerCall: BATCH,
    rounds: 5,
    roundMs: 500,
    project: {
      label: 'isProtocolCircuitBreaker',
      run: () => {
        for (let i = 0; i < BATCH; i++) if (isProtocolCircuitBreaker(values[i % values.length])) sink++;
      },
    },
    baselines: [
      {
        label: 'inline typeof checks',
        config: 'the same method-presence checks written inline, same value mix',
        run: () => {
          for (let i = 0; i < BATCH; i++) if (plainCheck(values[i % values.length])) sink++;
        },
      },
    ],
    teardown: () => {
      if (sink < 0) console.log(sink);
    },
  },
];
