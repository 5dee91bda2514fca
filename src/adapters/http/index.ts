/**
 * HttpAdapter: the HTTP(S) listener around the express app (app.ts), and the services
 * that outlive a request: the producer, the idempotency window, SSE streams and the
 * webhook subscriptions. See DESIGN.md §5 (HTTP column) and the OpenAPI document at
 * GET /v1/openapi.json for the API itself.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { AdapterContext, AdapterFactory, AdapterStats, ListenerAddress, ProtocolAdapter } from '../adapter.js';
import type { ConnectionDirectory } from '../connections.js';
import { createApp } from './app.js';
import { resolveConfig } from './config.js';
import { createDashboardRouter } from './dashboard/router.js';
import type { HttpAdapterConfig } from './config.js';
import { Counters } from './counters.js';
import type { HttpDeps } from './deps.js';
import { IdempotencyWindow } from './idempotency.js';
import { HttpMetrics, type ProtocolStats } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { RateHistory } from './rate-history.js';
import type { RouteSpec } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { consumeRoutes } from './routes/consume.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { eventRoutes } from './routes/events.js';
import { liveRoutes } from './routes/live.js';
import { messageRoutes } from './routes/messages.js';
import { opsRoutes } from './routes/ops.js';
import { webhookRoutes } from './routes/webhooks.js';
import { sseConnectionDirectory } from './sse/connections.js';
import { SseHub, sweepStaleGroups } from './sse/hub.js';
import { WebhookService } from './webhooks/service.js';

export { defaultHttpConfig } from './config.js';
export type { HttpAdapterConfig, HttpWebhookConfig, InboundHookConfig } from './config.js';

/** in-flight requests (long polls) get this long to finish on stop */
const STOP_GRACE_MS = 2_000;
const API_VERSION = '1.0.0';

function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** every route of the API, in the order the OpenAPI document lists them */
export function httpRoutes(deps: HttpDeps, openApi: () => unknown, rates: RateHistory, ownConnections: ConnectionDirectory): RouteSpec[] {
  return [
    ...messageRoutes(deps), ...consumeRoutes(deps), ...eventRoutes(deps), ...webhookRoutes(deps),
    ...adminRoutes(deps), ...liveRoutes(deps, rates, ownConnections), ...deadLetterRoutes(deps), ...opsRoutes(deps, openApi),
  ];
}

export const createHttpAdapter: AdapterFactory<HttpAdapterConfig> = (context: AdapterContext, userConfig: HttpAdapterConfig): ProtocolAdapter => {
  const config = resolveConfig(userConfig);
  const logger = context.logger.child({ adapter: 'http' });
  const sockets = new Set<Socket>();
  let server: http.Server | undefined;
  let address: ListenerAddress | undefined;
  let deps: HttpDeps | undefined;
  let openApiDoc: unknown;
  let rates: RateHistory | undefined;
  const clientConnections = sseConnectionDirectory(() => deps?.sse);

  const stats = (): AdapterStats => ({
    connections: sockets.size,
    messagesIn: deps?.counters.messagesIn ?? 0,
    messagesOut: deps?.counters.messagesOut ?? 0,
    sseStreams: deps?.sse.size ?? 0,
    webhooks: deps?.webhooks.count ?? 0,
  });
  /** every adapter's counters, this one's included (metrics, rate history) */
  const protocolStats = (): Record<string, ProtocolStats> => {
    const own = stats();
    return { ...config.extraStats?.(), http: { connections: own.connections, messagesIn: own.messagesIn, messagesOut: own.messagesOut } };
  };

  return {
    name: 'http',

    async start(): Promise<void> {
      if (server) return;
      const metrics = new HttpMetrics(context.metrics, protocolStats);
      const counters = new Counters(metrics);
      const producer = context.kernel.createProducer({ group: 'http-gateway', clientId: `${config.nodeId}-http` });
      deps = {
        kernel: context.kernel, auth: context.auth, logger, config, registry: context.metrics, metrics, counters, producer,
        idempotency: new IdempotencyWindow({ windowMs: config.idempotencyWindowMs }),
        sse: new SseHub(metrics),
        webhooks: new WebhookService(context.kernel, producer, config, metrics, counters, logger),
        stats,
      };
      rates = new RateHistory(protocolStats);
      const routes = httpRoutes(deps, () => openApiDoc, rates, clientConnections);
      await deps.webhooks.start();
      await sweepStaleGroups(context.kernel).catch((err: unknown) => logger.warn({ err }, 'stale SSE groups not swept'));

      const dashboard = createDashboardRouter({ auth: context.auth, kernel: context.kernel, ...(config.info ? { info: config.info } : {}) });
      const app = createApp({ routes, auth: context.auth, metrics, logger, maxBodyBytes: config.maxBodyBytes, dashboard });
      server = config.tls ? https.createServer({ key: pem(config.tls.key), cert: pem(config.tls.cert) }, app) : http.createServer(app);
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      const bound = listening.address() as AddressInfo;
      const scheme = config.tls ? 'https' : 'http';
      const urlHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      address = { name: scheme, host: bound.address, port: bound.port, url: `${scheme}://${urlHost}:${bound.port}` };
      openApiDoc = buildOpenApi(routes, { title: 'rocketgate HTTP API', version: API_VERSION });
      rates.start();
      logger.info({ url: address.url }, 'HTTP listener started');
    },

    async stop(): Promise<void> {
      const s = server;
      const d = deps;
      if (!s || !d) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      await d.sse.closeAll();
      await d.webhooks.stop();
      s.closeIdleConnections();
      const grace = setTimeout(() => s.closeAllConnections(), STOP_GRACE_MS);
      await closed;
      clearTimeout(grace);
      rates?.stop();
      await d.producer.shutdown();
      d.idempotency.clear();
      d.metrics.close();
      address = undefined;
      logger.info('HTTP listener stopped');
    },

    stats,

    addresses: () => (address ? [address] : []),

    clientConnections,
  };
};
