/**
 * Admin API over the process's live state, beyond the kernel: the individual client
 * connections of every adapter (list, disconnect one), MQTT retained messages (list,
 * clear), the last 15 minutes of message rates per protocol, and the cluster as a gateway
 * node sees it.
 */
import type { ConnectionDirectory, ConnectionInfo } from '../../connections.js';
import type { RetainedMessageAdmin } from '../../retained-messages.js';
import type { HttpDeps } from '../deps.js';
import { HttpError, HttpErrorCode } from '../errors.js';
import { encodeBody } from '../message-map.js';
import type { RateHistory } from '../rate-history.js';
import { route, type RouteSpec } from '../route.js';
import {
  ClusterView, ConnectionId, ConnectionList, ConnectionListQuery, ErrorResponse, RateHistory as RateHistorySchema, RetainedCleared, RetainedClearQuery, RetainedFilterQuery, RetainedList,
} from '../schemas.js';

/** `own`: this adapter's SSE streams, listed whether or not the runtime hands us the other adapters */
export function liveRoutes(deps: HttpDeps, rates: RateHistory, own: ConnectionDirectory): RouteSpec[] {
  const adapters = () => deps.config.peers?.() ?? [];
  const directories = (): ConnectionDirectory[] => [...new Set([own, ...adapters().flatMap((a) => (a.clientConnections ? [a.clientConnections] : []))])];
  /** the MQTT adapter's retained messages, once `filter` is known to be a valid MQTT topic filter */
  const retained = (filter: string): RetainedMessageAdmin => {
    const admin = adapters().find((a) => a.retained)?.retained;
    if (!admin) throw new HttpError(HttpErrorCode.NotFound, 'the MQTT adapter is not running in this process');
    const problem = admin.filterProblem(filter);
    if (problem) throw new HttpError(HttpErrorCode.ValidationFailed, `invalid MQTT topic filter: ${problem}`, [{ in: 'query', path: '/filter', message: problem }]);
    return admin;
  };
  return [
    route<unknown, ConnectionListQuery, unknown>({
      method: 'get', path: '/v1/admin/connections', operationId: 'listClientConnections', summary: 'Individual client connections (MQTT, STOMP, HTTP server-sent-event streams)', tag: 'admin', auth: 'admin-read',
      query: ConnectionListQuery,
      responses: { 200: { description: 'connections, oldest first', schema: ConnectionList } },
      handler: async (ctx) => {
        const all: ConnectionInfo[] = directories().flatMap((d) => d.listConnections());
        const connections = all.filter((c) => ctx.query.protocol === undefined || c.protocol === ctx.query.protocol).sort((a, b) => a.connectedAt - b.connectedAt);
        return { status: 200, body: { connections } };
      },
    }),
    route<{ id: string }, unknown, unknown>({
      method: 'delete', path: '/v1/admin/connections/{id}', operationId: 'disconnectClient', summary: 'Close one client connection', tag: 'admin', auth: 'admin-write',
      description: 'MQTT 5 clients receive DISCONNECT with reason 0x98 (administrative action), STOMP clients an ERROR frame; then the connection closes. An SSE stream ends.',
      params: { type: 'object', required: ['id'], properties: { id: ConnectionId } },
      responses: { 204: { description: 'closing' }, 404: { description: 'no such connection', schema: ErrorResponse } },
      handler: async (ctx) => {
        if (!directories().some((d) => d.disconnect(ctx.params.id))) throw new HttpError(HttpErrorCode.NotFound, `connection ${JSON.stringify(ctx.params.id)} not found`);
        return { status: 204 };
      },
    }),
    route<unknown, RetainedFilterQuery, unknown>({
      method: 'get', path: '/v1/admin/mqtt/retained', operationId: 'listRetained', summary: 'MQTT retained messages matching a topic filter', tag: 'admin', auth: 'admin-read',
      query: RetainedFilterQuery,
      responses: { 200: { description: 'by MQTT topic', schema: RetainedList }, 400: { description: 'not an MQTT topic filter', schema: ErrorResponse }, 404: { description: 'no MQTT adapter in this process', schema: ErrorResponse } },
      handler: async (ctx) => {
        const messages = retained(ctx.query.filter).list(ctx.query.filter).map((m) => ({
          topic: m.topic, ...encodeBody(m.payload), bodySize: m.payload.length, properties: m.properties,
          ...(m.contentType === undefined ? {} : { contentType: m.contentType }),
          ...(m.expireAt === undefined ? {} : { expireAt: m.expireAt }),
        }));
        return { status: 200, body: { messages } };
      },
    }),
    route<unknown, RetainedFilterQuery, unknown>({
      method: 'delete', path: '/v1/admin/mqtt/retained', operationId: 'clearRetained', summary: 'Clear the MQTT retained messages matching a topic filter', tag: 'admin', auth: 'admin-write',
      description: 'As an empty retained PUBLISH to each topic would. The filter is required: `#` clears them all.',
      query: RetainedClearQuery,
      responses: { 200: { description: 'how many were cleared', schema: RetainedCleared }, 404: { description: 'no MQTT adapter in this process', schema: ErrorResponse } },
      handler: async (ctx) => ({ status: 200, body: { cleared: await retained(ctx.query.filter).clear(ctx.query.filter) } }),
    }),
    route({
      method: 'get', path: '/v1/admin/rates', operationId: 'rateHistory', summary: 'Messages in/out per second per protocol, last 15 minutes', tag: 'admin', auth: 'admin-read',
      responses: { 200: { description: 'samples, oldest first', schema: RateHistorySchema } },
      handler: async () => ({ status: 200, body: { intervalMs: rates.intervalMs, windowMs: rates.windowMs, samples: rates.samples() } }),
    }),
    route({
      method: 'get', path: '/v1/admin/cluster', operationId: 'clusterStatus', summary: 'Nameservers and broker groups (roles, addresses, liveness, replication lag)', tag: 'admin', auth: 'admin-read',
      description: 'Asked of the cluster at each call. An embedded server has no cluster: `mode` is `embedded` and `cluster` is absent.',
      responses: { 200: { description: 'the cluster, or the single embedded node', schema: ClusterView } },
      handler: async () => {
        const source = deps.config.clusterStatus;
        const body = source ? { mode: 'gateway', nodeId: deps.config.nodeId, cluster: await source() } : { mode: 'embedded', nodeId: deps.config.nodeId };
        return { status: 200, body };
      },
    }),
  ];
}
