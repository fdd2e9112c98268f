import { INGRESS_ROUTES, recordMediaTypes, type IngressRoute } from './ingress-routes.js';

/**
 * The ingress's OpenAPI 3.0 document, generated from {@link INGRESS_ROUTES}: the `endpoint` route
 * appears once per registered `sourceEndpoint` path.
 */
export function ingressOpenApi(endpointPaths: readonly string[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of INGRESS_ROUTES) {
    if (route.kind === 'endpoint') {
      endpointPaths.forEach((path, index) => {
        // A registered path may collide with a fixed one (`/topics/x`); the fixed route wins in the router too.
        if (paths[path] === undefined) paths[path] = operations(route, `${route.operationId}${index}`);
      });
    } else {
      paths[route.path] = operations(route, route.operationId);
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'ONEX bridge ingress',
      version: '1',
      description: 'HTTP produce API shaped like the Strimzi Kafka Bridge and Confluent REST Proxy v2.',
    },
    paths,
  };
}

function operations(route: IngressRoute, operationId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const method of route.methods) {
    const operation: Record<string, unknown> = {
      operationId: method === 'HEAD' ? `${operationId}Head` : operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.content && method !== 'HEAD'
              ? { content: { [response.content.type]: { schema: response.content.schema } } }
              : {}),
          },
        ]),
      ),
    };
    const parameters: Record<string, unknown>[] = (route.parameters ?? []).map((p) => ({
      name: p.name,
      in: 'path',
      required: true,
      description: p.description,
      schema: p.schema,
    }));
    if (route.takesRecords) {
      parameters.push({
        name: 'async',
        in: 'query',
        required: false,
        description: 'true: answer 204 without waiting for delivery',
        schema: { type: 'boolean', default: false },
      });
      operation['requestBody'] = {
        required: true,
        content: Object.fromEntries(
          Object.entries(recordMediaTypes(route.kind !== 'partition')).map(([type, schema]) => [type, { schema }]),
        ),
      };
    }
    if (parameters.length > 0) operation['parameters'] = parameters;
    out[method.toLowerCase()] = operation;
  }
  return out;
}
