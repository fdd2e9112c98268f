// `npm run bench:summary [run.json…]`: the medians of several benchmark runs as one Markdown table.
// Without arguments it reads the newest three full runs (not `--quick`) in tmp/bench/runs/ that ran every
// benchmark (no name filter). Per benchmark and subject: the median ops/s over the runs; per ratio (the
// headline ratio against the first baseline, and ours against every further baseline): the median over
// the runs with the lowest and highest run, and in how many runs its target was met. A run in which a
// benchmark failed counts as a miss of its targets; the table says so. Nothing is asserted.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { meetsTarget, targetText } from './targets.js';
import type { BenchmarkResult } from './types.js';

interface Run {
  readonly file: string;
  readonly createdAt: string;
  readonly quick: boolean;
  readonly filters?: readonly string[];
  readonly machine: { readonly cores: number; readonly cpu: string; readonly node: string };
  readonly results: readonly BenchmarkResult[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const x = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '-');

function readRuns(files: readonly string[]): Run[] {
  return files.map((file) => ({ file, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<Run, 'file'>) }));
}

function newestFullRuns(count: number): Run[] {
  const dir = path.join(root, 'tmp', 'bench', 'runs');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().reverse() : [];
  const runs = readRuns(files.map((f) => path.join(dir, f))).filter((run) => !run.quick && (run.filters ?? []).length === 0);
  return runs.slice(0, count).reverse();
}

/** One ratio over the runs: median, range, and target hits. */
function ratioCell(values: readonly number[], runs: number, target: BenchmarkResult['target']): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'no result';
  const range = finite.length > 1 ? ` (${x(Math.min(...finite))}–${x(Math.max(...finite))})` : '';
  const met = target ? `; ${targetText(target)} met in ${finite.filter((v) => meetsTarget(target, v)).length} of ${runs}` : '';
  const verdict = target ? (meetsTarget(target, median(finite)) && finite.length === runs ? ' ✓' : ' **MISSED**') : '';
  return `${x(median(finite))}${range}${met}${verdict}`;
}

export function summarize(runs: readonly Run[]): string {
  const lines: string[] = [];
  const names: string[] = [];
  for (const run of runs) for (const r of run.results) if (!names.includes(r.name)) names.push(r.name);
  lines.push('| benchmark | ours, median ops/s | baselines, median ops/s | ratio: median (lowest–highest run); target |', '|---|---|---|---|');
  for (const name of names) {
    const results = runs.map((run) => run.results.find((r) => r.name === name && !r.error));
    const ok = results.filter((r): r is BenchmarkResult => r !== undefined);
    const failed = runs.length - ok.length;
    const first = ok[0];
    if (first === undefined) {
      lines.push(`| \`${name}\` | failed in every run | | |`);
      continue;
    }
    const latency = first.ratioOf !== 'throughput';
    const figure = (s: BenchmarkResult['project']): number => (latency ? (first.ratioOf === 'p50' ? s.p50Ms : s.p99Ms) : s.opsPerSec);
    const unit = latency ? ` ms ${first.ratioOf}` : '';
    const ours = `${first.project.label}: ${latency ? median(ok.map((r) => figure(r.project))).toFixed(3) : int(median(ok.map((r) => figure(r.project))))}${unit}`;
    const baselines = first.baselines
      .map((b, i) => {
        const values = ok.map((r) => r.baselines[i]).filter((s) => s !== undefined).map(figure);
        return `${b.label}: ${latency ? median(values).toFixed(3) : int(median(values))}${unit}`;
      })
      .join('; ');
    const ratios = [`vs ${first.baselines[0]?.label ?? '-'}: ${ratioCell(results.map((r) => r?.ratio ?? NaN), runs.length, first.target)}${latency ? ` (${first.ratioOf}, lower is better)` : ''}`];
    first.baselines.slice(1).forEach((b, j) => {
      const values = results.map((r) => r?.baselines[j + 1]?.projectRatio ?? NaN);
      ratios.push(`vs ${b.label}: ${ratioCell(values, runs.length, b.target)}`);
    });
    if (failed > 0) ratios.push(`failed in ${failed} of ${runs.length} runs`);
    lines.push(`| \`${name}\` | ${ours} | ${baselines} | ${ratios.join('<br>')} |`);
  }
  const machine = runs[0]?.machine;
  lines.push(
    '',
    `${runs.length} full runs (${runs.map((run) => run.createdAt).join(', ')})${machine ? `; ${machine.cores} cores (${machine.cpu}), Node ${machine.node}` : ''}.`,
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const runs = files.length > 0 ? readRuns(files) : newestFullRuns(3);
  if (runs.length === 0) {
    console.error('no full benchmark runs in tmp/bench/runs/ (run `npm run bench` first)');
    process.exitCode = 1;
  } else {
    if (runs.length < 3) console.error(`only ${runs.length} full run(s): a summary is the median of at least three`);
    console.log(summarize(runs));
  }
}
