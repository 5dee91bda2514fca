/**
 * What the route modules share: the kernel client, the adapter's long-lived services and
 * its resolved configuration. Built once by app.ts.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KernelClient, Producer } from '../../kernel/index.js';
import type { AdapterStats } from '../adapter.js';
import type { Authenticator } from '../common/auth.js';
import type { ResolvedHttpConfig } from './config.js';
import type { IdempotencyWindow } from './idempotency.js';
import type { HttpMetrics } from './metrics.js';
import type { SseHub } from './sse/hub.js';
import type { WebhookService } from './webhooks/service.js';
import type { Counters } from './counters.js';

export interface HttpDeps {
  kernel: KernelClient;
  auth: Authenticator;
  logger: Logger;
  config: ResolvedHttpConfig;
  registry: Registry;
  metrics: HttpMetrics;
  counters: Counters;
  producer: Producer;
  idempotency: IdempotencyWindow;
  sse: SseHub;
  webhooks: WebhookService;
  stats: () => AdapterStats;
}
