// @onex/http GET (retry policy + @onex/circuit-breaker + metrics) vs raw undici.request (the
// reference), with undici.fetch and axios as reference rows, all with 32 keep-alive connections,
// against a keep-alive node:http server running in a child process (so the server's CPU is not
// charged to the clients). Run: npm run bench -- http
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
// The breaker a user composes with @onex/http: the real registry (SPI defaults: 5 failures, 60 s open),
// one circuit per origin. Composing two adapters is an application's (or a benchmark's) business, not
// the http package's, so the module-boundary rule is lifted for this import only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CircuitBreakerRegistry } from '@onex/circuit-breaker';
import { HttpClient } from '../src/index.js';
import type { BenchmarkDefinition, BenchmarkSubject } from '../../../tools/bench/types.js';

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ id: 1, name: 'bench', tags: ['a', 'b', 'c'] });
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

interface Ctx {
  child: ChildProcess;
  url: string;
  onex?: HttpClient;
  breaker?: CircuitBreakerRegistry;
  agent?: Agent;
  fetchAgent?: Agent;
  axios?: AxiosInstance;
  axiosAgent?: http.Agent;
}

let sink = 0;

function subjects(): { project: BenchmarkSubject<Ctx>; baselines: BenchmarkSubject<Ctx>[] } {
  return {
    project: {
      label: '@onex/http get (retry+@onex/circuit-breaker+metrics)',
      config: 'connections 32, retry 2x on 502/503/504, CircuitBreakerRegistry with SPI defaults, metrics on',
      setup: async (ctx) => {
        ctx.onex = new HttpClient({
          connections: 32,
          retry: { maxRetries: 2, backoffFactor: 0.1, retryOnStatusCodes: [502, 503, 504] },
          circuitBreaker: (ctx.breaker = new CircuitBreakerRegistry()),
        });
      },
      run: async (ctx) => {
        const response = await ctx.onex!.get(ctx.url);
        sink += response.body.byteLength;
      },
      teardown: async (ctx) => {
        await ctx.onex!.close();
        await ctx.breaker!.close();
      },
    },
    baselines: [
      {
        label: 'undici.request',
        config: 'undici Agent, connections 32, keep-alive, body read with body.bytes(); no retry, no breaker',
        setup: (ctx) => {
          ctx.agent = new Agent({ connections: 32 });
        },
        run: async (ctx) => {
          const { body } = await undiciRequest(ctx.url, { dispatcher: ctx.agent! });
          sink += (await body.bytes()).byteLength;
        },
        teardown: async (ctx) => {
          await ctx.agent!.close();
        },
      },
      {
        label: 'undici.fetch',
        config: 'undici fetch on its own Agent, connections 32, keep-alive, arrayBuffer(); reference row',
        setup: (ctx) => {
          ctx.fetchAgent = new Agent({ connections: 32 });
        },
        run: async (ctx) => {
          const response = await undiciFetch(ctx.url, { dispatcher: ctx.fetchAgent! });
          sink += (await response.arrayBuffer()).byteLength;
        },
        teardown: async (ctx) => {
          await ctx.fetchAgent!.close();
        },
      },
      {
        label: 'axios',
        config: 'axios.create on node:http Agent (keepAlive, maxSockets 32), responseType arraybuffer; reference row',
        setup: (ctx) => {
          ctx.axiosAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
          ctx.axios = axios.create({ httpAgent: ctx.axiosAgent, responseType: 'arraybuffer' });
        },
        run: async (ctx) => {
          const response = await ctx.axios!.get<ArrayBuffer>(ctx.url);
          sink += response.data.byteLength;
        },
        teardown: (ctx) => {
          ctx.axiosAgent!.destroy();
        },
      },
    ],
  };
}

async function setup(): Promise<Ctx> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return { child, url: `http://127.0.0.1:${port}/items/1` };
}

async function teardown(ctx: Ctx): Promise<void> {
  const exited = new Promise((resolve) => ctx.child.once('exit', resolve));
  ctx.child.kill('SIGTERM');
  await exited;
  if (sink < 0) console.log(sink);
}

export const benchmarks: BenchmarkDefinition<Ctx>[] = [
  {
    name: 'http.get-keepalive-c8',
    description: 'GET of a 50-byte JSON body over keep-alive, 8 concurrent loops; @onex/http with retry policy, breaker and metrics',
    setup,
    teardown,
    ...subjects(),
    concurrency: 8,
    rounds: 7,
    roundMs: 600,
    warmupCalls: 500,
    target: { minRatio: 0.9 },
  },
  {
    name: 'http.get-keepalive-c1',
    description: 'GET of a 50-byte JSON body over keep-alive, one request at a time (latency-bound)',
    setup,
    teardown,
    ...subjects(),
    concurrency: 1,
    rounds: 7,
    roundMs: 500,
    warmupCalls: 300,
    target: { minRatio: 0.9 },
  },
];
