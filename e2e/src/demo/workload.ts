// The sample workload: events POSTed to the ingress in batches through @onex/http, paced so the
// webhook outage happens in the middle of it.
import { randomUUID } from 'node:crypto';
import type { HttpClient } from '@onex/http';
import type { DemoEvent } from './enrich.js';

const KINDS = ['order_created', 'user_login', 'payment_failed', 'page_view'] as const;
const REGIONS = ['eu', 'us', 'apac'] as const;

/** Builds the i-th sample event (deterministic except for id and time). */
export function sampleEvent(i: number, runId: string): DemoEvent {
  const kind = KINDS[i % KINDS.length] ?? 'page_view';
  const base = { id: `${runId}-${i}`, event: kind, user_id: `user-${i % 17}`, region: REGIONS[i % REGIONS.length] ?? 'eu', sentAt: Date.now() };
  return kind === 'order_created' || kind === 'payment_failed' ? { ...base, amount: ((i * 37) % 250) + 0.5 } : base;
}

/** The route the ingress rules pick for an event (mirrors `routingRules`). */
export function expectedRoute(event: DemoEvent): 'orders' | 'logins' | 'alerts' | 'other' {
  if (event.event === 'order_created') return 'orders';
  if (event.event === 'user_login') return 'logins';
  if (event.event === 'payment_failed' || (event.amount ?? 0) > 1000) return 'alerts';
  return 'other';
}

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  readonly ingressUrl: string;
  readonly client: HttpClient;
  readonly events: number;
  readonly batchSize: number;
  /** Pause between batches, ms. */
  readonly pauseMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Called after each batch with the number of events accepted so far. */
  readonly onProgress?: (accepted: number) => void;
}

/** Result of {@link runWorkload}. */
export interface WorkloadResult {
  readonly runId: string;
  readonly sent: DemoEvent[];
  /** Events answered with success in the ingress response. */
  readonly accepted: number;
  /** Client-side latency of each POST, ms. */
  readonly requestLatencies: number[];
}

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const runId = randomUUID().slice(0, 8);
  const sent: DemoEvent[] = [];
  const requestLatencies: number[] = [];
  let accepted = 0;
  for (let start = 0; start < options.events; start += options.batchSize) {
    const batch: DemoEvent[] = [];
    for (let i = start; i < Math.min(options.events, start + options.batchSize); i++) batch.push(sampleEvent(i, runId));
    const began = performance.now();
    const response = await options.client.post(`${options.ingressUrl}/events`, {
      json: { records: batch.map((value) => ({ value })) },
      headers: { ...options.headers },
      timeoutSeconds: 30,
    });
    requestLatencies.push(performance.now() - began);
    if (response.statusCode !== 200 && response.statusCode !== 207) {
      throw new Error(`ingress answered ${response.statusCode}: ${response.text()}`);
    }
    const body = response.json() as { offsets: { success: boolean }[] };
    accepted += body.offsets.filter((o) => o.success).length;
    sent.push(...batch);
    options.onProgress?.(accepted);
    if (options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return { runId, sent, accepted, requestLatencies };
}
