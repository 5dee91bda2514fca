/**
 * PushConsumer: a member of a consumer group. It heartbeats, rebalances the
 * subscribed topics' queues among the group's live members (clustering) or takes
 * every queue (broadcasting), and runs one QueueProcessor per assigned queue.
 * Clustering members also read the group's retry topic. Orderly members lock each
 * queue before consuming it and renew the locks.
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { BrokerApi, FilterSpec, Subscription } from './broker-api.js';
import { ConsumeFrom, FilterType, MessageModel } from './broker-api.js';
import type { MessageListener, PushConsumer, PushConsumerOptions } from './client-types.js';
import { createClientId } from './client-id.js';
import { QueueProcessor } from './queue-processor.js';
import { allocateAveragely, queueKey, type QueueRef } from './rebalance.js';
import { Semaphore } from './semaphore.js';

const RETRY_PREFIX = '%RETRY%';

export function toFilterSpec(filter: FilterSpec | string | undefined): FilterSpec {
  if (filter === undefined) return { type: FilterType.Tag, expression: '*' };
  if (typeof filter === 'string') return { type: FilterType.Tag, expression: filter.trim() === '' ? '*' : filter };
  return filter;
}

export class KernelPushConsumer implements PushConsumer {
  readonly group: string;
  readonly clientId: string;
  private readonly subscriptions = new Map<string, FilterSpec>();
  private readonly processors = new Map<string, QueueProcessor>();
  private readonly semaphore: Semaphore;
  private listener: MessageListener | undefined;
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private rebalancing: Promise<void> | undefined;
  private readonly o: Required<Omit<PushConsumerOptions, 'consumeTimestamp' | 'clientId' | 'maxReconsumeTimes'>> & { consumeTimestamp?: number; maxReconsumeTimes?: number };

  constructor(private readonly api: BrokerApi, options: PushConsumerOptions, private readonly onError: (err: unknown) => void = () => undefined) {
    this.group = options.group;
    this.clientId = options.clientId ?? createClientId(options.protocol ?? 'consumer');
    this.o = {
      group: options.group,
      messageModel: options.messageModel ?? MessageModel.Clustering,
      consumeFrom: options.consumeFrom ?? ConsumeFrom.Last,
      consumeTimestamp: options.consumeTimestamp,
      orderly: options.orderly ?? false,
      consumeConcurrency: options.consumeConcurrency ?? 20,
      pullBatchSize: options.pullBatchSize ?? 32,
      pullSuspendMs: options.pullSuspendMs ?? 15_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
      rebalanceIntervalMs: options.rebalanceIntervalMs ?? 2_000,
      protocol: options.protocol ?? 'kernel',
      maxReconsumeTimes: options.maxReconsumeTimes,
    };
    this.semaphore = new Semaphore(this.o.consumeConcurrency);
  }

  assignedQueues(): Array<{ topic: string; queueId: number }> {
    return [...this.processors.keys()].map((key) => {
      const [topic, queueId] = key.split('\u0000') as [string, string];
      return { topic, queueId: Number(queueId) };
    });
  }

  private get broadcasting(): boolean {
    return this.o.messageModel === MessageModel.Broadcasting;
  }

  subscribe(topic: string, filter?: FilterSpec | string): void {
    this.subscriptions.set(topic, toFilterSpec(filter));
    if (this.running) void this.rebalanceNow();
  }

  unsubscribe(topic: string): void {
    this.subscriptions.delete(topic);
    if (this.running) void this.rebalanceNow();
  }

  async start(listener: MessageListener): Promise<void> {
    if (this.running) throw new KernelError(KernelErrorCode.InvalidArgument, 'consumer already started');
    this.listener = listener;
    this.running = true;
    await this.heartbeat();
    await this.rebalanceNow();
    this.timers.push(setInterval(() => void this.heartbeat().catch(this.onError), this.o.heartbeatIntervalMs));
    this.timers.push(setInterval(() => void this.rebalanceNow(), this.o.rebalanceIntervalMs));
    for (const t of this.timers) t.unref();
  }

  async shutdown(drainMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.quickRebalance) clearTimeout(this.quickRebalance);
    await this.rebalancing;
    const processors = [...this.processors.values()];
    await Promise.all(processors.map((p) => p.drain(drainMs)));
    await Promise.all(processors.map((p) => p.stop()));
    this.processors.clear();
    if (this.o.orderly) await this.unlockAll(processors);
    await this.api.unregisterClient({ clientId: this.clientId, group: this.group }).catch(this.onError);
  }

  private heartbeat(): Promise<void> {
    return this.api.heartbeat({
      clientId: this.clientId,
      group: this.group,
      messageModel: this.o.messageModel,
      consumeFrom: this.o.consumeFrom,
      consumeTimestamp: this.o.consumeTimestamp,
      orderly: this.o.orderly,
      maxReconsumeTimes: this.o.maxReconsumeTimes,
      subscriptions: this.subscriptionList(),
      protocol: this.o.protocol,
    });
  }

  private subscriptionList(): Subscription[] {
    const list = [...this.subscriptions].map(([topic, filter]) => ({ topic, filter }));
    if (!this.broadcasting && list.length > 0) list.push({ topic: RETRY_PREFIX + this.group, filter: { type: FilterType.Tag, expression: '*' } });
    return list;
  }

  rebalanceNow(): Promise<void> {
    if (!this.rebalancing) {
      this.rebalancing = this.rebalance()
        .catch(this.onError)
        .finally(() => (this.rebalancing = undefined));
    }
    return this.rebalancing;
  }

  private async rebalance(): Promise<void> {
    if (!this.running) return;
    const members = this.broadcasting ? [this.clientId] : await this.api.groupMembers(this.group);
    if (!members.includes(this.clientId)) {
      await this.heartbeat();
      members.push(this.clientId);
      members.sort();
    }
    const wanted = new Map<string, { ref: QueueRef; filter: FilterSpec }>();
    for (const { topic, filter } of this.subscriptionList()) {
      const info = await this.api.getTopic(topic);
      if (!info) {
        // not created yet: look again soon rather than at the next interval, so the
        // first messages of a new topic are not left waiting
        if (!topic.startsWith(RETRY_PREFIX)) this.scheduleQuickRebalance();
        continue;
      }
      const queues: QueueRef[] = [];
      for (let queueId = 0; queueId < info.queueCount; queueId++) queues.push({ topic, queueId });
      for (const ref of this.broadcasting ? queues : allocateAveragely(queues, members, this.clientId)) wanted.set(queueKey(ref), { ref, filter });
    }
    for (const [key, processor] of this.processors) {
      if (!wanted.has(key)) {
        this.processors.delete(key);
        await processor.stop();
        if (this.o.orderly) await this.unlockAll([processor]);
      }
    }
    if (!this.running) return;
    let toLock = [...wanted].filter(([key]) => !this.processors.has(key));
    if (this.o.orderly) toLock = await this.lockNew(toLock);
    for (const [key, { ref, filter }] of toLock) this.startProcessor(key, ref, filter);
    if (this.o.orderly) await this.renewLocks();
  }

  private quickRebalance: NodeJS.Timeout | undefined;
  private scheduleQuickRebalance(): void {
    if (this.quickRebalance || this.o.rebalanceIntervalMs <= 200) return;
    this.quickRebalance = setTimeout(() => {
      this.quickRebalance = undefined;
      void this.rebalanceNow();
    }, 200);
    this.quickRebalance.unref();
  }

  private startProcessor(key: string, ref: QueueRef, filter: FilterSpec): void {
    const processor = new QueueProcessor({
      api: this.api,
      group: this.group,
      clientId: this.clientId,
      topic: ref.topic,
      queueId: ref.queueId,
      filter,
      listener: this.listener!,
      semaphore: this.semaphore,
      orderly: this.o.orderly,
      broadcasting: this.broadcasting,
      pullBatchSize: this.o.pullBatchSize,
      pullSuspendMs: this.o.pullSuspendMs,
      maxBuffered: Math.max(this.o.consumeConcurrency, 64),
      maxReconsumeTimes: this.o.maxReconsumeTimes,
      suspendMs: 1_000,
      onError: this.onError,
    });
    this.processors.set(key, processor);
    processor.start();
    this.commitLoop();
  }

  private commitTimer: NodeJS.Timeout | undefined;
  /** commits every processor's done offset about every 200 ms while running */
  private commitLoop(): void {
    if (this.commitTimer) return;
    this.commitTimer = setInterval(() => {
      if (!this.running) {
        clearInterval(this.commitTimer);
        this.commitTimer = undefined;
        return;
      }
      for (const p of this.processors.values()) void p.commit().catch(this.onError);
    }, 200);
    this.commitTimer.unref();
  }

  private async lockNew(entries: Array<[string, { ref: QueueRef; filter: FilterSpec }]>): Promise<Array<[string, { ref: QueueRef; filter: FilterSpec }]>> {
    const byTopic = new Map<string, number[]>();
    for (const [, { ref }] of entries) byTopic.set(ref.topic, [...(byTopic.get(ref.topic) ?? []), ref.queueId]);
    const locked = new Set<string>();
    for (const [topic, queueIds] of byTopic) {
      for (const queueId of await this.api.lockQueues({ group: this.group, clientId: this.clientId, topic, queueIds })) locked.add(queueKey({ topic, queueId }));
    }
    return entries.filter(([key]) => locked.has(key));
  }

  private async renewLocks(): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const key of this.processors.keys()) {
      const [topic, queueId] = key.split('\u0000') as [string, string];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(queueId)]);
    }
    for (const [topic, queueIds] of byTopic) {
      const held = new Set(await this.api.lockQueues({ group: this.group, clientId: this.clientId, topic, queueIds }));
      for (const queueId of queueIds) {
        if (held.has(queueId)) continue;
        const key = queueKey({ topic, queueId });
        const processor = this.processors.get(key);
        this.processors.delete(key);
        await processor?.stop();
      }
    }
  }

  private async unlockAll(processors: QueueProcessor[]): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const p of processors) {
      const [topic, queueId] = p.key.split('\u0000') as [string, string];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(queueId)]);
    }
    for (const [topic, queueIds] of byTopic) await this.api.unlockQueues({ group: this.group, clientId: this.clientId, topic, queueIds }).catch(this.onError);
  }
}
