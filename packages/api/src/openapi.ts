/**
 * Generates the OpenAPI 3.1 document from `allRoutes` (zod 4's `z.toJSONSchema`). The committed
 * copy lives at packages/api/openapi.json; `npm run openapi` rewrites it and a test fails when
 * it is stale.
 */
import { z } from 'zod';
import type { AnyRoute } from './contract.js';
import { ERRORS, type ErrorCode } from './errors.js';
import { allRoutes } from './routes/index.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

function openapiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): Json[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

const SECURITY: Record<AnyRoute['auth'], Json[]> = {
  none: [],
  user: [{ bearerJwt: [] }, { cookieJwt: [] }],
  device: [{ apiKeyHeader: [] }, { bearerApiKey: [] }],
  user_or_device: [{ bearerJwt: [] }, { cookieJwt: [] }, { apiKeyHeader: [] }, { bearerApiKey: [] }],
};

function errorResponses(route: AnyRoute): Json {
  const codes = new Set<ErrorCode>(['internal_error']);
  if (route.body || route.query || route.params) codes.add('validation_failed');
  if (route.auth !== 'none') codes.add('unauthorized');
  for (const c of route.errors ?? []) codes.add(c);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(ERRORS[c].status, [...(byStatus.get(ERRORS[c].status) ?? []), c]);
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.join(', '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    };
  }
  return out;
}

function operation(route: AnyRoute): Json {
  const op: Json = {
    operationId: route.id,
    summary: route.summary,
    tags: route.tags ?? [],
    security: SECURITY[route.auth],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
  };
  if (route.description) op.description = route.description;
  if (route.rawBody) {
    op.requestBody = {
      required: true,
      description: route.rawBody.description,
      content: { [route.rawBody.contentType]: { schema: { type: 'string', format: 'binary' } } },
    };
  } else if (route.body) {
    const optional = route.body.safeParse(undefined).success;
    op.requestBody = { required: !optional, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } };
  }
  const success = String(route.successStatus ?? 200);
  let content: Json;
  if (route.rawResponse) {
    content = { [route.rawResponse.contentType]: { schema: route.rawResponse.contentType === 'application/json' ? {} : { type: 'string' } } };
  } else {
    content = {
      'application/json': {
        schema: {
          type: 'object',
          properties: { success: { const: true }, message: { type: 'string' }, data: schemaOf(route.response, 'output') },
          required: ['success', 'data'],
        },
      },
    };
    if (route.tsv) content['text/tab-separated-values'] = { schema: { type: 'string', description: `header line, then one row per item: ${route.tsv.columns.join(', ')}` } };
  }
  op.responses = { [success]: { description: 'success', content }, ...errorResponses(route) };
  return op;
}

export function generateOpenApi(routes: readonly AnyRoute[] = allRoutes): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const p = openapiPath(route.path);
    paths[p] ??= {};
    paths[p][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'RetroSync API',
      version: '1',
      description:
        'Self-hosted save sync for retro handhelds and PCs. Success replies are `{success: true, message?, data}`; ' +
        'errors `{success: false, error, code, details?}` with a stable `code` (see x-error-codes).',
    },
    paths,
    components: {
      securitySchemes: {
        bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookieJwt: { type: 'apiKey', in: 'cookie', name: 'retrosync_token' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearerApiKey: { type: 'http', scheme: 'bearer', description: 'device API key (64 hex) as a bearer token' },
      },
      schemas: {
        ErrorEnvelope: {
          type: 'object',
          properties: {
            success: { const: false },
            error: { type: 'string' },
            code: { type: 'string', enum: Object.keys(ERRORS) },
            details: { type: 'object' },
          },
          required: ['success', 'error', 'code'],
        },
      },
    },
    'x-error-codes': Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, { status: e.status, message: e.message }])),
  };
}

/** The document as committed: stable key order, two-space indent, trailing newline. */
export function renderOpenApi(routes: readonly AnyRoute[] = allRoutes): string {
  return `${JSON.stringify(generateOpenApi(routes), null, 2)}\n`;
}
