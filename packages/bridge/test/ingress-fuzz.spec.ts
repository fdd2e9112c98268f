// Fuzz suite of the HTTP ingress: random request lines, targets, headers and bodies go over real
// sockets to an IngressServer in a child process (json, text and bytes bridges into memory channels,
// see fixtures/ingress-child.ts). Bounded in runs and time so it belongs in `npm test`.
import { BRIDGE_ERROR_CODES } from '@onex/spi-types';
import fc from 'fast-check';
import type { StoredRecord } from './fixtures/ingress-child.js';
import {
  rawRequest,
  startIngressProcess,
  type IngressProcess,
  type RawResponse,
} from './support/ingress-process.js';

/** Every status the README documents for the ingress. */
const DOCUMENTED = new Set([200, 204, 207, 400, 401, 404, 405, 408, 413, 415, 417, 429, 431, 503]);
const CODES = new Set<string>(BRIDGE_ERROR_CODES);
const MAX_BODY = 16 * 1024;

/** What a successful record must have stored: its channel, and the body the memory target holds. */
interface Expected {
  readonly channel: string;
  /** JSON the stored body parses to, or the exact text / base64 it must be; undefined: only its presence is checked. */
  readonly check?: { json: unknown } | { text: string } | { base64: string };
}

interface FuzzRequest {
  readonly raw: Uint8Array;
  readonly method: string;
  /** What each record stores when accepted, in `offsets` order (undefined when no shape is known). */
  readonly expected?: readonly Expected[];
  readonly label: string;
  /** Records the body holds (a non-`records` body is one). */
  readonly recordCount?: number;
}

const encoder = new TextEncoder();
const concat = (...parts: (string | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

// Pieces of request targets: the served paths, their near misses, and URL trouble.
const segment = fc.oneof(
  fc.constantFrom(
    'json',
    'text',
    'bytes',
    'topics',
    'events',
    'health',
    'healthy',
    'ready',
    'metrics',
    'openapi',
    'partitions',
    '0',
    '-1',
    '01',
    '.',
    '..',
    '',
    '%2e%2e',
    '%zz',
    '%e0%a4',
    '%',
    '%6a',
    '[',
    ']',
    '@',
    ':',
    '?',
    '#',
    'é',
    '%00',
  ),
  fc.string({ maxLength: 6 }).map((s) => s.replace(/[\s]/g, '')),
);
const target = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '/json',
      '/text',
      '/bytes',
      '/topics/events',
      '/topics/events/partitions/0',
      '/topics/events?async=true',
      '/json?async=true',
      '/json?x=1',
      '/./json',
      '/x/../text',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/health',
      '/healthy',
      '/ready',
      '/metrics',
      '/openapi',
      '/json?async=maybe',
      '/json?async=true&async=false',
      '/topics/events/partitions/x',
      '/topics/events/partitions/99999999999',
      '/topics/nope/partitions/0',
      '/',
      '*',
      '/topics/nope',
      '/topics/%zz',
      '/topics/ev%ents',
    ),
  },
  { weight: 3, arbitrary: fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'http://',
          'https://',
          'http://[',
          'http://a:99999',
          'http://%zz',
          'http://x',
          'http://[::1]:1',
        ),
        fc.array(segment, { maxLength: 3 }),
      )
      .map(([origin, s]) => `${origin}/${s.join('/')}`),
  },
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('POST') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'FOO'),
  },
);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/vnd.kafka.json.v2+json',
    'application/vnd.kafka.v2+json',
    'text/plain',
    'application/octet-stream',
    'application/vnd.kafka.binary.v2+json',
    'application/vnd.kafka.text.v2+json',
  ),
  fc.constantFrom(
    'application/json; charset=utf-8',
    'text/plain; charset="UTF-8"',
    'text/plain; charset=latin1',
    'application/xml',
    'TEXT/PLAIN',
    '',
    'multipart/form-data; boundary=x',
  ),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const headerName = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,12}$/)
  .filter(
    (n) =>
      ![
        'content-length',
        'transfer-encoding',
        'connection',
        'host',
        'content-type',
        'expect',
        'upgrade',
      ].includes(n),
  );
const specialHeader = fc.constantFrom<[string, string]>(
  ['Expect', '100-continue'],
  ['Expect', 'something-else'],
  ['Upgrade', 'websocket'],
  ['Authorization', 'Bearer x'],
  ['Content-Encoding', 'gzip'],
  ['Transfer-Encoding', 'gzip'],
  ['Content-Length', 'abc'],
  ['X-Forwarded-For', '1.2.3.4'],
  ['Idempotency-Key', 'order-1'],
  ['Idempotency-Key', 'with space'],
  ['Idempotency-Key', ''],
);
const extraHeaders = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(
        headerName,
        fc.string({ maxLength: 30 }).map((v) => v.replace(/[\r\n]/g, ' ')),
      ),
    },
    { weight: 1, arbitrary: specialHeader },
  ),
  { maxLength: 4 },
);

const deepArray = fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const record = fc.record(
  {
    value: fc.jsonValue({ maxDepth: 4 }),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()),
    id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    partition: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.double(), fc.string({ maxLength: 2 }), fc.constant(null)),
    headers: fc.oneof(
      fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }) }), {
        maxLength: 3,
      }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
      fc.constant(7),
    ),
  },
  { requiredKeys: [] },
);

type Body =
  | { kind: 'json'; text: string }
  | { kind: 'records'; text: string; records: readonly Record<string, unknown>[] }
  | { kind: 'raw'; bytes: Uint8Array };
const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v): Body => ({ kind: 'json', text: JSON.stringify(v) })),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(record, { maxLength: 4 })
      .map((records): Body => ({ kind: 'records', text: JSON.stringify({ records }), records })),
  },
  { weight: 2, arbitrary: deepArray.map((text): Body => ({ kind: 'json', text })) },
  {
    weight: 2,
    // binary.v2 records: valid base64, base64 with a character too few or a foreign one, non-strings.
    arbitrary: fc
      .array(
        fc.record(
          {
            value: fc.oneof(
              fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64')),
              fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b).toString('base64').slice(1)),
              fc.constantFrom('a-_b', 'AA=A', '====', 42, null),
            ),
            key: fc.oneof(
              fc.string({ maxLength: 6 }).map((k) => Buffer.from(k).toString('base64')),
              fc.constantFrom('/w==', '*'),
            ),
          },
          { requiredKeys: ['value'] },
        ),
        { maxLength: 3 },
      )
      .map((records): Body => ({ kind: 'records', text: JSON.stringify({ records }), records })),
  },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .map((s): Body => ({ kind: 'raw', bytes: encoder.encode(s) })),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): Body => ({ kind: 'raw', bytes })) },
  { weight: 1, arbitrary: fc.constant<Body>({ kind: 'raw', bytes: new Uint8Array(MAX_BODY + 1) }) },
);
/** The API key the ingress accepts, mostly; sometimes none, a wrong one, or one with odd bytes. */
const apiKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant('k1') },
  { weight: 1, arbitrary: fc.constantFrom('', 'k2', 'K1', 'k1 ', '\u00e9') },
);
/** How the body is framed: honestly, chunked, with a length longer or shorter than the body, or not at all. */
const framing = fc.oneof(
  { weight: 8, arbitrary: fc.constant('length') },
  { weight: 1, arbitrary: fc.constantFrom('chunked', 'long', 'short', 'none', 'bad-chunk') },
);

// Requests a client in good faith sends (so that many are accepted and can be checked for loss):
// the right path, content type, key and framing, and a body of random content and shape.
const validRecord = fc.record(
  {
    value: fc.jsonValue({ maxDepth: 5 }),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null)),
    id: fc.stringMatching(/^[!-~]{1,20}$/),
    headers: fc.array(
      fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.string({ maxLength: 8 }) }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['value'] },
);
const valid = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    target: fc.constantFrom('/json', '/topics/events', '/json?trace=1'),
    contentType: fc.constantFrom(
      'application/json',
      'application/vnd.kafka.json.v2+json',
      'application/json; charset=utf-8',
    ),
    body: fc.oneof(
      fc
        .jsonValue({ maxDepth: 8 })
        .filter((v) => !(typeof v === 'object' && v !== null && 'records' in v))
        .map((v): Body => ({ kind: 'json', text: JSON.stringify(v) })),
      fc
        .array(validRecord, { minLength: 1, maxLength: 5 })
        .map((records): Body => ({ kind: 'records', text: JSON.stringify({ records }), records })),
    ),
  }),
  fc.record({
    method: fc.constant('POST'),
    target: fc.constant('/text'),
    contentType: fc.constantFrom('text/plain', 'text/plain; charset=UTF-8'),
    body: fc
      .string({ unit: 'grapheme', maxLength: 200 })
      .map((s): Body => ({ kind: 'raw', bytes: encoder.encode(s) })),
  }),
  fc.record({
    method: fc.constant('POST'),
    target: fc.constantFrom('/text', '/text?async=false'),
    contentType: fc.constant('application/vnd.kafka.text.v2+json'),
    body: fc
      .array(fc.record({ value: fc.string({ unit: 'grapheme', maxLength: 40 }), key: fc.string({ maxLength: 6 }) }), {
        minLength: 1,
        maxLength: 4,
      })
      .map((records): Body => ({ kind: 'records', text: JSON.stringify({ records }), records })),
  }),
  fc.record({
    method: fc.constant('POST'),
    target: fc.constant('/bytes'),
    contentType: fc.constant('application/vnd.kafka.binary.v2+json'),
    body: fc
      .array(fc.uint8Array({ maxLength: 40 }).map((b) => ({ value: Buffer.from(b).toString('base64') })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((records): Body => ({ kind: 'records', text: JSON.stringify({ records }), records })),
  }),
  fc.record({
    method: fc.constant('POST'),
    target: fc.constant('/bytes'),
    contentType: fc.constant('application/octet-stream'),
    body: fc.uint8Array({ maxLength: 300 }).map((bytes): Body => ({ kind: 'raw', bytes })),
  }),
);

const httpRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({ fields: valid, framing: fc.constantFrom('length', 'chunked'), extraHeaders })
        .map(({ fields, framing, extraHeaders }) => ({ ...fields, framing, extraHeaders, apiKey: 'k1' })),
    },
    {
      weight: 12,
      arbitrary: fc.record({ method, target, contentType, extraHeaders, body, framing, apiKey }),
    },
  )
  .map(({ method, target, contentType, extraHeaders, body, framing, apiKey }): FuzzRequest => {
    const bytes = body.kind === 'raw' ? body.bytes : encoder.encode(body.text);
    const headers = [
      ['Host', 'x'],
      ['Connection', 'close'],
      ...(contentType ? [['Content-Type', contentType]] : []),
      ...(apiKey ? [['X-Api-Key', apiKey]] : []),
      ...extraHeaders,
    ];
    let framed: Uint8Array;
    if (framing === 'chunked') {
      headers.push(['Transfer-Encoding', 'chunked']);
      framed = concat(
        bytes.length ? `${bytes.length.toString(16)}\r\n` : '',
        bytes,
        bytes.length ? '\r\n' : '',
        '0\r\n\r\n',
      );
    } else if (framing === 'bad-chunk') {
      headers.push(['Transfer-Encoding', 'chunked']);
      framed = concat('zz\r\n', bytes);
    } else if (framing === 'none') {
      framed = new Uint8Array(0);
    } else {
      headers.push([
        'Content-Length',
        String(
          framing === 'long'
            ? bytes.length + 5
            : framing === 'short'
              ? Math.max(0, bytes.length - 1)
              : bytes.length,
        ),
      ]);
      framed = bytes;
    }
    const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
    return {
      raw: concat(Buffer.from(head, 'utf8'), framed),
      method,
      label: `${method} ${target} [${contentType}] ${framing} ${body.kind}:${Buffer.from(bytes).toString('utf8').slice(0, 60)}`,
      recordCount: body.kind === 'records' ? body.records.length : 1,
      ...(framing === 'length' || framing === 'chunked'
        ? { expected: expectation(target, contentType, body, bytes) }
        : {}),
    };
  });

const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 20, arbitrary: httpRequest },
  // Request lines and headers of random bytes: the HTTP parser's side.
  {
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 120 }).map((bytes) => ({
      raw: concat(bytes, '\r\n\r\n'),
      method: '?',
      label: `bytes ${Buffer.from(bytes).toString('hex')}`,
    })),
  },
  {
    weight: 2,
    arbitrary: fc.string({ maxLength: 80 }).map((line) => ({
      raw: concat(Buffer.from(line, 'utf8'), '\r\nHost: x\r\nConnection: close\r\n\r\n'),
      method: line.split(' ')[0] ?? '',
      label: `line ${JSON.stringify(line)}`,
    })),
  },
);

/** What a 200 on this request must have stored, when the test can tell which bridge takes it. */
function expectation(
  target: string,
  contentType: string,
  body: Body,
  bytes: Uint8Array,
): Expected[] | undefined {
  const path = target.split('?')[0];
  const channel =
    path === '/json' || path === '/./json' || path === '/topics/events'
      ? 'events'
      : path === '/text' || path === '/x/../text'
        ? 'text'
        : path === '/bytes'
          ? 'bytes'
          : undefined;
  if (channel === undefined) return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/plain') return [{ channel, check: { text: Buffer.from(bytes).toString('utf8') } }];
  if (type === 'application/octet-stream')
    return [{ channel, check: { base64: Buffer.from(bytes).toString('base64') } }];
  // binary.v2 values are stored as the bytes their base64 names; text.v2 values as the text.
  if (type === 'application/vnd.kafka.binary.v2+json' && body.kind === 'records')
    return (JSON.parse(body.text) as { records: { value: unknown }[] }).records.map(
      (r): Expected => (typeof r.value === 'string' ? { channel, check: { base64: r.value } } : { channel }),
    );
  if (type === 'application/vnd.kafka.text.v2+json' && body.kind === 'records')
    return (JSON.parse(body.text) as { records: { value: unknown }[] }).records.map(
      (r): Expected => (typeof r.value === 'string' ? { channel, check: { text: r.value } } : { channel }),
    );
  // JSON into a json bridge is checked value by value; into text and bytes bridges only by presence.
  const check = (value: unknown): Expected =>
    channel === 'events' ? { channel, check: { json: value } } : { channel };
  // Expected values are read back from the text sent (JSON has no -0, so a generated -0 went out as 0).
  if (body.kind === 'records')
    return (JSON.parse(body.text) as { records: Record<string, unknown>[] }).records.map((r) =>
      check('value' in r ? r['value'] : r['payload']),
    );
  if (body.kind === 'json') {
    const value = JSON.parse(body.text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'records' in value)
      return undefined;
    return [check(value)];
  }
  return undefined;
}

describe('IngressServer fuzz', () => {
  let ingress: IngressProcess;
  beforeAll(async () => {
    ingress = await startIngressProcess({
      apiKeys: { k1: '*' },
      maxBodyBytes: MAX_BODY,
      bodyIdleTimeoutMs: 150,
      headersTimeoutMs: 300,
      requestTimeoutMs: 1000,
      maxHeaderBytes: 4096,
    });
  }, 30_000);
  afterAll(() => ingress?.stop());

  it('stays up, answers every request with a documented status and typed code, keeps memory bounded and loses nothing it accepted', async () => {
    const accepted: { messageId: string; expected: Expected | undefined; label: string }[] = [];
    // async=true answers carry no ids (204, or { queued: true } entries): at most this many such records.
    let queuedWithoutId = 0;
    // Warm up before measuring memory.
    await rawRequest(ingress.port, [
      'POST /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Api-Key: k1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    ]);
    accepted.push({
      messageId: 'events/0',
      expected: { channel: 'events', check: { json: {} } },
      label: 'warm-up',
    });
    const before = await ingress.memory();

    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (batch) => {
        const responses = await Promise.all(
          batch.map((r) => rawRequest(ingress.port, [r.raw], { timeoutMs: 5000 })),
        );
        for (const [i, response] of responses.entries()) {
          const { label, method, expected, recordCount } = batch[i]!;
          check(label, method, response);
          if (response!.status === 204 && method === 'POST') queuedWithoutId += recordCount ?? 1;
          const offsets = (response!.json?.['offsets'] ?? []) as { success: boolean; messageId?: string }[];
          if (response!.status === 200 || response!.status === 207) {
            for (const [n, offset] of offsets.entries()) {
              if (offset.success)
                accepted.push({ messageId: offset.messageId!, expected: expected?.[n], label });
              if ((offset as { queued?: boolean }).queued === true) queuedWithoutId += 1;
            }
          }
        }
        expect(ingress.alive()).toBe(true);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
    );

    expect(ingress.alive()).toBe(true);
    expect(ingress.stderr()).not.toMatch(/error|unhandled/i);
    const after = await ingress.memory();
    expect(after.heapUsed - before.heapUsed).toBeLessThan(32 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);

    // Nothing answered as accepted is lost or altered, and nothing else was stored (but async ones).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const records = await ingress.records();
    const stored = new Map(
      Object.entries(records).flatMap(([channel, list]) =>
        list.map((r): [string, StoredRecord] => [`${channel}/${r.sequence}`, r]),
      ),
    );
    const acceptedIds = new Set(accepted.map((a) => a.messageId));
    const unaccounted = [...stored].filter(([id]) => !acceptedIds.has(id));
    expect(unaccounted.length).toBeLessThanOrEqual(queuedWithoutId);
    expect(stored.size).toBe(accepted.length + unaccounted.length);
    for (const { messageId, expected, label } of accepted) {
      const record = stored.get(messageId);
      expect({ label, messageId, stored: record !== undefined }).toEqual({ label, messageId, stored: true });
      if (expected?.check === undefined) continue;
      expect(messageId.startsWith(`${expected.channel}/`)).toBe(true);
      const check = expected.check;
      if ('json' in check)
        expect({ label, value: JSON.parse(record!.body) as unknown }).toEqual({ label, value: check.json });
      else if ('text' in check) expect({ label, value: record!.body }).toEqual({ label, value: check.text });
      else expect({ label, value: record!.body }).toEqual({ label, value: check.base64 });
    }
  }, 60_000);
});

function check(label: string, method: string, response: RawResponse | undefined): void {
  expect({ label, answered: response !== undefined }).toEqual({ label, answered: true });
  const { status, json } = response!;
  expect({ label, status, documented: DOCUMENTED.has(status) }).toEqual({ label, status, documented: true });
  if (method === 'HEAD' || status === 204) return;
  if (status === 200 || status === 207) {
    if (json?.['offsets'] === undefined) return; // /health, /ready, /metrics, /openapi
    for (const offset of json['offsets'] as { success: boolean; code?: string; queued?: boolean }[]) {
      if (!offset.success && offset.queued !== true)
        expect({ label, code: offset.code, typed: CODES.has(offset.code ?? '') }).toEqual({
          label,
          code: offset.code,
          typed: true,
        });
    }
    return;
  }
  if (status === 503 && json?.['status'] === 'not_ready') return;
  expect({
    label,
    status,
    code: json?.['code'],
    typed: CODES.has(String(json?.['code'])),
    errorCode: json?.['error_code'],
    message: typeof json?.['message'],
  }).toEqual({
    label,
    status,
    code: json?.['code'],
    typed: true,
    errorCode: status,
    message: 'string',
  });
}
