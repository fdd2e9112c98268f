// The benchmark contract. A package registers benchmarks in `<project>/bench/*.bench.ts` by
// exporting `benchmarks: BenchmarkDefinition[]` (default export also accepted).

/** One side of a comparison: the project's code, or the baseline library. */
export interface BenchmarkSubject<Ctx> {
  /** Label shown in the table (`@onex/http get`, `undici.request`). */
  readonly label: string;
  /**
   * How this side is configured, in one line (batch size, requests in flight, acks, idempotence, key
   * import…), printed under the table and written to latest.json. Required of every baseline: a ratio
   * means nothing without the configuration it was measured against.
   */
  readonly config?: string;
  /**
   * Of a further baseline (a peer): target on the project's ratio against it (`projectRatio`), as
   * `BenchmarkDefinition.target` is on the first. Reported, never asserted.
   */
  readonly target?: { readonly minRatio?: number; readonly maxRatio?: number };
  /** Performs one operation (or `opsPerCall` operations). Its duration is one latency sample. */
  run(ctx: Ctx): Promise<unknown> | unknown;
  /** Runs once before the subject's first round (open connections, warm caches). */
  setup?(ctx: Ctx): Promise<void> | void;
  /** Runs once after the subject's last round. */
  teardown?(ctx: Ctx): Promise<void> | void;
}

/** A benchmark: the project compared with one or more baselines in the same process run. */
export interface BenchmarkDefinition<Ctx = unknown> {
  /** Unique name, `<package>.<what>` (`http.get-keepalive`). Used to select it: `npm run bench http`. */
  readonly name: string;
  /** One line on what is measured. */
  readonly description: string;
  /** Needs a Kafka broker (KAFKA_BROKERS, or the harness starts tools/kafka). */
  readonly needsKafka?: boolean;
  /** Creates shared state (servers, topics) once; receives the broker list when `needsKafka`. */
  setup?(env: BenchmarkEnv): Promise<Ctx> | Ctx;
  /** Releases the shared state. */
  teardown?(ctx: Ctx): Promise<void> | void;
  /** The project's code. */
  readonly project: BenchmarkSubject<Ctx>;
  /** Baselines; the first one is the reference of the headline ratio. */
  readonly baselines: readonly BenchmarkSubject<Ctx>[];
  /** Operations one `run` call performs (e.g. a batch of 1000 sends). @default 1 */
  readonly opsPerCall?: number;
  /** Concurrent `run` loops. @default 1 */
  readonly concurrency?: number;
  /**
   * Fresh processes the benchmark runs in, one after another (JMH's forks): JIT decisions differ
   * from process to process, so one process can sit a few percent off. The fork with the median
   * ratio (the lower middle one for an even count) is reported. `npm run bench -- --forks=N` overrides it. @default 1
   */
  readonly forks?: number;
  /**
   * Each subject in a process of its own (the benchmark's `setup` runs in each), its rounds still alternating with
   * the others' under one coordinator: no subject's code leaves type feedback in code another one shares (two
   * sides built on the same library, kafkajs for instance), as JMH forks a JVM per benchmark method. The idle
   * subjects' processes stay up meanwhile, with whatever they run in the background. @default false
   */
  readonly processPerSubject?: boolean;
  /** Measured rounds; subjects alternate within each round. @default 5 */
  readonly rounds?: number;
  /** Length of one subject's round in ms (time-boxed mode). @default 1000 */
  readonly roundMs?: number;
  /** Fixed number of `run` calls per round instead of a time box (for big, slow operations). */
  readonly callsPerRound?: number;
  /** Warm-up calls per subject before measuring; when unset, time-boxed benchmarks warm up for `warmupMs`. @default 1 (fixed) */
  readonly warmupCalls?: number;
  /** Warm-up time per subject of a time-boxed benchmark without `warmupCalls`, at its concurrency. @default 500 */
  readonly warmupMs?: number;
  /** Headline target on `project ops/s ÷ first baseline ops/s`, e.g. `{ minRatio: 0.9 }`. Reported, never asserted. */
  readonly target?: { readonly minRatio?: number; readonly maxRatio?: number };
  /** Which figure the ratio compares. `throughput` = ops/s (higher is better), `p50`/`p99` = latency. @default 'throughput' */
  readonly ratioOf?: 'throughput' | 'p50' | 'p99';
}

/** Environment handed to a benchmark's setup. */
export interface BenchmarkEnv {
  /** Kafka bootstrap servers (only when `needsKafka`). */
  readonly kafkaBrokers: string[];
}

/** Figures of one subject. */
export interface SubjectResult {
  readonly label: string;
  /** The subject's `config`. */
  readonly config?: string;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
  /** Ops/s of each measured round, in order (ops/s above is their median). */
  readonly roundRates?: readonly number[];
  /**
   * Of a baseline: the project against this baseline, computed as the headline ratio is (paired
   * per-round median for throughput, p50/p99 quotient for latency), so every peer of a run gets a ratio.
   */
  readonly projectRatio?: number;
  /** Of a baseline with a `target`: that target and whether `projectRatio` met it. */
  readonly target?: { readonly minRatio?: number; readonly maxRatio?: number };
  readonly targetMet?: boolean;
}

/** One benchmark's result as written to tmp/bench/latest.json. */
export interface BenchmarkResult {
  readonly name: string;
  readonly description: string;
  readonly project: SubjectResult;
  readonly baselines: readonly SubjectResult[];
  /**
   * Project vs first baseline by `ratioOf`. Throughput: the median over rounds of the project's rate
   * divided by the baseline's rate in the same round. Latency: project p50 (or p99) over baseline's.
   */
  readonly ratio: number;
  /** Lowest and highest per-round throughput ratio over all forks (throughput benchmarks only). */
  readonly ratioRange?: readonly [number, number];
  /** Headline ratio of each fork, when there were several. */
  readonly forkRatios?: readonly number[];
  readonly ratioOf: 'throughput' | 'p50' | 'p99';
  readonly target?: { readonly minRatio?: number; readonly maxRatio?: number };
  readonly targetMet?: boolean;
  readonly error?: string;
}
