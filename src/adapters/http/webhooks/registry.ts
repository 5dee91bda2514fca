/**
 * Webhook subscriptions, kept in the kernel so they survive restarts and every gateway
 * node sees the same set: an append-only log on the one-queue topic `%HTTP%WEBHOOKS`.
 *   {op:"put", webhook}                     create (or replace) a subscription
 *   {op:"delete", id}                       remove one
 *   {op:"snapshot", through, webhooks}      the whole set as of log offset `through`
 * Each node tails the log (a pull consumer with long polling) and folds it; a write
 * returns once the local tail has applied it. A snapshot is appended on start and every
 * `snapshotIntervalMs`, so retention can drop old segments without losing a subscription.
 * A snapshot written while another node appended ops lists `through`; ops after it that
 * precede the snapshot in the log are applied again on top of it.
 */
import type { Logger } from 'pino';
import type { KernelClient, Producer, PullConsumer, StoredMessage } from '../../../kernel/index.js';
import { ConsumeFrom } from '../../../kernel/index.js';

export const WEBHOOK_TOPIC = '%HTTP%WEBHOOKS';
const TAIL_GROUP = 'http-webhooks-tail';
const TAIL_SUSPEND_MS = 5_000;

export interface WebhookRecord {
  id: string;
  topic: string;
  tagExpression?: string;
  selector?: string;
  url: string;
  secret: string;
  maxAttempts: number;
  ordered: boolean;
  timeoutMs: number;
  owner?: string;
  createdAt: number;
}

type Op =
  | { op: 'put'; webhook: WebhookRecord }
  | { op: 'delete'; id: string }
  | { op: 'snapshot'; through: number; webhooks: WebhookRecord[] };

export interface RegistryListener {
  onPut(webhook: WebhookRecord): void;
  onDelete(id: string): void;
}

export class WebhookRegistry {
  private readonly webhooks = new Map<string, WebhookRecord>();
  /** ops applied since the last snapshot, with their log offsets */
  private recent: Array<{ offset: number; op: Op }> = [];
  private applied = 0;
  private lastSnapshotAt = 0;
  private running = false;
  private tail: Promise<void> | undefined;
  private consumer: PullConsumer | undefined;
  private waiters: Array<{ offset: number; resolve: () => void }> = [];
  private snapshotTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kernel: KernelClient,
    private readonly producer: Producer,
    private readonly logger: Logger,
    private readonly listener: RegistryListener,
    private readonly options: { clientId: string; snapshotIntervalMs: number },
  ) {}

  list(): WebhookRecord[] {
    return [...this.webhooks.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  get(id: string): WebhookRecord | undefined {
    return this.webhooks.get(id);
  }

  /** loads the log up to its current end, then follows it */
  async start(): Promise<void> {
    if (!(await this.kernel.admin.topicStats(WEBHOOK_TOPIC))) await this.kernel.admin.createTopic({ topic: WEBHOOK_TOPIC, queueCount: 1 });
    const stats = await this.kernel.admin.topicStats(WEBHOOK_TOPIC);
    const queue = stats?.queues[0];
    this.applied = queue?.minOffset ?? 0;
    this.consumer = this.kernel.createPullConsumer({ group: TAIL_GROUP, clientId: this.options.clientId, consumeFrom: ConsumeFrom.First });
    this.running = true;
    const loaded = this.waitApplied(queue?.maxOffset ?? 0);
    this.tail = this.follow().catch((err: unknown) => this.logger.error({ err }, 'webhook registry tail stopped'));
    await loaded;
    if (this.recent.length > 0 || Date.now() - this.lastSnapshotAt >= this.options.snapshotIntervalMs) await this.snapshot();
    this.snapshotTimer = setInterval(() => void this.snapshot().catch((err: unknown) => this.logger.warn({ err }, 'webhook snapshot failed')), this.options.snapshotIntervalMs);
    this.snapshotTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.snapshotTimer);
    for (const w of this.waiters.splice(0)) w.resolve();
    // the tail may sit in a long poll: it ends by itself; release the consumer when it does
    const consumer = this.consumer;
    void this.tail?.then(() => consumer?.shutdown()).catch(() => undefined);
  }

  async put(webhook: WebhookRecord): Promise<void> {
    await this.append({ op: 'put', webhook }, webhook.id);
  }

  async delete(id: string): Promise<void> {
    await this.append({ op: 'delete', id }, id);
  }

  async snapshot(): Promise<void> {
    await this.append({ op: 'snapshot', through: this.applied - 1, webhooks: this.list() });
  }

  private async append(op: Op, key?: string): Promise<void> {
    const result = await this.producer.send({
      topic: WEBHOOK_TOPIC, body: Buffer.from(JSON.stringify(op)), tag: op.op, contentType: 'application/json', ...(key ? { keys: [key] } : {}),
    });
    await this.waitApplied(result.queueOffset + 1);
  }

  private waitApplied(offset: number): Promise<void> {
    if (this.applied >= offset || !this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }

  private async follow(): Promise<void> {
    while (this.running) {
      const result = await this.consumer!.pull({ topic: WEBHOOK_TOPIC, queueId: 0, offset: this.applied, maxMessages: 256, suspendMs: TAIL_SUSPEND_MS });
      if (!this.running) return;
      for (const message of result.messages) this.apply(message);
      this.applied = Math.max(this.applied, result.nextBeginOffset);
      const ready = this.waiters.filter((w) => w.offset <= this.applied);
      this.waiters = this.waiters.filter((w) => w.offset > this.applied);
      for (const w of ready) w.resolve();
    }
  }

  private apply(message: StoredMessage): void {
    let op: Op;
    try {
      op = JSON.parse(message.body.toString('utf8')) as Op;
    } catch (err) {
      this.logger.warn({ err, offset: message.queueOffset }, 'unreadable webhook registry record skipped');
      return;
    }
    if (op.op === 'snapshot') {
      const next = new Map(op.webhooks.map((w) => [w.id, w]));
      this.recent = this.recent.filter((r) => r.offset > op.through);
      for (const r of this.recent) applyTo(next, r.op);
      for (const id of this.webhooks.keys()) if (!next.has(id)) this.listener.onDelete(id);
      for (const [id, w] of next) if (JSON.stringify(this.webhooks.get(id)) !== JSON.stringify(w)) this.listener.onPut(w);
      this.webhooks.clear();
      for (const [id, w] of next) this.webhooks.set(id, w);
      this.lastSnapshotAt = message.storeTimestamp;
      return;
    }
    this.recent.push({ offset: message.queueOffset, op });
    applyTo(this.webhooks, op);
    if (op.op === 'put') this.listener.onPut(op.webhook);
    else this.listener.onDelete(op.id);
  }
}

function applyTo(map: Map<string, WebhookRecord>, op: Op): void {
  if (op.op === 'put') map.set(op.webhook.id, op.webhook);
  else if (op.op === 'delete') map.delete(op.id);
}
