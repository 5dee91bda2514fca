/**
 * Operations endpoints, open without credentials: health (for load balancers and
 * orchestrators), Prometheus metrics, and the OpenAPI document.
 */
import type { HttpDeps } from '../deps.js';
import { route } from '../route.js';
import type { RouteSpec } from '../route.js';
import { HealthResponse } from '../schemas.js';

export function opsRoutes(deps: HttpDeps, openApi: () => unknown): RouteSpec[] {
  return [
    route({
      method: 'get', path: '/v1/health', operationId: 'health', summary: 'Readiness of the process and its listeners', tag: 'operations', auth: 'public',
      responses: { 200: { description: 'ready', schema: HealthResponse }, 503: { description: 'not ready', schema: HealthResponse } },
      handler: async () => {
        const readiness = deps.config.readiness?.() ?? { ready: true, listeners: { http: true } };
        return { status: readiness.ready ? 200 : 503, body: { status: readiness.ready ? 'ok' : 'unavailable', listeners: readiness.listeners }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    route({
      method: 'get', path: '/metrics', operationId: 'metrics', summary: 'Prometheus metrics of the process', tag: 'operations', auth: 'public',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain', schema: { type: 'string' } } },
      handler: async (ctx) => {
        const text = await deps.registry.metrics();
        ctx.res.status(200).type(deps.registry.contentType).send(text);
        return undefined;
      },
    }),
    route({
      method: 'get', path: '/v1/openapi.json', operationId: 'openapi', summary: 'This document', tag: 'operations', auth: 'public',
      responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
      handler: async () => ({ status: 200, body: openApi() }),
    }),
  ];
}
