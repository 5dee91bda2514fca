/**
 * Outbound delivery: one push consumer per subscription, group `webhook-<id>`, so every
 * gateway node shares the work and the group's offsets and retry topic keep the delivery
 * state across restarts. At least once:
 *  - unordered: one POST per message; a failure is sent back to the kernel's retry topic
 *    with this adapter's backoff and the subscription's attempt limit, after which the
 *    kernel moves it to `%DLQ%webhook-<id>`. The attempt count travels with the message
 *    (reconsumeTimes), so it survives restarts.
 *  - ordered: an orderly consumer (a queue is locked to one node, one message at a time),
 *    so messages of one sharding key arrive in order; a failure is retried in place with
 *    backoff, then dead-lettered by the kernel.
 * Each request is signed in the Standard Webhooks style (signature.ts); 2xx acks, anything
 * else (including redirects and timeouts) fails the attempt.
 */
import type { Logger } from 'pino';
import type { ConsumeContext, KernelClient, PushConsumer, StoredMessage } from '../../../kernel/index.js';
import { ConsumeFrom, ConsumeStatus, FilterType } from '../../../kernel/index.js';
import type { HttpWebhookConfig } from '../config.js';
import type { Counters } from '../counters.js';
import { messageView } from '../message-map.js';
import type { HttpMetrics } from '../metrics.js';
import type { WebhookRecord } from './registry.js';
import { sign } from './signature.js';

export const ATTEMPT_HEADER = 'x-rocketgate-attempt';
const USER_AGENT = 'rocketgate-webhooks/1';

export function webhookGroup(id: string): string {
  return `webhook-${id}`;
}

export interface Attempt {
  ok: boolean;
  status?: number;
  error?: string;
}

/** the payload of a message: stable across attempts, so receivers may de-duplicate by webhook-id */
export function webhookPayload(message: StoredMessage): string {
  return JSON.stringify({ type: 'message', timestamp: new Date(message.storeTimestamp).toISOString(), data: messageView(message) });
}

export async function deliverOnce(webhook: WebhookRecord, message: StoredMessage, attempt: number, stop: AbortSignal): Promise<Attempt> {
  const body = webhookPayload(message);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(webhook.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(webhook.timeoutMs), stop]),
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': message.msgId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(webhook.secret, message.msgId, timestamp, body),
        [ATTEMPT_HEADER]: String(attempt),
      },
      body,
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, status: res.status };
  } catch (err) {
    return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

interface Running {
  webhook: WebhookRecord;
  consumer: PushConsumer;
  stop: AbortController;
  started: Promise<void>;
}

export class WebhookDeliverer {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly kernel: KernelClient,
    private readonly config: HttpWebhookConfig,
    private readonly metrics: HttpMetrics,
    private readonly counters: Counters,
    private readonly logger: Logger,
    private readonly nodeId: string,
  ) {}

  backoff(attempt: number): number {
    const list = this.config.backoffMs;
    return list.length === 0 ? 0 : list[Math.min(Math.max(attempt, 1), list.length) - 1]!;
  }

  /** (re)starts delivery of a subscription */
  start(webhook: WebhookRecord): void {
    const current = this.running.get(webhook.id);
    if (current && JSON.stringify(current.webhook) === JSON.stringify(webhook)) return;
    if (current) void this.stop(webhook.id);
    const group = webhookGroup(webhook.id);
    const consumer = this.kernel.createPushConsumer({
      group,
      clientId: `${this.nodeId}-${group}`,
      consumeFrom: ConsumeFrom.Timestamp,
      consumeTimestamp: webhook.createdAt,
      orderly: webhook.ordered,
      consumeConcurrency: webhook.ordered ? 1 : this.config.concurrency,
      maxReconsumeTimes: webhook.ordered ? webhook.maxAttempts : webhook.maxAttempts - 1,
      protocol: 'http-webhook',
    });
    const filter = webhook.selector !== undefined
      ? { type: FilterType.Sql92, expression: webhook.selector }
      : { type: FilterType.Tag, expression: webhook.tagExpression ?? '*' };
    consumer.subscribe(webhook.topic, filter);
    const stop = new AbortController();
    const listener = webhook.ordered ? this.orderedListener(webhook, stop.signal) : this.unorderedListener(webhook, group, stop.signal);
    const started = consumer.start(listener).catch((err: unknown) => this.logger.error({ err, webhook: webhook.id }, 'webhook consumer did not start'));
    this.running.set(webhook.id, { webhook, consumer, stop, started });
  }

  async stop(id: string): Promise<boolean> {
    const r = this.running.get(id);
    if (!r) return false;
    this.running.delete(id);
    r.stop.abort();
    await r.started;
    await r.consumer.shutdown(1_000);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  private record(webhook: WebhookRecord, message: StoredMessage, attempt: number, result: Attempt): void {
    if (result.ok) {
      this.metrics.webhookDelivery('success');
      this.counters.out(message.topic);
      return;
    }
    this.metrics.webhookDelivery('failure');
    this.logger.debug({ webhook: webhook.id, msgId: message.msgId, attempt, status: result.status, error: result.error }, 'webhook attempt failed');
    if (attempt >= webhook.maxAttempts) {
      this.metrics.webhookDelivery('dead_letter');
      this.logger.warn({ webhook: webhook.id, msgId: message.msgId, attempts: attempt }, 'webhook message dead-lettered');
    }
  }

  private unorderedListener(webhook: WebhookRecord, group: string, stop: AbortSignal) {
    return async (message: StoredMessage, context: ConsumeContext): Promise<ConsumeStatus> => {
      const attempt = message.reconsumeTimes + 1;
      const result = await deliverOnce(webhook, message, attempt, stop);
      if (stop.aborted && !result.ok) return ConsumeStatus.ReconsumeLater;
      this.record(webhook, message, attempt, result);
      if (result.ok) return ConsumeStatus.Success;
      try {
        // the kernel's retry topic with our backoff; past maxAttempts it dead-letters
        // topic and queue route the send-back to the broker group holding the record
        await this.kernel.brokerApi.sendBack({ group, commitLogOffset: message.commitLogOffset, topic: context.storeTopic, queueId: context.queueId, maxReconsumeTimes: webhook.maxAttempts - 1, delayMs: this.backoff(attempt) });
        return ConsumeStatus.Success;
      } catch (err) {
        this.logger.warn({ err, webhook: webhook.id }, 'webhook send-back failed; the consumer retries');
        return ConsumeStatus.ReconsumeLater;
      }
    };
  }

  private orderedListener(webhook: WebhookRecord, stop: AbortSignal) {
    return async (message: StoredMessage): Promise<ConsumeStatus> => {
      // an orderly consumer retries in place and counts the attempts in reconsumeTimes
      const attempt = message.reconsumeTimes + 1;
      if (attempt > 1) await sleep(this.backoff(attempt - 1), stop);
      if (stop.aborted) return ConsumeStatus.ReconsumeLater;
      const result = await deliverOnce(webhook, message, attempt, stop);
      if (stop.aborted && !result.ok) return ConsumeStatus.ReconsumeLater;
      this.record(webhook, message, attempt, result);
      return result.ok ? ConsumeStatus.Success : ConsumeStatus.ReconsumeLater;
    };
  }
}
