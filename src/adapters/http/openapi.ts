/**
 * The OpenAPI 3.1 document, built from the route declarations (route.ts) and the schemas
 * that validate requests (schemas.ts): every mounted route is in it, with the same schemas.
 */
import type { RouteSpec } from './route.js';
import { COMPONENT_SCHEMAS, ErrorResponse } from './schemas.js';
import type { JsonSchema } from './schemas.js';
import { ERROR_STATUS } from './errors.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  serverUrl?: string;
}

const schemaNames = new Map<unknown, string>(Object.entries(COMPONENT_SCHEMAS).map(([name, schema]) => [schema, name]));

/** a named component by reference, anything else inline */
function ref(schema: JsonSchema): JsonSchema {
  const name = schemaNames.get(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : schema;
}

function parameters(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  for (const h of spec.headers ?? []) out.push({ name: h.name, in: 'header', required: false, description: h.description, schema: h.schema });
  return out;
}

function operation(spec: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = { description: r.description, ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: ref(r.schema) } } } : {}) };
  }
  responses.default = { description: 'error: {error: {code, message, details}}', content: { 'application/json': { schema: ref(ErrorResponse) } } };
  const op: JsonSchema = {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    parameters: parameters(spec),
    responses,
  };
  if (spec.description) op.description = spec.description;
  if (spec.auth !== 'public') op.security = [{ bearer: [] }, { basic: [] }];
  else op.security = [];
  if (spec.body) {
    const content: Record<string, JsonSchema> = { 'application/json': { schema: ref(spec.body.schema) } };
    if (spec.body.raw) content['*/*'] = { schema: { type: 'string', format: 'binary', description: spec.body.raw.description } };
    op.requestBody = { required: spec.body.required, content };
  }
  return op;
}

export function buildOpenApi(routes: RouteSpec[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) (paths[spec.path] ??= {})[spec.method] = operation(spec);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: info.title,
      version: info.version,
      description: `Errors are {error: {code, message, details}}. Codes and statuses: ${Object.entries(ERROR_STATUS).map(([c, s]) => `${c} ${s}`).join(', ')}.`,
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: COMPONENT_SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } },
    },
    security: [{ bearer: [] }, { basic: [] }],
  };
}
