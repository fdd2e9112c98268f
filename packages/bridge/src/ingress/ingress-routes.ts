/**
 * The ingress's routes as data: the router matches requests against this table and `GET /openapi`
 * is generated from it, so the served API and its description cannot drift apart.
 */

/** What a route does; the server switches on it. */
export type IngressRouteKind =
  | 'health'
  | 'healthy'
  | 'ready'
  | 'metrics'
  | 'openapi'
  | 'topic'
  | 'partition'
  | 'endpoint';

/** A path parameter of a route. */
export interface IngressRouteParameter {
  readonly name: string;
  readonly description: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** One response a route can give. */
export interface IngressRouteResponse {
  readonly description: string;
  /** Body media type and schema; none for bodiless answers (204). */
  readonly content?: { readonly type: string; readonly schema: Readonly<Record<string, unknown>> };
}

/** One route of the ingress. */
export interface IngressRoute {
  readonly kind: IngressRouteKind;
  /** Methods served; others get 405 with `Allow`. */
  readonly methods: readonly ('GET' | 'HEAD' | 'POST')[];
  /** OpenAPI path template (`/topics/{topic}`); for `endpoint`, a placeholder replaced by each registered path. */
  readonly path: string;
  /** Matches a request path; capture groups are the parameters, in order. */
  readonly pattern: RegExp;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly parameters?: readonly IngressRouteParameter[];
  /** True when the route takes a body of records (see {@link RECORD_MEDIA_TYPES}). */
  readonly takesRecords?: boolean;
  readonly responses: Readonly<Record<string, IngressRouteResponse>>;
}

/** The JSON-embedded record formats, as in Strimzi / REST Proxy v2. */
export const JSON_V2 = 'application/vnd.kafka.json.v2+json';
export const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
export const TEXT_V2 = 'application/vnd.kafka.text.v2+json';

/** Media types whose body is a JSON value or `{ records }` with JSON values. */
export const JSON_TYPES: ReadonlySet<string> = new Set(['application/json', JSON_V2, 'application/vnd.kafka.v2+json']);
/** Raw one-message bodies. */
export const TEXT_TYPES: ReadonlySet<string> = new Set(['text/plain']);
export const BYTES_TYPES: ReadonlySet<string> = new Set(['application/octet-stream']);

const errorSchema = {
  type: 'object',
  required: ['error_code', 'code', 'message'],
  properties: {
    error_code: { type: 'integer', description: 'HTTP status of the error' },
    code: { type: 'string', description: 'Stable error code (BRIDGE_*)' },
    message: { type: 'string' },
  },
};

const offsetSchema = {
  type: 'object',
  description:
    'Outcome of one record, in request order. Delivered: partition and offset (Kafka targets). Failed: error_code and message, as Strimzi; code is ours.',
  properties: {
    success: { type: 'boolean' },
    attempts: { type: 'integer' },
    messageId: { type: 'string' },
    target: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'integer' },
    queued: { type: 'boolean', description: 'async=true only: taken by the bridge, outcome not awaited' },
    error_code: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    deadLettered: { type: 'boolean' },
    errors: {
      type: 'array',
      items: { type: 'string' },
      description: 'Schema validation messages (error_code 422, topics bound to a schema)',
    },
  },
};

const offsetsSchema = {
  type: 'object',
  required: ['offsets'],
  properties: { offsets: { type: 'array', items: offsetSchema } },
};

const headerSchema = {
  oneOf: [
    {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'value'],
        properties: { key: { type: 'string' }, value: { type: 'string' } },
      },
    },
    { type: 'object', additionalProperties: { type: 'string' } },
  ],
};

function recordsBody(value: Record<string, unknown>, key: Record<string, unknown>, withPartition: boolean) {
  return {
    type: 'object',
    required: ['records'],
    properties: {
      records: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['value'],
          properties: {
            key,
            value,
            headers: headerSchema,
            id: { type: 'string', description: 'Idempotency key of the record' },
            ...(withPartition ? { partition: { type: 'integer', minimum: 0 } } : {}),
          },
        },
      },
    },
  };
}

const base64 = { type: 'string', format: 'byte', description: 'base64 (RFC 4648, padded)' };

/** Request body media types of a records route, with their schemas. */
export function recordMediaTypes(withPartition: boolean): Record<string, Record<string, unknown>> {
  const json = {
    oneOf: [recordsBody({}, { type: 'string' }, withPartition), { description: 'one message: any JSON value' }],
  };
  return {
    [JSON_V2]: json,
    'application/json': json,
    'application/vnd.kafka.v2+json': json,
    [BINARY_V2]: recordsBody(base64, base64, withPartition),
    [TEXT_V2]: recordsBody({ type: 'string' }, { type: 'string' }, withPartition),
    'text/plain': { type: 'string', description: "one message (bridges with messageFormat 'text')" },
    'application/octet-stream': {
      type: 'string',
      format: 'binary',
      description: "one message (bridges with messageFormat 'bytes')",
    },
  };
}

const json = (schema: Record<string, unknown>) => ({ type: 'application/json', schema });

const produceResponses: Readonly<Record<string, IngressRouteResponse>> = {
  '200': { description: 'Every record delivered', content: json(offsetsSchema) },
  '204': { description: 'async=true: every record taken by the bridge (outcome not awaited)' },
  '207': {
    description: 'Some records failed (Strimzi answers 200 here); offsets[i] says which',
    content: json(offsetsSchema),
  },
  '400': { description: 'Malformed body, bad parameter or bad record', content: json(errorSchema) },
  '401': { description: 'Not authenticated', content: json(errorSchema) },
  '403': { description: 'Not allowed', content: json(errorSchema) },
  '404': { description: 'No bridge serves this path or topic', content: json(errorSchema) },
  '405': { description: 'Method not allowed', content: json(errorSchema) },
  '408': { description: 'Request too slow', content: json(errorSchema) },
  '413': { description: 'Body larger than maxBodyBytes', content: json(errorSchema) },
  '415': { description: 'Content type not accepted by this bridge', content: json(errorSchema) },
  '429': { description: 'Too many requests in flight', content: json(errorSchema) },
  '431': { description: 'Request line and headers too large', content: json(errorSchema) },
  '503': { description: 'Bridge stopped or its queue is full', content: json(errorSchema) },
};

const topicParameter: IngressRouteParameter = {
  name: 'topic',
  description: 'The targetTopic of a bridge',
  schema: { type: 'string' },
};

const asyncDescription =
  'Query `async=true`: answer 204 once every record is taken by the bridge, without waiting for delivery.';

/** Every route of the ingress, in matching order. */
export const INGRESS_ROUTES: readonly IngressRoute[] = [
  {
    kind: 'health',
    methods: ['GET', 'HEAD'],
    path: '/health',
    pattern: /^\/health$/,
    operationId: 'health',
    summary: 'Liveness, as JSON',
    responses: {
      '200': { description: 'The server runs', content: json({ type: 'object', properties: { status: { type: 'string' } } }) },
    },
  },
  {
    kind: 'healthy',
    methods: ['GET', 'HEAD'],
    path: '/healthy',
    pattern: /^\/healthy$/,
    operationId: 'healthy',
    summary: "Liveness, as Strimzi's /healthy",
    responses: { '204': { description: 'The server runs' } },
  },
  {
    kind: 'ready',
    methods: ['GET', 'HEAD'],
    path: '/ready',
    pattern: /^\/ready$/,
    operationId: 'ready',
    summary: 'Readiness: listening, with bridges that accept, below maxInFlight',
    responses: {
      '200': { description: 'Ready', content: json({ type: 'object', properties: { status: { type: 'string' } } }) },
      '503': { description: 'Not ready', content: json({ type: 'object', properties: { status: { type: 'string' } } }) },
    },
  },
  {
    kind: 'metrics',
    methods: ['GET', 'HEAD'],
    path: '/metrics',
    pattern: /^\/metrics$/,
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    responses: {
      '200': { description: 'Prometheus text format 0.0.4', content: { type: 'text/plain', schema: { type: 'string' } } },
    },
  },
  {
    kind: 'openapi',
    methods: ['GET', 'HEAD'],
    path: '/openapi',
    pattern: /^\/openapi$/,
    operationId: 'openapi',
    summary: 'This OpenAPI 3 document',
    responses: { '200': { description: 'OpenAPI 3.0 document', content: json({ type: 'object' }) } },
  },
  {
    kind: 'partition',
    methods: ['POST'],
    path: '/topics/{topic}/partitions/{partitionid}',
    pattern: /^\/topics\/([^/]+)\/partitions\/([^/]+)$/,
    operationId: 'sendToPartition',
    summary: 'Send records to one partition of a topic',
    description: `Records may not name their own partition here. ${asyncDescription}`,
    parameters: [
      topicParameter,
      { name: 'partitionid', description: 'Partition (a non-negative integer)', schema: { type: 'integer', minimum: 0 } },
    ],
    takesRecords: true,
    responses: produceResponses,
  },
  {
    kind: 'topic',
    methods: ['POST'],
    path: '/topics/{topic}',
    pattern: /^\/topics\/([^/]+)$/,
    operationId: 'send',
    summary: 'Send records to a topic',
    description: `A record's \`partition\` picks its partition. ${asyncDescription}`,
    parameters: [topicParameter],
    takesRecords: true,
    responses: produceResponses,
  },
  {
    kind: 'endpoint',
    methods: ['POST'],
    path: '{sourceEndpoint}',
    pattern: /^$/,
    operationId: 'sendToBridge',
    summary: 'Send records to the bridge whose sourceEndpoint path this is',
    description: asyncDescription,
    takesRecords: true,
    responses: produceResponses,
  },
];

/** The route and path parameters of a request path, if a fixed route matches it. */
export function matchRoute(path: string): { route: IngressRoute; params: string[] } | undefined {
  for (const route of INGRESS_ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1) };
  }
  return undefined;
}
