// Benchmarks of @onex/circuit-breaker against raw opossum 9 and a direct call.
//   npm run bench -- circuit-breaker
import Opossum from 'opossum';
import { CircuitBreakerRegistry } from '../src/index.js';
import type { BenchmarkDefinition, BenchmarkSubject } from '../../../tools/bench/types.js';

type Ctx = Record<string, never>;
type Operation = (signal?: AbortSignal) => Promise<number>;

const OPS = 100;
const ok: Operation = () => Promise.resolve(1);
const down = new Error('down');
const fail: Operation = () => Promise.reject(down);
const ignore = (): void => undefined;

/** A subject that performs OPS sequential calls through `call`, built in its setup. */
interface Built {
  readonly call: () => Promise<unknown>;
  readonly close: () => Promise<void> | void;
}

function subject(label: string, config: string, build: () => Built | Promise<Built>): BenchmarkSubject<Ctx> {
  let current: Built | undefined;
  return {
    label,
    config,
    async setup() {
      current = await build();
    },
    async run() {
      const call = current!.call;
      for (let i = 0; i < OPS; i++) await call().catch(ignore);
    },
    async teardown() {
      await current?.close();
    },
  };
}

function opossum(options: Opossum.Options, prepare?: (breaker: Opossum) => void) {
  const breaker = new Opossum((op: Operation) => op(), options);
  prepare?.(breaker);
  return { breaker, close: () => breaker.shutdown() };
}

function registryWith(
  config: ConstructorParameters<typeof CircuitBreakerRegistry>[0],
): { registry: CircuitBreakerRegistry; close: () => Promise<void> } {
  const registry = new CircuitBreakerRegistry(config);
  return { registry, close: () => registry.close() };
}

const closedCall: BenchmarkDefinition<Ctx> = {
  name: 'circuit-breaker.closed-call',
  description: `closed circuit, resolved operation, ${OPS} sequential calls per sample; vs opossum fire (timeout, percentiles and snapshots off) and a direct call`,
  opsPerCall: OPS,
  rounds: 6,
  roundMs: 1_000,
  target: { minRatio: 1 / 1.2 },
  project: subject('@onex/circuit-breaker executeWithCircuitBreaker', 'registry with SPI defaults, no timeout', () => {
    const { registry, close } = registryWith({});
    return { call: () => registry.executeWithCircuitBreaker(ok, 'bench'), close };
  }),
  // The reference is opossum configured as the registry configures it (and as issue 8 asks): timeout off,
  // percentiles and snapshots off. Opossum's defaults (with timeout off) follow for comparison.
  baselines: [
    subject('opossum fire (timeout: false, percentiles + snapshots off)', 'opossum 9: timeout false, rollingPercentilesEnabled false, enableSnapshots false', () => {
      const { breaker, close } = opossum({ timeout: false, rollingPercentilesEnabled: false, enableSnapshots: false });
      return { call: () => breaker.fire(ok), close };
    }),
    subject('opossum fire (timeout: false)', 'opossum 9 defaults with timeout false (percentiles and snapshots on)', () => {
      const { breaker, close } = opossum({ timeout: false });
      return { call: () => breaker.fire(ok), close };
    }),
    subject('direct call', 'the operation awaited without a breaker', () => ({ call: ok, close: ignore })),
  ],
};

const WINDOW_MS = 3_600_000; // the window never rotates during the run: failures accumulate
const FAILURE_OPS_NOTE = 'window grows by about 1,000 failures during measurement';

function registryWithFailures(n: number): BenchmarkSubject<Ctx> {
  return subject(`@onex/circuit-breaker failure, ${n / 1000}k failures in the window`, `registry, thresholds never reached, ${WINDOW_MS / 1000} s window primed with ${n} failures`, async () => {
    const { registry, close } = registryWith({
      defaults: { failureThreshold: 1_000_000_000, errorThresholdPercentage: 99.99, volumeThreshold: 1_000_000_000, rollingWindowSeconds: WINDOW_MS / 1000 },
    });
    const call = (): Promise<unknown> => registry.executeWithCircuitBreaker(fail, 'bench');
    for (let i = 0; i < n; i++) await call().catch(ignore);
    return { call, close };
  });
}

function opossumWithFailures(n: number): BenchmarkSubject<Ctx> {
  return subject(`opossum defaults (percentiles on) failure, ${n / 1000}k failures in the window`, `opossum 9 defaults, timeout false, errorThresholdPercentage 100, ${WINDOW_MS / 1000} s window primed with ${n} failures`, () => {
    // opossum's documented way to prime a breaker with stats: a Status whose first bucket holds them
    const status = Opossum.newStatus({ rollingCountBuckets: 10, rollingCountTimeout: WINDOW_MS, rollingPercentilesEnabled: true, stats: {
      fires: n, failures: n, latencyTimes: new Array<number>(n).fill(0),
    } as never } as never);
    const { breaker, close } = opossum({ timeout: false, errorThresholdPercentage: 100, rollingCountTimeout: WINDOW_MS, status } as never);
    return {
      call: () => breaker.fire(fail),
      close: () => {
        close();
        (status as unknown as { shutdown(): void }).shutdown();
      },
    };
  });
}

const failurePath: BenchmarkDefinition<Ctx> = {
  name: 'circuit-breaker.failure-window',
  description: `failing calls while the rolling window already holds 20k vs 1k failures (${FAILURE_OPS_NOTE}); ratio = 20k ÷ 1k throughput`,
  opsPerCall: 50,
  rounds: 5,
  callsPerRound: 4,
  warmupCalls: 1,
  target: { minRatio: 0.5 },
  project: registryWithFailures(20_000),
  baselines: [registryWithFailures(1_000)],
};

/** The same measurement on opossum's defaults (percentiles on), kept short: it sorts the window on every failure. */
const failurePathOpossum: BenchmarkDefinition<Ctx> = {
  name: 'circuit-breaker.failure-window-opossum-defaults',
  description: 'reference: opossum with rollingPercentilesEnabled (its default), 20k vs 1k failures primed in the window; ratio = 20k ÷ 1k throughput',
  opsPerCall: 5,
  rounds: 3,
  callsPerRound: 2,
  warmupCalls: 1,
  project: opossumWithFailures(20_000),
  baselines: [opossumWithFailures(1_000)],
};

const openRejection: BenchmarkDefinition<Ctx> = {
  name: 'circuit-breaker.open-rejection',
  description: `open circuit rejecting calls without running them, ${OPS} per sample; vs opossum fire on an open breaker`,
  opsPerCall: OPS,
  rounds: 5,
  roundMs: 1_000,
  project: subject('@onex/circuit-breaker rejection (CIRCUIT_OPEN)', 'registry, failureThreshold 1, opened by one failure, 3,600 s open', async () => {
    const { registry, close } = registryWith({ defaults: { failureThreshold: 1, timeoutSeconds: 3_600 } });
    await registry.executeWithCircuitBreaker(fail, 'bench').catch(ignore);
    return { call: () => registry.executeWithCircuitBreaker(ok, 'bench'), close };
  }),
  baselines: [
    subject('opossum fire on an open breaker (EOPENBREAKER)', 'opossum 9, timeout false, resetTimeout 3,600,000 ms, opened with open()', () => {
      const { breaker, close } = opossum({ timeout: false, resetTimeout: 3_600_000 }, (b) => b.open());
      return { call: () => breaker.fire(ok), close };
    }),
  ],
};

export const benchmarks: BenchmarkDefinition<Ctx>[] = [closedCall, failurePath, failurePathOpossum, openRejection];
