/**
 * Webhook subscriptions as the routes see them: create, list, get, delete. The registry
 * (kernel log) is the truth; the deliverer follows it on every node.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KernelClient, Producer } from '../../../kernel/index.js';
import type { ResolvedHttpConfig } from '../config.js';
import type { Counters } from '../counters.js';
import type { HttpMetrics } from '../metrics.js';
import type { WebhookCreateRequest } from '../schemas.js';
import { WebhookDeliverer, webhookGroup } from './deliverer.js';
import { WebhookRegistry } from './registry.js';
import type { WebhookRecord } from './registry.js';
import { generateSecret } from './signature.js';

export interface WebhookView extends Omit<WebhookRecord, 'secret'> {
  group: string;
}

export function webhookView(w: WebhookRecord): WebhookView {
  const { secret: _secret, ...rest } = w;
  return { ...rest, group: webhookGroup(w.id) };
}

export class WebhookService {
  private readonly registry: WebhookRegistry;
  private readonly deliverer: WebhookDeliverer;

  constructor(
    private readonly kernel: KernelClient,
    producer: Producer,
    private readonly config: ResolvedHttpConfig,
    metrics: HttpMetrics,
    counters: Counters,
    logger: Logger,
  ) {
    this.deliverer = new WebhookDeliverer(kernel, config.webhooks, metrics, counters, logger, config.nodeId);
    const deliver = config.webhooks.enabled;
    this.registry = new WebhookRegistry(kernel, producer, logger, {
      onPut: (w) => deliver && this.deliverer.start(w),
      onDelete: (id) => void this.deliverer.stop(id),
    }, { clientId: `${config.nodeId}-webhooks`, snapshotIntervalMs: config.webhooks.snapshotIntervalMs });
  }

  get count(): number {
    return this.registry.list().length;
  }

  start(): Promise<void> {
    return this.registry.start();
  }

  async stop(): Promise<void> {
    await this.registry.stop();
    await this.deliverer.stopAll();
  }

  async create(req: WebhookCreateRequest, owner: string | undefined): Promise<WebhookRecord> {
    const webhook: WebhookRecord = {
      id: randomUUID(),
      topic: req.topic,
      url: req.url,
      secret: req.secret ?? generateSecret(),
      maxAttempts: req.maxAttempts ?? 10,
      ordered: req.ordered ?? false,
      timeoutMs: req.timeoutMs ?? this.config.webhooks.timeoutMs,
      createdAt: Date.now(),
    };
    if (req.tagExpression !== undefined) webhook.tagExpression = req.tagExpression;
    if (req.selector !== undefined) webhook.selector = req.selector;
    if (owner !== undefined) webhook.owner = owner;
    await this.registry.put(webhook);
    return webhook;
  }

  list(): WebhookRecord[] {
    return this.registry.list();
  }

  get(id: string): WebhookRecord | undefined {
    return this.registry.get(id);
  }

  /** removes the subscription everywhere and its consumer group (dead letters stay) */
  async delete(id: string): Promise<boolean> {
    if (!this.registry.get(id)) return false;
    await this.registry.delete(id);
    await this.deliverer.stop(id);
    await this.kernel.admin.deleteGroup(webhookGroup(id)).catch(() => false);
    return true;
  }
}
