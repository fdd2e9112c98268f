import { connect } from 'node:net';
import fc from 'fast-check';
import { descriptorFromProtoText } from '../formats/protobuf-descriptor.js';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';
import { SchemaRegistryServer } from './schema-registry-server.js';

/** Statuses the README documents for the server; anything else (above all a 5xx) is a finding. */
const DOCUMENTED = new Set([200, 400, 401, 404, 405, 408, 409, 413, 422, 431]);
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const MAX_BODY = 16 * 1024;

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Writes `request` byte for byte on a fresh connection and reads until the server closes it. */
function exchange(port: number, request: Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that refuses a body may reset the connection after answering; the answer still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      let raw = Buffer.concat(chunks);
      // Skip interim answers (`100 Continue` to `expect: 100-continue`).
      while (
        /^HTTP\/1\.1 1\d\d /.test(raw.subarray(0, 13).toString('latin1')) &&
        raw.indexOf('\r\n\r\n') >= 0
      )
        raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
      const end = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (!status) {
        reject(new Error(`no HTTP response, got ${JSON.stringify(head.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(status[1]), headers, body: raw.subarray(end + 4) });
    });
  });
}

interface FuzzRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer | undefined;
  readonly chunked: boolean;
}

function encode(req: FuzzRequest): Buffer {
  const lines = [
    `${req.method} ${req.target} HTTP/1.1`,
    'host: 127.0.0.1',
    'connection: close',
    ...req.headers.map(([k, v]) => `${k}: ${v}`),
  ];
  if (req.body === undefined)
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), Buffer.from('\r\n\r\n')]);
  lines.push(req.chunked ? 'transfer-encoding: chunked' : `content-length: ${req.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (!req.chunked) return Buffer.concat([head, req.body]);
  return Buffer.concat([
    head,
    Buffer.from(`${req.body.length.toString(16)}\r\n`),
    req.body,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
}

// --- generators -------------------------------------------------------------------------------

const avroName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const avroSchema = fc
  .record({
    name: avroName,
    fields: fc.uniqueArray(avroName, { maxLength: 3 }),
    type: fc.constantFrom('int', 'long', 'string', 'boolean', 'double'),
  })
  .map(({ name, fields, type }) =>
    JSON.stringify({ type: 'record', name, fields: fields.map((f) => ({ name: f, type })) }),
  );
const jsonSchema = fc
  .record({
    props: fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('integer', 'string', 'number', 'boolean'),
      { maxKeys: 3 },
    ),
    open: fc.boolean(),
  })
  .map(({ props, open }) =>
    JSON.stringify({
      type: 'object',
      properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
      additionalProperties: open,
    }),
  );
const protoSchema = fc
  .record({
    name: fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,6}$/),
    fields: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { maxLength: 3 }),
  })
  .map(
    ({ name, fields }) =>
      `syntax = "proto3";\nmessage ${name} {\n${fields.map((f, i) => `  string ${f} = ${i + 1};`).join('\n')}\n}\n`,
  );
/** Base64 FileDescriptorProtos as Confluent's serializers send them: valid, with one byte changed, or random bytes. */
const descriptorSchema = fc.oneof(
  protoSchema.map((text) => descriptorFromProtoText(text, [], 'fuzz.proto')),
  fc.tuple(protoSchema, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([text, at, value]) => {
    const bytes = Buffer.from(descriptorFromProtoText(text, [], 'fuzz.proto'), 'base64');
    bytes[at % bytes.length] = value;
    return bytes.toString('base64');
  }),
  fc.uint8Array({ minLength: 1, maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('base64')),
);
/** Any UTF-16 code unit, lone surrogates included (a JSON `\ud800` escape decodes to one). */
const utf16Unit = fc.oneof(
  fc.constantFrom('\ud800', '\udfff', '\ud83d'),
  fc.integer({ min: 0x20, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const schemaType = fc.constantFrom<unknown>('AVRO', 'JSON', 'PROTOBUF', undefined, 'avro', 'XML', 7, null, [
  'AVRO',
]);
/** JSON nested `n` levels deep, as arrays, objects or JSON Schema `items`; deep enough to overflow a recursive parser. */
const deep = fc
  .tuple(
    fc.oneof(fc.nat({ max: 300 }), fc.noBias(fc.integer({ min: 1000, max: 30_000 }))),
    fc.constantFrom('[', '{"a":', '{"type":"array","items":'),
  )
  .map(([n, open]) => `${open.repeat(n)}${open === '[' ? '' : '{}'}${(open === '[' ? ']' : '}').repeat(n)}`);

/** A subject as the registry will hold it (decoded), and how it is written in a path. */
const subject = fc
  .oneof(
    fc.constantFrom(
      's',
      'a/b',
      'a%2Fb',
      'a%252Fb',
      'été',
      '..',
      '.',
      'x y',
      '?',
      '#',
      '+',
      'versions',
      '\u0000',
      '\ud83d\ude00',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 6 }),
  )
  .map((name) => ({ name, path: encodeURIComponent(name) }));

const rawSegment = fc.oneof(
  subject.map((s) => s.path),
  fc.constantFrom(
    '%zz',
    '%',
    '%f',
    '%ff',
    '%E0%A4',
    '%ED%A0%80',
    '%C0%AF',
    '%00',
    '%2e%2e',
    '..',
    '',
    'latest',
    '-1',
    '0',
    '1',
    '2',
    '99999999999999999999',
    '1e3',
    '0x1',
    ' 1',
  ),
  fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:@%]{0,12}$/),
);
const literal = fc.constantFrom(
  'subjects',
  'versions',
  'schemas',
  'ids',
  'schema',
  'config',
  'compatibility',
  'types',
  'mode',
  '',
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?deleted=true',
    '?permanent=true',
    '?verbose=true',
    '?defaultToGlobal=true',
    '?format=serialized',
    '?format=nope',
    '?deletedOnly=true',
    '?normalize=true',
    '?force=true',
    '?key=a&value=b',
    '?deleted=%zz',
    '??',
    '?a=1&&b',
    '#frag',
  ),
  fc.stringMatching(/^\?[A-Za-z0-9=&%+]{0,20}$/),
);
const TEMPLATES = [
  'subjects',
  'subjects/S',
  'subjects/S/versions',
  'subjects/S/versions/V',
  'subjects/S/versions/V/schema',
  'schemas/types',
  'schemas/ids/V',
  'schemas/ids/V/schema',
  'schemas/ids/V/versions',
  'compatibility/subjects/S/versions',
  'compatibility/subjects/S/versions/V',
  'config',
  'config/S',
  'mode',
  'mode/S',
  'subjects/S/metadata',
  'subjects/S/versions/V/referencedby',
  'schemas/ids/V/subjects',
  'schemas/guids/V',
];
/** A known route with random parameters (mostly real subjects and numbers). */
const routeTarget = fc
  .tuple(
    fc.constantFrom(...TEMPLATES),
    fc.oneof(
      subject.map((s) => s.path),
      rawSegment,
    ),
    fc.oneof(fc.constantFrom('1', '2', '3', 'latest'), rawSegment),
    query,
  )
  .map(([template, s, v, q]) => `/${template.replace('S', s).replace('V', v)}${q}`);
const target = fc.oneof(
  { weight: 8, arbitrary: routeTarget },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(fc.oneof(literal, rawSegment), { minLength: 0, maxLength: 6 }), query)
      .map(([segs, q]) => `/${segs.join('/')}${q}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '*',
      'http://x/subjects',
      'https://h:1/config?x',
      'subjects',
      '//subjects//',
      '/subjects/\\x',
      '/a b',
      '/\u00e9',
      '/\u0001',
    ),
  },
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'FOO', 'get', 'G ET', ''),
  },
);
const header = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['content-type', CONTENT_TYPE],
    ['content-type', 'application/json'],
    ['content-type', 'text/plain; charset=latin1'],
    ['content-type', '\u00ff\u00fe'],
    ['accept', '*/*'],
    ['authorization', 'Basic Og=='],
    ['expect', '100-continue'],
    ['content-length', 'abc'],
    ['content-length', '-1'],
    ['content-length', '99999999999999999999'],
    ['transfer-encoding', 'gzip'],
    ['x-a', 'b\u0001c'],
    ['bad header', 'x'],
    ['upgrade', 'websocket'],
    ['connection', 'upgrade'],
  ),
  fc.tuple(fc.stringMatching(/^[a-z-]{1,10}$/), fc.string({ unit: 'binary-ascii', maxLength: 20 })),
  fc.nat({ max: 40_000 }).map((n): [string, string] => ['x-big', 'a'.repeat(n)]),
);
const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          schema: fc.oneof(avroSchema, jsonSchema, protoSchema, descriptorSchema, fc.string({ maxLength: 20 }), deep),
          schemaType,
          references: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
        },
        { requiredKeys: ['schema'] },
      )
      .map((o) => Buffer.from(JSON.stringify(o))),
  },
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('AVRO', 'JSON')
      .chain((t) =>
        avroSchema.map((s) =>
          Buffer.from(
            `{"schema":${JSON.stringify(s)},"schemaType":"${t}","x":1e400,"y":-0,"z":123456789012345678901234567890}`,
          ),
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"compatibility":"NONE"}',
        '{"compatibility":"FULL_TRANSITIVE"}',
        '{"compatibility":"SIDEWAYS"}',
        '{"compatibility":null}',
      )
      .map((s) => Buffer.from(s)),
  },
  { weight: 1, arbitrary: deep.map((d) => Buffer.from(`{"schema":"x","a":${d}}`)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(protoSchema, fc.string({ unit: utf16Unit, maxLength: 4 }))
      .map(([proto, note]) =>
        Buffer.from(JSON.stringify({ schema: `// ${note}\n${proto}`, schemaType: 'PROTOBUF' })),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(deep, fc.constantFrom('AVRO', 'JSON', 'PROTOBUF'))
      .map(([schema, type]) => Buffer.from(JSON.stringify({ schema, schemaType: type }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((b) => Buffer.concat([Buffer.from('{"schema":"'), Buffer.from(b), Buffer.from('"}')])),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_BODY - 8, max: MAX_BODY * 4 })
      .map((n) => Buffer.from(`{"schema":"${'a'.repeat(n)}"}`)),
  },
);
const request: fc.Arbitrary<FuzzRequest> = fc.record({
  method,
  target,
  headers: fc.array(header, { maxLength: 3 }),
  body: fc.option(body, { nil: undefined, freq: 3 }),
  chunked: fc.boolean(),
});

/** Bodies and schema texts of every type nested up to 30,000 levels, as arrays, objects or `items`. */
const deepRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    nesting: deep,
    schemaType: fc.constantFrom('AVRO', 'JSON', 'PROTOBUF'),
    inSchema: fc.boolean(),
    route: fc.constantFrom('subjects/d/versions', 'subjects/d', 'compatibility/subjects/d/versions'),
  })
  .map(({ nesting, schemaType: type, inSchema, route: path }) => ({
    method: 'POST',
    target: `/${path}`,
    headers: [],
    body: Buffer.from(
      inSchema
        ? JSON.stringify({ schema: nesting, schemaType: type })
        : `{"schema":"\\"int\\"","x":${nesting}}`,
    ),
    chunked: false,
  }));

/** Well-formed requests to the routes that read a body, so hostile bodies reach the registry. */
const BODY_ROUTES = [
  ['POST', 'subjects/S/versions'],
  ['POST', 'subjects/S'],
  ['POST', 'compatibility/subjects/S/versions'],
  ['POST', 'compatibility/subjects/S/versions/latest'],
  ['PUT', 'config'],
  ['PUT', 'config/S'],
] as const;
const bodyRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.constantFrom(...BODY_ROUTES.map(([verb, template]) => ({ verb, template }))),
    subject: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('s', 't', 'a/b', 'a%2Fb') },
      { weight: 1, arbitrary: subject.map((x) => x.name) },
    ),
    contentType: fc.constantFrom(CONTENT_TYPE, 'application/json', 'text/plain', undefined),
    body,
    chunked: fc.boolean(),
  })
  .map(({ route: { verb, template }, subject: name, contentType, body: payload, chunked }) => ({
    method: verb,
    target: `/${template.replace('S', encodeURIComponent(name))}`,
    headers: contentType === undefined ? [] : [['content-type', contentType] as const],
    body: payload,
    chunked,
  }));

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function parseOrUndefined(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text ?? '') as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe(`${SchemaRegistryServer.name} fuzz`, () => {
  let registry: InMemorySchemaRegistry;
  let server: SchemaRegistryServer;
  let port: number;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });
  beforeEach(async () => {
    uncaught.length = 0;
    registry = new InMemorySchemaRegistry({ defaultCompatibility: 'NONE' });
    server = new SchemaRegistryServer({ registry, maxBodyBytes: MAX_BODY });
    port = Number(new URL(await server.listen()).port);
  });
  afterEach(async () => {
    await server.close();
    await registry.close();
  });

  const json = (res: RawResponse): unknown => JSON.parse(res.body.toString('utf8'));
  const get = (path: string) =>
    exchange(port, encode({ method: 'GET', target: path, headers: [], body: undefined, chunked: false }));

  /** The properties every answer holds; returns the answer for route-specific checks. */
  const check = async (req: FuzzRequest): Promise<RawResponse> => {
    const res = await exchange(port, encode(req));
    expect({ status: res.status, documented: DOCUMENTED.has(res.status) }).toEqual({
      status: res.status,
      documented: true,
    });
    if (res.status !== 200 && req.method !== 'HEAD') {
      expect(res.headers['content-type']).toBe(CONTENT_TYPE);
      expect(json(res)).toEqual({ error_code: expect.any(Number), message: expect.stringMatching(/\S/) });
    }
    // Anything answered as registered can be read back, under the subject decoded exactly once.
    const registration = /^\/subjects\/([^/?#]+)\/versions$/.exec(req.target);
    if (req.method === 'POST' && registration && res.status === 200) {
      const { id } = json(res) as { id: number };
      expect(Number.isInteger(id)).toBe(true);
      expect((await get(`/schemas/ids/${id}`)).status).toBe(200);
      expect((await get(`/schemas/ids/${id}/schema`)).status).toBe(200);
      // A registered PROTOBUF schema (text or descriptor) is served as a descriptor too.
      if (parseOrUndefined(req.body?.toString('utf8'))?.['schemaType'] === 'PROTOBUF') {
        expect((await get(`/schemas/ids/${id}?format=serialized`)).status).toBe(200);
      }
      const lookup = await exchange(
        port,
        encode({
          method: 'POST',
          target: `/subjects/${registration[1]}`,
          headers: [],
          body: req.body,
          chunked: false,
        }),
      );
      expect({ status: lookup.status, id: (json(lookup) as { id?: number }).id }).toEqual({
        status: 200,
        id,
      });
      expect(json(await get('/subjects'))).toContain(decodeURIComponent(registration[1]!));
    }
    return res;
  };

  it('answers any request line, path and headers with a documented status and a Confluent error body', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (req) => void (await check(req))),
      { numRuns: 300, interruptAfterTimeLimit: 4_000 },
    );
    expect(uncaught).toEqual([]);
    expect((await get('/subjects')).status).toBe(200);
  }, 30_000);

  it('answers deep nesting in bodies and schemas of every type with 4xx, never a stack overflow', async () => {
    await fc.assert(
      fc.asyncProperty(deepRequest, async (req) => void (await check(req))),
      { numRuns: 200, interruptAfterTimeLimit: 4_000 },
    );
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('answers hostile bodies with 200 or a 4xx, never changes them silently, and registered schemas read back', async () => {
    await fc.assert(
      fc.asyncProperty(bodyRequest, async (req) => {
        const res = await check(req);
        // Bytes that are not UTF-8 are refused, never replaced by U+FFFD and stored.
        if (req.body !== undefined && req.body.length <= MAX_BODY && !isUtf8(req.body))
          expect(res.status).toBe(400);
        if (req.body !== undefined && req.body.length > MAX_BODY) expect(res.status).toBe(413);
        // A lone surrogate would read back as U+FFFD: refused, never stored.
        const schema = (
          isUtf8(req.body ?? Buffer.alloc(0)) ? parseOrUndefined(req.body?.toString('utf8')) : undefined
        )?.['schema'];
        if (typeof schema === 'string' && LONE_SURROGATE.test(schema)) expect(res.status).not.toBe(200);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 4_000 },
    );
    expect(uncaught).toEqual([]);
    expect((await get('/subjects')).status).toBe(200);
  }, 30_000);
});
