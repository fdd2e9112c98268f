// Benchmarks of @onex/bridge: rule evaluation vs a hand-written predicate, in-process sends to
// the memory target, and the HTTP ingress vs a bare node:http handler doing the same parse.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { BenchmarkDefinition } from '../../../tools/bench/types.js';
import { CommunicationBridge, HttpAdapter, IngressServer, MemoryAdapter, RuleEngine } from '../src/index.js';

const RULE = "payload.event == 'user_login' && payload.amount > 100 && headers.region == 'eu'";
const contexts = Array.from({ length: 64 }, (_, i) => ({
  payload: { event: i % 2 ? 'user_login' : 'order_created', amount: i * 10, user_id: `u${i}` },
  headers: { region: i % 3 ? 'eu' : 'us' },
  metadata: {},
  key: null,
}));
const EVALS = 1000;

interface RuleCtx {
  evaluate: (c: (typeof contexts)[number]) => unknown;
}

const ruleEval: BenchmarkDefinition<RuleCtx> = {
  name: 'bridge.rule-eval',
  description: `CEL condition (${RULE}) vs the same predicate hand-written in JS, ${EVALS} evaluations per call`,
  setup: () => ({ evaluate: new RuleEngine().compile(RULE, 'bench').evaluate }),
  opsPerCall: EVALS,
  rounds: 5,
  roundMs: 1000,
  project: {
    label: 'RuleEngine (CEL)',
    run: (ctx) => {
      let hits = 0;
      for (let i = 0; i < EVALS; i += 1) if (ctx.evaluate(contexts[i & 63]!) === true) hits += 1;
      return hits;
    },
  },
  baselines: [
    {
      label: 'hand-written JS predicate',
      config: 'the same rule as inline property tests, same 64 contexts',
      run: () => {
        let hits = 0;
        for (let i = 0; i < EVALS; i += 1) {
          const c = contexts[i & 63]!;
          if (c.payload.event === 'user_login' && c.payload.amount > 100 && c.headers.region === 'eu') hits += 1;
        }
        return hits;
      },
    },
  ],
};

interface SendCtx {
  bridge: CommunicationBridge;
  memory: MemoryAdapter;
  id: string;
  sink: string[];
}

const BATCH = 100;

const sendMemory: BenchmarkDefinition<SendCtx> = {
  name: 'bridge.send-memory',
  description: `sendMessageThroughBridge to the memory target with one routing rule, ${BATCH} concurrent sends per call, vs JSON.stringify into an array`,
  setup: async () => {
    const memory = new MemoryAdapter({ maxRetained: 1000 });
    const bridge = new CommunicationBridge({ adapters: [memory] });
    const id = await bridge.createBridge('bench', 'memory', 'memory', { sourceEndpoint: 'in', targetEndpoint: 'out', concurrency: 64 });
    await bridge.configureBridgeRouting(id, [{ condition: "payload.event == 'user_login'", targetEndpoint: 'logins' }]);
    return { bridge, memory, id, sink: [] };
  },
  teardown: (ctx) => ctx.bridge.close(),
  opsPerCall: BATCH,
  project: {
    label: 'CommunicationBridge → memory',
    run: async (ctx) => {
      const sends = [];
      for (let i = 0; i < BATCH; i += 1) sends.push(ctx.bridge.sendMessageThroughBridge(ctx.id, { payload: contexts[i & 63]!.payload, headers: contexts[i & 63]!.headers }));
      await Promise.all(sends);
    },
  },
  baselines: [
    {
      label: 'JSON.stringify + array push',
      config: 'serialise the payload and keep it in an array (trimmed past 10,000), no routing, no retries',
      run: async (ctx) => {
        for (let i = 0; i < BATCH; i += 1) ctx.sink.push(JSON.stringify(contexts[i & 63]!.payload));
        if (ctx.sink.length > 10_000) ctx.sink.length = 0;
      },
    },
  ],
};

interface IngressCtx {
  bridge: CommunicationBridge;
  ingress: IngressServer;
  bare: Server;
  bridgePool: Pool;
  barePool: Pool;
  received: unknown[];
}

const BODY = JSON.stringify({ records: [{ key: 'u1', value: { event: 'user_login', amount: 150, user_id: 'u1' } }] });

async function post(pool: Pool, path: string): Promise<void> {
  const response = await pool.request({ method: 'POST', path, body: BODY, headers: { 'content-type': 'application/json' } });
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  await response.body.text();
}

const ingressMemory: BenchmarkDefinition<IngressCtx> = {
  name: 'bridge.ingress-memory',
  description: 'HTTP POST { records: [1] } → IngressServer → bridge → memory target, vs a bare node:http handler that parses the same body and answers the same shape (16 concurrent keep-alive clients)',
  setup: async () => {
    const ingress = new IngressServer({ maxInFlight: 1024 });
    const memory = new MemoryAdapter({ maxRetained: 1000 });
    const bridge = new CommunicationBridge({ adapters: [memory, new HttpAdapter({ ingress })] });
    await bridge.createBridge('ingress-bench', 'http', 'memory', { sourceEndpoint: '/events', targetEndpoint: 'sink', concurrency: 64 });
    const received: unknown[] = [];
    const bare = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers['content-type'] !== 'application/json') {
          res.writeHead(415).end();
          return;
        }
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: { value: unknown }[] };
        const offsets = parsed.records.map((r) => {
          received.push(JSON.stringify(r.value));
          if (received.length > 1000) received.length = 0;
          return { success: true, messageId: `sink/${received.length}`, attempts: 1 };
        });
        const text = JSON.stringify({ offsets });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bridgePool = new Pool(ingress.address().url, { connections: 16 });
    const barePool = new Pool(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`, { connections: 16 });
    return { bridge, ingress, bare, bridgePool, barePool, received };
  },
  teardown: async (ctx) => {
    await ctx.bridgePool.close();
    await ctx.barePool.close();
    await ctx.bridge.close();
    await ctx.ingress.close();
    await new Promise((resolve) => ctx.bare.close(resolve));
  },
  concurrency: 16,
  // Both sides get the same long warm-up (the bridge has more code for the JIT to settle), then ten
  // alternating rounds so that drift of a shared machine hits both sides of each pair.
  warmupCalls: 3000,
  rounds: 10,
  roundMs: 700,
  target: { minRatio: 0.7 },
  project: { label: 'IngressServer → bridge → memory', run: (ctx) => post(ctx.bridgePool, '/events') },
  baselines: [
    {
      label: 'bare node:http + JSON.parse',
      config: 'node:http server, content-type check, JSON.parse, the same response shape; same undici Pool of 16 connections',
      run: (ctx) => post(ctx.barePool, '/'),
    },
  ],
};

export const benchmarks: BenchmarkDefinition<any>[] = [ruleEval, sendMemory, ingressMemory];
