// Benchmark harness: `npm run bench [name-prefix…]`.
// Discovers `packages/*/bench/*.bench.ts` and `e2e/bench/*.bench.ts` and runs each selected benchmark
// in a process of its own (as JMH forks a JVM per benchmark: code that an earlier benchmark ran
// leaves type feedback behind that slows shared code paths later). Inside that process the project
// subject and its baselines run alternately over several rounds after a warm-up; with `processPerSubject`
// each subject runs in a process of its own, driven round by round from the benchmark's. Prints one table and
// writes tmp/bench/latest.json. Ratios are reported against the first baseline, never asserted.
// `--forks=N` runs each benchmark in N processes in turn and reports the fork with the median ratio
// (the lower middle one for an even N). `--in-process` runs everything in this one process instead
// (for profiling). `--quick` is the short form for checking that a benchmark runs: one measured round
// (300 ms when time-boxed), 200 ms or one call of warm-up; its figures are smoke numbers, not results.
// Every baseline must name its configuration (`config`); the configurations are printed under the table.
// The ratio column gives the headline ratio (against the first baseline) on the project's row and, in
// parentheses, the project's ratio against each further baseline on that baseline's row.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { meetsTarget, targetText } from './targets.js';
import type { BenchmarkDefinition, BenchmarkResult, BenchmarkSubject, SubjectResult } from './types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function discover(): string[] {
  const files: string[] = [];
  const dirs = [
    ...fs.readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d, 'bench')),
    path.join(root, 'e2e', 'bench'),
  ];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) if (file.endsWith('.bench.ts')) files.push(path.join(dir, file));
  }
  return files;
}

async function load(file: string): Promise<BenchmarkDefinition<any>[]> {
  const mod = (await import(pathToFileURL(file).href)) as { benchmarks?: BenchmarkDefinition<any>[]; default?: BenchmarkDefinition<any>[] };
  const list = mod.benchmarks ?? mod.default;
  if (!Array.isArray(list)) throw new Error(`${path.relative(root, file)} exports no \`benchmarks\` array`);
  return list;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MAX_SAMPLES = 500_000;
const DEFAULT_WARMUP_MS = 500;

class Samples {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length >= MAX_SAMPLES) return;
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

async function runRound<Ctx>(def: BenchmarkDefinition<Ctx>, subject: BenchmarkSubject<Ctx>, ctx: Ctx, samples?: Samples) {
  const concurrency = def.concurrency ?? 1;
  const fixed = def.callsPerRound;
  const roundMs = def.roundMs ?? 1000;
  let calls = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + roundMs;
  const loop = async () => {
    for (;;) {
      if (fixed !== undefined ? issued >= fixed : performance.now() >= deadline) return;
      issued++;
      const t0 = performance.now();
      await subject.run(ctx);
      samples?.push(performance.now() - t0);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - started;
  return { calls, elapsedMs };
}

/** One subject as the rounds drive it: in this process, or in a process of its own (`processPerSubject`). */
interface SubjectRunner {
  setup(): Promise<void>;
  warmup(): Promise<void>;
  /** One measured round; its latency samples go to `samples`. */
  round(samples: Samples): Promise<{ calls: number; elapsedMs: number }>;
  teardown(): Promise<void>;
}

async function warmupSubject<Ctx>(def: BenchmarkDefinition<Ctx>, subject: BenchmarkSubject<Ctx>, ctx: Ctx): Promise<void> {
  if (def.warmupCalls !== undefined || def.callsPerRound !== undefined) {
    const warmup = def.warmupCalls ?? 1;
    for (let i = 0; i < warmup; i++) await subject.run(ctx);
  } else {
    // A fresh process has nothing compiled yet: warm each side for a fixed time, at the
    // benchmark's concurrency, so both reach optimised code before the first measured round.
    await runRound({ ...def, roundMs: def.warmupMs ?? DEFAULT_WARMUP_MS }, subject, ctx);
  }
}

function localRunners(def: BenchmarkDefinition<any>, kafkaBrokers: string[]): { runners: SubjectRunner[]; setup(): Promise<void>; teardown(): Promise<void> } {
  let ctx: unknown;
  const runners = [def.project, ...def.baselines].map(
    (subject): SubjectRunner => ({
      setup: async () => subject.setup?.(ctx),
      warmup: () => warmupSubject(def, subject, ctx),
      round: (samples) => runRound(def, subject, ctx, samples),
      teardown: async () => subject.teardown?.(ctx),
    }),
  );
  return {
    runners,
    setup: async () => {
      ctx = def.setup ? await def.setup({ kafkaBrokers }) : undefined;
    },
    teardown: async () => def.teardown?.(ctx),
  };
}

type SubjectCommand = 'setup' | 'warmup' | 'round' | 'teardown';
interface SubjectReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly calls?: number;
  readonly elapsedMs?: number;
  readonly samples?: number[];
}

/** Each subject in a child process of its own, which runs the benchmark's setup and that subject only. */
function processRunners(file: string, def: BenchmarkDefinition<any>, kafkaBrokers: string[], quickRun: boolean): { runners: SubjectRunner[]; setup(): Promise<void>; teardown(): Promise<void> } {
  const subjects = [def.project, ...def.baselines];
  const children = subjects.map((_, index) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--subject'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let pending: { resolve(reply: SubjectReply): void; reject(error: Error): void } | undefined;
    proc.on('message', (reply: SubjectReply) => {
      const waiting = pending;
      pending = undefined;
      waiting?.resolve(reply);
    });
    proc.on('exit', (code, signal) => {
      const waiting = pending;
      pending = undefined;
      waiting?.reject(new Error(`subject process ${index} of ${def.name} exited with ${signal ?? `code ${code}`}`));
    });
    proc.send({ file, name: def.name, kafkaBrokers, quick: quickRun, subject: index } satisfies SubjectRequest);
    const command = (cmd: SubjectCommand): Promise<SubjectReply> =>
      new Promise<SubjectReply>((resolve, reject) => {
        pending = { resolve, reject };
        proc.send(cmd);
      }).then((reply) => {
        if (!reply.ok) throw new Error(`subject ${subjects[index]!.label} of ${def.name}: ${reply.error}`);
        return reply;
      });
    return { proc, command };
  });
  const runners = children.map(
    ({ command }): SubjectRunner => ({
      setup: async () => void (await command('setup')),
      warmup: async () => void (await command('warmup')),
      round: async (samples) => {
        const reply = await command('round');
        for (const sample of reply.samples ?? []) samples.push(sample);
        return { calls: reply.calls!, elapsedMs: reply.elapsedMs! };
      },
      teardown: async () => {
        await command('teardown').catch(() => undefined);
      },
    }),
  );
  return {
    runners,
    setup: async () => undefined,
    teardown: async () => {
      // A subject process that does not exit once torn down is killed: it must not hold up the run.
      await Promise.all(
        children.map(
          ({ proc }) =>
            new Promise<void>((resolve) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
              const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
              proc.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              if (proc.connected) proc.disconnect();
            }),
        ),
      );
    },
  };
}

/** A subject's process (`--subject`): the benchmark's setup and one subject, driven command by command. */
async function subjectChild(): Promise<void> {
  // Every message is queued from the start: commands may arrive while the benchmark file loads.
  const queue: unknown[] = [];
  let wake: (() => void) | undefined;
  process.on('message', (message) => {
    queue.push(message);
    wake?.();
  });
  const next = async (): Promise<unknown> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift();
  };
  const request = (await next()) as SubjectRequest;
  const found = (await load(request.file)).find((d) => d.name === request.name);
  if (!found) throw new Error(`${request.file} has no benchmark ${request.name}`);
  const def = request.quick ? quick(found) : found;
  const subject = [def.project, ...def.baselines][request.subject]!;
  let ctx: unknown;
  const reply = (message: SubjectReply): Promise<void> => new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
  for (;;) {
    const cmd = (await next()) as SubjectCommand;
    try {
      if (cmd === 'setup') {
        ctx = def.setup ? await def.setup({ kafkaBrokers: request.kafkaBrokers }) : undefined;
        await subject.setup?.(ctx);
        await reply({ ok: true });
      } else if (cmd === 'warmup') {
        await warmupSubject(def, subject, ctx);
        await reply({ ok: true });
      } else if (cmd === 'round') {
        const samples = new Samples();
        const { calls, elapsedMs } = await runRound(def, subject, ctx, samples);
        await reply({ ok: true, calls, elapsedMs, samples: Array.from(samples.sorted()) });
      } else {
        await subject.teardown?.(ctx);
        await def.teardown?.(ctx);
        await reply({ ok: true });
        break;
      }
    } catch (error) {
      await reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }
  process.disconnect();
}

async function runBenchmark(def: BenchmarkDefinition<any>, kafkaBrokers: string[], file?: string, quickRun = false): Promise<BenchmarkResult> {
  const subjects = [def.project, ...def.baselines];
  const rates = subjects.map(() => [] as number[]);
  const samples = subjects.map(() => new Samples());
  const { runners, setup, teardown } = def.processPerSubject && file !== undefined ? processRunners(file, def, kafkaBrokers, quickRun) : localRunners(def, kafkaBrokers);
  try {
    await setup();
    for (const runner of runners) await runner.setup();
    for (const runner of runners) await runner.warmup();
    const rounds = def.rounds ?? 5;
    for (let round = 0; round < rounds; round++) {
      // Alternate the order every round so neither side always runs first (or after a GC-heavy peer).
      const order = subjects.map((_, i) => (round % 2 === 0 ? i : subjects.length - 1 - i));
      for (const i of order) {
        const { calls, elapsedMs } = await runners[i]!.round(samples[i]!);
        rates[i]!.push(((calls * (def.opsPerCall ?? 1)) / elapsedMs) * 1000);
      }
    }
  } finally {
    for (const runner of runners) await runner.teardown();
    await teardown();
  }
  const results: SubjectResult[] = subjects.map((subject, i) => {
    const sorted = samples[i]!.sorted();
    return {
      label: subject.label,
      ...(subject.config !== undefined ? { config: subject.config } : {}),
      opsPerSec: median(rates[i]!),
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      samples: sorted.length,
      roundRates: rates[i]!.map((rate) => Math.round(rate)),
    };
  });
  const ratioOf = def.ratioOf ?? 'throughput';
  const projectRatioTo = (i: number): number => {
    const other = results[i]!;
    if (ratioOf === 'throughput') return median(rates[0]!.map((rate, round) => rate / rates[i]![round]!));
    return ratioOf === 'p50' ? results[0]!.p50Ms / other.p50Ms : results[0]!.p99Ms / other.p99Ms;
  };
  const [project, ...baselines] = results.map((r, i) => {
    if (i === 0) return r;
    const projectRatio = projectRatioTo(i);
    const peerTarget = subjects[i]!.target;
    return { ...r, projectRatio, ...(peerTarget ? { target: peerTarget, targetMet: meetsTarget(peerTarget, projectRatio) } : {}) };
  }) as [SubjectResult, ...SubjectResult[]];
  const reference = baselines[0];
  let ratio = NaN;
  let roundRatios: number[] | undefined;
  if (reference) {
    if (ratioOf === 'throughput') {
      // Each round's project rate over the same round's baseline rate: the two ran back to back, so a
      // slow spell of the machine (CPU steal on a VM, a noisy neighbour) hits both sides of a pair.
      // The headline is the median of these paired ratios, which drift between rounds cannot skew.
      roundRatios = rates[0]!.map((rate, round) => rate / rates[1]![round]!);
      ratio = median(roundRatios);
    } else {
      ratio = ratioOf === 'p50' ? project.p50Ms / reference.p50Ms : project.p99Ms / reference.p99Ms;
    }
  }
  const target = def.target;
  const targetMet = target ? meetsTarget(target, ratio) : undefined;
  const ratioRange = roundRatios ? ([Math.min(...roundRatios), Math.max(...roundRatios)] as const) : undefined;
  return { name: def.name, description: def.description, project, baselines, ratio, ratioOf, ratioRange, target, targetMet };
}

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '-';
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

/** Per-round ratio range, and each fork's ratio when there were several. */
function spread(r: BenchmarkResult): string {
  const parts: string[] = [];
  if (r.ratioRange) parts.push(`rounds ${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)}`);
  if (r.forkRatios) parts.push(`forks ${r.forkRatios.map((x) => x.toFixed(2)).join('/')}`);
  return parts.join('; ');
}

function printTable(results: BenchmarkResult[]): void {
  const rows: string[][] = [['benchmark', 'subject', 'ops/s', 'p50 ms', 'p99 ms', 'ratio', 'spread', 'target']];
  for (const r of results) {
    if (r.error) {
      rows.push([r.name, 'ERROR', r.error.split('\n')[0]!.slice(0, 80), '', '', '', '', '']);
      continue;
    }
    const targetOf = (t: SubjectResult['target'], met: boolean | undefined): string => (t ? `${targetText(t)} ${met ? 'met' : 'MISSED'}` : '');
    const all = [r.project, ...r.baselines];
    all.forEach((s, i) =>
      rows.push([
        i === 0 ? r.name : '',
        s.label,
        fmt(s.opsPerSec),
        s.p50Ms.toFixed(3),
        s.p99Ms.toFixed(3),
        i === 0
          ? `${r.ratio.toFixed(2)}x ${r.ratioOf === 'throughput' ? '' : r.ratioOf}`.trim()
          : i > 1 && s.projectRatio !== undefined
            ? `(${s.projectRatio.toFixed(2)}x)`
            : '',
        i === 0 ? spread(r) : '',
        i === 0 ? targetOf(r.target, r.targetMet) : targetOf(s.target, s.targetMet),
      ]),
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, c) => (c >= 2 && c <= 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const configured = results.filter((r) => [r.project, ...r.baselines].some((s) => s.config));
  if (configured.length === 0) return;
  console.log('\nconfigurations:');
  for (const r of configured) {
    console.log(`  ${r.name}`);
    for (const s of [r.project, ...r.baselines]) if (s.config) console.log(`    ${s.label}: ${s.config}`);
  }
}

/** One result from several forks: the fork with the median ratio, with every fork's ratio and the widest round range. */
function combineForks(runs: BenchmarkResult[]): BenchmarkResult {
  if (runs.length === 1) return runs[0]!;
  const sorted = [...runs].sort((a, b) => a.ratio - b.ratio);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const ranges = runs.flatMap((r) => (r.ratioRange ? [r.ratioRange] : []));
  return {
    ...middle,
    forkRatios: runs.map((r) => r.ratio),
    ...(ranges.length ? { ratioRange: [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))] as const } : {}),
  };
}

interface ChildRequest {
  readonly file: string;
  readonly name: string;
  readonly kafkaBrokers: string[];
  readonly quick: boolean;
}

interface SubjectRequest extends ChildRequest {
  /** Index in [project, ...baselines]. */
  readonly subject: number;
}

/** Runs one benchmark in a fresh process started from this file; the result comes back over IPC. */
function runIsolated(file: string, def: BenchmarkDefinition<any>, kafkaBrokers: string[], quickRun: boolean): Promise<BenchmarkResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: BenchmarkResult | undefined;
    child.on('message', (message: BenchmarkResult) => {
      result = message;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`benchmark process for ${def.name} exited with ${signal ?? `code ${code}`} before reporting`));
    });
    child.send({ file, name: def.name, kafkaBrokers, quick: quickRun } satisfies ChildRequest);
  });
}

/** The `--quick` form of a benchmark: one short measured round after a short warm-up. */
function quick(def: BenchmarkDefinition<any>): BenchmarkDefinition<any> {
  const { warmupCalls: _warmupCalls, ...rest } = def;
  if (def.callsPerRound !== undefined) return { ...rest, rounds: 1, forks: 1, warmupCalls: 1 };
  return { ...rest, rounds: 1, forks: 1, roundMs: Math.min(def.roundMs ?? 1000, 300), warmupMs: 200 };
}

async function child(): Promise<void> {
  const request = await new Promise<ChildRequest>((resolve) => process.once('message', (m) => resolve(m as ChildRequest)));
  const found = (await load(request.file)).find((d) => d.name === request.name);
  if (!found) throw new Error(`${request.file} has no benchmark ${request.name}`);
  const def = request.quick ? quick(found) : found;
  const result = await runBenchmark(def, request.kafkaBrokers, request.file, request.quick);
  await new Promise<void>((resolve, reject) => process.send!(result, (error: Error | null) => (error ? reject(error) : resolve())));
  process.disconnect();
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const isolate = !process.argv.includes('--in-process');
  const quickRun = process.argv.includes('--quick');
  const forksArg = process.argv.find((a) => a.startsWith('--forks='));
  const forksFlag = forksArg === undefined ? undefined : Number(forksArg.slice('--forks='.length));
  if (forksFlag !== undefined && !(Number.isInteger(forksFlag) && forksFlag >= 1)) throw new Error(`--forks must be a positive integer, got ${forksArg}`);
  const all: BenchmarkDefinition<any>[] = [];
  const fileOf = new Map<BenchmarkDefinition<any>, string>();
  for (const file of discover()) {
    for (const def of await load(file)) {
      all.push(def);
      fileOf.set(def, file);
    }
  }
  const names = new Set<string>();
  for (const def of all) {
    if (names.has(def.name)) throw new Error(`duplicate benchmark name ${def.name}`);
    names.add(def.name);
  }
  const selected = filters.length ? all.filter((d) => filters.some((f) => d.name.startsWith(f))) : all;
  const unnamed = selected.flatMap((d) => d.baselines.filter((b) => !b.config?.trim()).map((b) => `${d.name}: ${b.label}`));
  if (unnamed.length) {
    console.error(`every baseline must name its configuration (\`config\`); missing in:\n  ${unnamed.join('\n  ')}`);
    process.exit(2);
  }
  if (selected.length === 0) {
    console.error(`no benchmark matches ${filters.join(' ')}; known: ${[...names].join(', ')}`);
    process.exit(2);
  }
  let broker: { brokers: string[]; stop(): Promise<void> } | undefined;
  let kafkaBrokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
  if (selected.some((d) => d.needsKafka) && kafkaBrokers.length === 0) {
    const { startBroker } = (await import(pathToFileURL(path.join(root, 'tools/kafka/broker.mjs')).href)) as {
      startBroker(): Promise<{ brokers: string[]; stop(): Promise<void> }>;
    };
    console.log('starting a local Kafka broker for the Kafka benchmarks…');
    broker = await startBroker();
    kafkaBrokers = broker.brokers;
    process.env['KAFKA_BROKERS'] = kafkaBrokers.join(',');
  }
  const results: BenchmarkResult[] = [];
  try {
    for (const def of selected) {
      process.stdout.write(`running ${def.name} …\n`);
      try {
        if (!isolate) {
          results.push(await runBenchmark(quickRun ? quick(def) : def, kafkaBrokers));
          continue;
        }
        const forks = quickRun ? 1 : (forksFlag ?? def.forks ?? 1);
        const runs: BenchmarkResult[] = [];
        for (let fork = 0; fork < forks; fork++) runs.push(await runIsolated(fileOf.get(def)!, def, kafkaBrokers, quickRun));
        results.push(combineForks(runs));
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`  ${def.name} failed: ${message}`);
        const empty = { label: def.project.label, opsPerSec: NaN, p50Ms: NaN, p99Ms: NaN, samples: 0 };
        results.push({ name: def.name, description: def.description, project: empty, baselines: [], ratio: NaN, ratioOf: def.ratioOf ?? 'throughput', error: message });
      }
    }
  } finally {
    await broker?.stop();
  }
  console.log('');
  printTable(results);
  const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
  console.log(`\nmachine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);
  if (quickRun) console.log('--quick: one short round per subject; smoke numbers, not results');
  const out = path.join(root, 'tmp', 'bench', 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const createdAt = new Date().toISOString();
  const json = JSON.stringify({ createdAt, machine, quick: quickRun, filters, results }, null, 2);
  fs.writeFileSync(out, json);
  // Every run is kept as well, for `npm run bench:summary` (the medians of several full runs).
  const kept = path.join(root, 'tmp', 'bench', 'runs', `${createdAt.replace(/[:.]/g, '-')}${quickRun ? '-quick' : ''}.json`);
  fs.mkdirSync(path.dirname(kept), { recursive: true });
  fs.writeFileSync(kept, json);
  console.log(`results written to ${path.relative(root, out)} and ${path.relative(root, kept)}`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

if (process.argv.includes('--subject')) await subjectChild();
else if (process.argv.includes('--child')) await child();
else await main();
