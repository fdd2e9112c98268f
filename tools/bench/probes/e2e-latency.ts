// Probe, not a benchmark: where the time of e2e.ingress-kafka-consumer goes. Runs both sides of that
// benchmark alternately for 3 rounds of 2 s with C concurrent requests (default 4) and prints, per side, the
// median time from POST to the HTTP response and from POST to the consumer having read all 50 records.
// Run: KAFKA_BROKERS=127.0.0.1:9092 C=1 npx tsx --tsconfig tsconfig.base.json tools/bench/probes/e2e-latency.ts
import { benchmarks } from '../../../e2e/bench/pipeline.bench.js';
const def = benchmarks[0]!;
const ctx: any = await def.setup!({ kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',') } as any);
await def.project.setup?.(ctx); await def.baselines[0]!.setup?.(ctx);
// wrap fetch to time the HTTP part
const realFetch = globalThis.fetch; let httpMs: number[] = [];
globalThis.fetch = (async (...a: Parameters<typeof fetch>) => { const t = performance.now(); const r = await realFetch(...a); await r.clone().arrayBuffer(); httpMs.push(performance.now() - t); return r; }) as typeof fetch;
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (let round = 0; round < 3; round++) for (const [name, sub] of [['ours', def.project], ['base', def.baselines[0]!]] as const) {
  httpMs = []; const total: number[] = [];
  const end = performance.now() + 2000;
  await Promise.all(Array.from({ length: Number(process.env.C ?? 4) }, async () => { while (performance.now() < end) { const t = performance.now(); await sub.run(ctx); total.push(performance.now() - t); } }));
  console.log(name, 'calls', total.length, 'http p50', med(httpMs).toFixed(2), 'total p50', med(total).toFixed(2));
}
await def.project.teardown?.(ctx); await def.baselines[0]!.teardown?.(ctx); process.exit(0);
