import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { MemoryAdapter } from '../adapters/memory-adapter.js';
import { HttpAdapter } from '../adapters/http-adapter.js';
import { CommunicationBridge } from '../communication-bridge.js';
import { IngressServer } from './ingress-server.js';
import { INGRESS_ROUTES } from './ingress-routes.js';

/**
 * Validates a document with @seriousme/openapi-schema-validator in a child Node process: the package
 * is ESM with `import.meta`, which Jest's CommonJS transform cannot load.
 */
function validateOpenApi(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const entry = pathToFileURL(require.resolve('@seriousme/openapi-schema-validator')).href;
  const script = `
    const { Validator } = await import(${JSON.stringify(entry)});
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const result = await new Validator().validate(JSON.parse(text));
    process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors }));`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) =>
      error ? reject(new Error(`validator failed: ${stderr}`)) : resolve(JSON.parse(stdout) as { valid: boolean }),
    );
    child.stdin?.end(JSON.stringify(doc));
  });
}

type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };

describe('GET /openapi', () => {
  let bridge: CommunicationBridge;
  let ingress: IngressServer;

  afterEach(async () => {
    await bridge?.close();
    await ingress?.close();
  });

  async function fetchDoc(): Promise<{ status: number; type: string | null; doc: Doc }> {
    ingress = new IngressServer();
    bridge = new CommunicationBridge({ adapters: [new MemoryAdapter(), new HttpAdapter({ ingress })] });
    await bridge.createBridge('orders', 'http', 'memory', { sourceEndpoint: '/orders/in', targetEndpoint: 'sink' });
    const response = await fetch(`${ingress.address().url}/openapi`);
    return { status: response.status, type: response.headers.get('content-type'), doc: (await response.json()) as Doc };
  }

  it('serves an OpenAPI 3 document that a real OpenAPI validator accepts', async () => {
    const { status, type, doc } = await fetchDoc();
    expect(status).toBe(200);
    expect(type).toBe('application/json');
    expect(doc.openapi).toMatch(/^3\.0\./);
    const result = await validateOpenApi(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is generated from the route table the router uses, plus each registered sourceEndpoint path', async () => {
    const { doc } = await fetchDoc();
    const fixed = INGRESS_ROUTES.filter((r) => r.kind !== 'endpoint');
    expect(Object.keys(doc.paths).sort()).toEqual([...fixed.map((r) => r.path), '/orders/in'].sort());
    for (const route of fixed) {
      expect(Object.keys(doc.paths[route.path] ?? {}).sort()).toEqual(route.methods.map((m) => m.toLowerCase()).sort());
    }
    const produce = doc.paths['/topics/{topic}/partitions/{partitionid}']?.['post']?.requestBody?.content ?? {};
    expect(Object.keys(produce)).toEqual(
      expect.arrayContaining([
        'application/vnd.kafka.json.v2+json',
        'application/vnd.kafka.binary.v2+json',
        'application/vnd.kafka.text.v2+json',
      ]),
    );
  });

  it('is refused by the validator when broken, so the check above can fail', async () => {
    const { doc } = await fetchDoc();
    const broken = { ...doc, paths: { ...doc.paths, '/health': { get: { summary: 'no responses' } } } };
    const result = await validateOpenApi(broken);
    expect(result.valid).toBe(false);
  });

  it('answers every documented GET route with a status the document lists for it', async () => {
    const { doc } = await fetchDoc();
    const base = ingress.address().url;
    for (const route of INGRESS_ROUTES.filter((r) => r.methods.includes('GET'))) {
      const response = await fetch(`${base}${route.path}`);
      await response.arrayBuffer();
      expect([route.path, Object.keys((doc.paths[route.path]?.['get'] as { responses: object }).responses)]).toEqual([
        route.path,
        expect.arrayContaining([String(response.status)]),
      ]);
    }
  });
});
