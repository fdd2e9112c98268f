// The demo's SDK sends its spans to any OpenTelemetry backend named by OTEL_EXPORTER_OTLP_ENDPOINT
// (OTLP/HTTP JSON): here a loopback server stands in for the backend.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startTsx, workspaceRoot } from './support/child.js';

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('the demo SDK with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let server: Server;
  let origin: string;
  let received: Received[];

  beforeEach(async () => {
    received = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs the probe (the demo's SDK, one traced GET) in a tsx child process, as the demo runs; returns its trace id. */
  async function traceOneRequest(env: Record<string, string>): Promise<string> {
    const child = startTsx(path.join(workspaceRoot, 'e2e/src/demo/otlp-probe.ts'), env, [`${origin}/ping`]);
    const code = await child.exited;
    expect({ code, stderr: code === 0 ? '' : child.stderr().slice(-2000) }).toEqual({ code: 0, stderr: '' });
    return child.stdout().trim();
  }

  it('sends the spans of every package to the backend over OTLP/HTTP', async () => {
    const traceId = await traceOneRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: origin });
    const exports = received.filter((r) => r.url === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    const body = exports.map((r) => r.body).join('\n');
    expect(exports[0]?.headers['content-type']).toContain('application/json');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(body).toContain(traceId);
    expect(body).toContain('"name":"@onex/http"');
    expect(body).toContain('"name":"otlp probe"');
  }, 60_000);

  it('sends nothing without the variable (the control)', async () => {
    await traceOneRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    expect(received.map((r) => r.url)).toEqual(['/ping']);
  }, 60_000);
});
