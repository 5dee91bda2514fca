/**
 * The broker: the store plus the managers that give it RocketMQ's semantics. It is the
 * in-process implementation behind BrokerApi (see client/embedded-broker-api.ts) and,
 * in the cluster, what the remoting processors call.
 */
import path from 'node:path';
import type {
  CommitOffsetRequest, FilterSpec, GroupInfo, HeartbeatRequest, LockRequest, OffsetRequest, PullRequest,
  PullResult, QueueLag, SendBackRequest, SendRequest, SendResult, TopicInfo, TopicStats,
} from '../client/broker-api.js';
import { ConsumeFrom, MessageModel } from '../client/broker-api.js';
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message, StoredMessage } from '../message/message.js';
import { createUniqueId } from '../message/msg-id.js';
import { validateMessage } from '../message/validate-message.js';
import { hashString } from '../common/hash.js';
import { MessageStore } from '../store/message-store.js';
import type { FlushMode, PutOptions, StoreFilter } from '../store/store-api.js';
import { GetStatus, PutStatus, type PutResult } from '../store/results.js';
import { ConsumerManager } from './consumer-manager.js';
import { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { DEFAULT_DELAY_LEVELS_MS, DEFAULT_RETRY_BACKOFF_MS, delayOfLevel } from './delay-levels.js';
import { compileFilter, type MessageFilter } from './filter/message-filter.js';
import { PullRequestHold } from './pull-request-hold.js';
import { QueueLockManager } from './queue-lock-manager.js';
import { RetryService } from './retry.js';
import { ScheduleService } from './schedule-service.js';
import { SubscriptionGroupManager } from './subscription-group-manager.js';
import { TopicConfigManager } from './topic-config-manager.js';
import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX, SCHEDULE_TOPIC, isSystemTopic, validateTopicName } from './topic-names.js';
import { BrokerStats } from './broker-stats.js';
import { PopService } from './pop-service.js';
import { TransactionService } from './transaction-service.js';
import { DlqRedriveService } from './dlq-redrive.js';

export interface BrokerOptions {
  dataDir: string;
  brokerName?: string;
  flushMode?: FlushMode;
  flushIntervalMs?: number;
  segmentSize?: number;
  maxMessageSize?: number;
  defaultQueueCount?: number;
  autoCreateTopics?: boolean;
  fileReservedMs?: number;
  storeHost?: string;
  storePort?: number;
  /** a member silent this long leaves its group */
  consumerExpiryMs?: number;
  offsetPersistIntervalMs?: number;
  /** orderly queue lock lease */
  queueLockLeaseMs?: number;
  /** the 18 delay levels */
  delayLevelsMs?: number[];
  /** a new group's retries before its dead-letter topic, default 16 */
  maxReconsumeTimes?: number;
  /** backoff before redelivery n (n = 1..), RocketMQ's 10s 30s 1m ... 2h by default */
  retryBackoffMs?: number[];
  /** longest long-poll a pull may ask for */
  maxSuspendMs?: number;
  /** transactions: a half message unresolved this long is checked back with its producer group (default 6 s) */
  transactionTimeoutMs?: number;
  /** transactions: how often unresolved half messages are scanned (default 30 s) */
  transactionCheckIntervalMs?: number;
  /** transactions: checks before an unresolved transaction is rolled back (default 15) */
  transactionCheckMax?: number;
  /** errors of background services (pop revive, transaction checks) */
  onServiceError?: (err: unknown) => void;
  /**
   * a replica (cluster slave): its commit log is written only by replication
   * (store.appendRaw), so sends and send-backs are refused and the services that write
   * (schedule delivery, transaction checks) do not run
   */
  readOnly?: boolean;
}

export class Broker {
  readonly brokerName: string;
  readonly stats = new BrokerStats();
  private readonly filters = new Map<string, MessageFilter>();
  private readonly roundRobin = new Map<string, number>();
  /** admin offset resets not yet seen by the group's pulls: key → offset */
  private readonly pendingResets = new Map<string, number>();
  private closed = false;
  /** pop consumption, transactions and DLQ re-drive (pop-service.ts, transaction-service.ts, dlq-redrive.ts), set by open */
  pop!: PopService;
  transactions!: TransactionService;
  dlq!: DlqRedriveService;

  private constructor(
    readonly options: BrokerOptions,
    readonly store: MessageStore,
    readonly topics: TopicConfigManager,
    readonly groups: SubscriptionGroupManager,
    readonly offsets: ConsumerOffsetManager,
    readonly consumers: ConsumerManager,
    readonly locks: QueueLockManager,
    readonly hold: PullRequestHold,
    readonly schedule: ScheduleService,
    readonly retry: RetryService,
  ) {
    this.brokerName = options.brokerName ?? 'broker-a';
  }

  static async open(options: BrokerOptions): Promise<Broker> {
    const configDir = path.join(options.dataDir, 'config');
    const store = await MessageStore.open({
      dataDir: path.join(options.dataDir, 'store'),
      flushMode: options.flushMode,
      flushIntervalMs: options.flushIntervalMs,
      segmentSize: options.segmentSize,
      maxMessageSize: options.maxMessageSize,
      fileReservedMs: options.fileReservedMs,
      storeHost: options.storeHost,
      storePort: options.storePort,
    });
    const topics = await TopicConfigManager.load({
      configDir,
      defaultQueueCount: options.defaultQueueCount ?? 8,
      autoCreateTopics: options.autoCreateTopics ?? true,
    });
    const groups = await SubscriptionGroupManager.load(configDir, options.maxReconsumeTimes);
    const offsets = await ConsumerOffsetManager.load(configDir, options.offsetPersistIntervalMs ?? 5_000);
    const consumers = new ConsumerManager(options.consumerExpiryMs ?? 30_000);
    const locks = new QueueLockManager(options.queueLockLeaseMs ?? 60_000);
    const hold = new PullRequestHold();
    store.onDispatched((req) => hold.notify(req.topic, req.queueId));
    const ref: { broker?: Broker } = {};
    const schedule = new ScheduleService({
      store,
      offsets,
      hold,
      deliver: (message, opts) => ref.broker!.putResolved(message, opts),
      onError: () => undefined,
    });
    const retry = new RetryService(options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS);
    const broker = new Broker(options, store, topics, groups, offsets, consumers, locks, hold, schedule, retry);
    ref.broker = broker;
    const onServiceError = options.onServiceError ?? (() => undefined);
    broker.pop = await PopService.open({ broker, dir: path.join(options.dataDir, 'pop'), maxSuspendMs: options.maxSuspendMs, onError: onServiceError });
    broker.transactions = await TransactionService.open(broker, {
      timeoutMs: options.transactionTimeoutMs, checkIntervalMs: options.transactionCheckIntervalMs, maxChecks: options.transactionCheckMax, maxPollMs: options.maxSuspendMs,
    }, onServiceError);
    broker.dlq = await DlqRedriveService.open(broker, configDir);
    if (options.readOnly) await broker.transactions.close();
    else schedule.start();
    return broker;
  }

  // ---- produce ----

  send(req: SendRequest): Promise<SendResult> {
    const m = req.message;
    // the common case without the general path's awaits: a writable broker, a topic that
    // exists, a message for now
    const info = this.closed || this.options.readOnly || m.deliverAt !== undefined || m.delayLevel ? undefined : this.existingTopicForWrite(m.topic);
    if (!info) return this.sendMessages(m.topic, [m], req.queueId, req.noAutoCreate).then(first);
    let queueId: number;
    try {
      queueId = this.selectQueue(info, req.queueId, m.shardingKey);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.putNow(m, queueId);
  }

  /** putResolved for a send, in one async step */
  private async putNow(message: Message, queueId: number): Promise<SendResult> {
    const put = checkPut(await this.store.put(message, { queueId }));
    this.stats.recordIn(message.topic, 1, message.body.length);
    return toSendResult(put);
  }

  async sendBatch(req: { topic: string; queueId?: number; messages: Message[]; noAutoCreate?: boolean }): Promise<SendResult[]> {
    if (req.messages.length === 0) return [];
    for (const m of req.messages) {
      if (m.topic !== req.topic) throw new KernelError(KernelErrorCode.InvalidMessage, `a batch goes to one topic: ${JSON.stringify(m.topic)} is not ${JSON.stringify(req.topic)}`);
    }
    return this.sendMessages(req.topic, req.messages, req.queueId, req.noAutoCreate);
  }

  private async sendMessages(topic: string, messages: Message[], queueId: number | undefined, noAutoCreate?: boolean): Promise<SendResult[]> {
    this.assertWritable();
    const info = await this.topicForWrite(topic, noAutoCreate);
    const first = messages[0]!;
    const q = this.selectQueue(info, queueId, first.shardingKey);
    const now = Date.now();
    const results: SendResult[] = [];
    const immediate: Message[] = [];
    for (const m of messages) {
      const deliverAt = m.deliverAt ?? (m.delayLevel ? now + delayOfLevel(m.delayLevel, this.options.delayLevelsMs ?? DEFAULT_DELAY_LEVELS_MS) : undefined);
      if (deliverAt !== undefined && deliverAt > now) {
        validateMessage(m); // the scheduled copy drops delayLevel, so check the original here
        const scheduled = this.schedule.toScheduled({ ...m, uniqueId: m.uniqueId ?? createUniqueId(this.options.storeHost) }, q, deliverAt, now);
        const put = await this.store.put(scheduled.message, { queueId: scheduled.queueId });
        results.push({ ...toSendResult(checkPut(put)), msgId: scheduled.message.uniqueId!, topic, queueId: q });
      } else {
        immediate.push(m);
      }
    }
    if (immediate.length === 1) results.push(toSendResult(await this.putResolved(immediate[0]!, { queueId: q })));
    else if (immediate.length > 1) {
      const puts = await this.store.putBatch(immediate, { queueId: q });
      for (const p of puts) results.push(toSendResult(checkPut(p)));
      this.stats.recordIn(topic, immediate.length, immediate.reduce((n, m) => n + m.body.length, 0));
    }
    return results;
  }

  /** stores a message whose time has come, in its real topic */
  async putResolved(message: Message, options: PutOptions): Promise<PutResult> {
    const result = checkPut(await this.store.put(message, options));
    this.stats.recordIn(message.topic, 1, message.body.length);
    return result;
  }

  /** topicForWrite's answer when it needs no creation (and no error): else undefined. */
  private existingTopicForWrite(topic: string): TopicInfo | undefined {
    if (typeof topic !== 'string') return undefined;
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return this.topics.get(topic);
    return isSystemTopic(topic) ? undefined : this.topics.get(topic);
  }

  private async topicForWrite(topic: string, noAutoCreate?: boolean): Promise<TopicInfo> {
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) {
      return this.topics.get(topic) ?? this.topics.create({ topic, queueCount: 1 });
    }
    if (isSystemTopic(topic)) throw new KernelError(KernelErrorCode.InvalidTopic, `topic ${JSON.stringify(topic)} is reserved for the broker`);
    return this.topics.getOrCreate(topic, { noAutoCreate });
  }

  private selectQueue(info: TopicInfo, queueId: number | undefined, shardingKey: string | undefined): number {
    if (queueId !== undefined && queueId >= 0) {
      if (queueId >= info.queueCount) throw new KernelError(KernelErrorCode.InvalidQueue, `queue ${queueId} does not exist: topic ${info.topic} has ${info.queueCount} queues`);
      return queueId;
    }
    if (shardingKey) return hashString(shardingKey) % info.queueCount;
    const next = (this.roundRobin.get(info.topic) ?? -1) + 1;
    this.roundRobin.set(info.topic, next % 1_000_000_007);
    return next % info.queueCount;
  }

  // ---- consume ----

  async pull(req: PullRequest): Promise<PullResult> {
    this.assertOpen();
    const resetKey = offsetKey(req.group, req.topic, req.queueId);
    const reset = this.pendingResets.get(resetKey);
    if (reset !== undefined) {
      if (reset !== req.offset) return { status: GetStatus.NoMatchedMessage, messages: [], nextBeginOffset: reset, minOffset: this.store.minOffset(req.topic, req.queueId), maxOffset: this.store.maxOffset(req.topic, req.queueId), resetTo: reset };
      this.pendingResets.delete(resetKey);
    }
    const filter = this.filterFor(req.filter);
    const storeFilter = this.withExpiry(filter);
    const deadline = Date.now() + Math.min(req.suspendMs ?? 0, this.options.maxSuspendMs ?? 30_000);
    const maxMessages = Math.max(1, Math.min(req.maxMessages, 1024));
    let offset = req.offset;
    for (;;) {
      const result = await this.store.get({ topic: req.topic, queueId: req.queueId, offset, maxMessages, filter: storeFilter });
      if (result.messages.length > 0 || this.closed) {
        this.stats.recordOut(req.topic, result.messages.length, result.messages.reduce((n, m) => n + m.body.length, 0));
        return { status: result.status, messages: result.messages, nextBeginOffset: result.nextBeginOffset, minOffset: result.minOffset, maxOffset: result.maxOffset };
      }
      const waitMs = deadline - Date.now();
      const canWait = result.status === GetStatus.OffsetOverflowOne || result.status === GetStatus.NoMatchedMessage || result.status === GetStatus.NoMatchedLogicQueue || result.status === GetStatus.NoMessageInQueue;
      if (waitMs <= 0 || !canWait) {
        return { status: result.status, messages: [], nextBeginOffset: result.nextBeginOffset, minOffset: result.minOffset, maxOffset: result.maxOffset };
      }
      if (result.status === GetStatus.NoMatchedMessage) offset = result.nextBeginOffset;
      await this.hold.wait(req.topic, req.queueId, waitMs);
    }
  }

  filterFor(spec: FilterSpec | string | undefined): MessageFilter {
    const key = spec === undefined ? '' : typeof spec === 'string' ? `TAG:${spec}` : `${spec.type}:${spec.expression}`;
    let filter = this.filters.get(key);
    if (!filter) {
      filter = compileFilter(spec);
      if (this.filters.size > 10_000) this.filters.clear();
      this.filters.set(key, filter);
    }
    return filter;
  }

  private withExpiry(filter: MessageFilter): StoreFilter {
    return {
      matchesTagsCode: (code) => filter.matchesTagsCode(code),
      matchesMessage: (m) => {
        if (m.expireAt !== undefined && m.expireAt <= Date.now()) {
          this.stats.expired++;
          return false;
        }
        return filter.matchesMessage(m);
      },
    };
  }

  async sendBack(req: SendBackRequest): Promise<SendResult> {
    this.assertWritable();
    const original = await this.store.getMessageByCommitLogOffset(req.commitLogOffset);
    if (!original) throw new KernelError(KernelErrorCode.InvalidArgument, `no message at commit log offset ${req.commitLogOffset}`);
    const group = this.groups.get(req.group);
    const max = req.maxReconsumeTimes ?? group?.maxReconsumeTimes ?? this.options.maxReconsumeTimes ?? 16;
    const plan = this.retry.plan(req.group, original, max, req.delayMs);
    await this.topicForWrite(plan.message.topic);
    if (plan.deliverAt !== undefined) {
      const scheduled = this.schedule.toScheduled(plan.message, 0, plan.deliverAt);
      const put = checkPut(await this.store.put(scheduled.message, { queueId: scheduled.queueId, reconsumeTimes: plan.reconsumeTimes }));
      return { ...toSendResult(put), msgId: original.msgId, topic: plan.message.topic, queueId: 0 };
    }
    return toSendResult(await this.putResolved(plan.message, { queueId: 0, reconsumeTimes: plan.reconsumeTimes }));
  }

  // ---- groups and offsets ----

  async heartbeat(req: HeartbeatRequest): Promise<void> {
    await this.groups.ensure({ group: req.group, messageModel: req.messageModel, consumeFrom: req.consumeFrom, consumeTimestamp: req.consumeTimestamp, orderly: req.orderly, maxReconsumeTimes: req.maxReconsumeTimes });
    this.consumers.heartbeat(req);
  }

  unregisterClient(group: string, clientId: string): void {
    this.consumers.unregister(group, clientId);
    this.locks.releaseClient(group, clientId);
  }

  queryOffset(req: OffsetRequest): number {
    const key = this.offsetGroup(req);
    const committed = this.offsets.query(key, req.topic, req.queueId);
    if (committed !== undefined) return committed;
    const min = this.store.minOffset(req.topic, req.queueId);
    if (req.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return min;
    const group = this.groups.get(req.group);
    if (!group || group.consumeFrom === ConsumeFrom.First) return min;
    // LAST means "from when the group subscribed", so a topic created meanwhile loses nothing
    return this.store.searchOffset(req.topic, req.queueId, group.consumeTimestamp);
  }

  commitOffset(req: CommitOffsetRequest): void {
    if (this.pendingResets.has(offsetKey(req.group, req.topic, req.queueId))) return;
    this.offsets.commit(this.offsetGroup(req), req.topic, req.queueId, req.offset);
  }

  private offsetGroup(req: OffsetRequest): string {
    if (req.clientId && this.groups.get(req.group)?.messageModel === MessageModel.Broadcasting) return `${req.group}%${req.clientId}`;
    return req.group;
  }

  async resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]> {
    const info = this.topics.get(req.topic);
    if (!info) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(req.topic)} does not exist`);
    const lags: QueueLag[] = [];
    for (let queueId = 0; queueId < info.queueCount; queueId++) {
      const offset = this.store.searchOffset(req.topic, queueId, req.timestamp);
      this.offsets.commit(req.group, req.topic, queueId, offset);
      this.pendingResets.set(offsetKey(req.group, req.topic, queueId), offset);
      await this.pop.resetQueue(req.group, req.topic, queueId, offset);
      const max = this.store.maxOffset(req.topic, queueId);
      lags.push({ topic: req.topic, queueId, brokerOffset: max, consumerOffset: offset, lag: Math.max(0, max - offset) });
    }
    await this.offsets.persist();
    return lags;
  }

  groupLag(group: string): QueueLag[] {
    const lags: QueueLag[] = [];
    for (const topic of this.offsets.topicsOf(group).sort()) {
      for (const [queueId, offset] of [...this.offsets.queuesOf(group, topic)].sort((a, b) => a[0] - b[0])) {
        const max = this.store.maxOffset(topic, queueId);
        lags.push({ topic, queueId, brokerOffset: max, consumerOffset: offset, lag: Math.max(0, max - offset) });
      }
    }
    return lags;
  }

  groupInfo(group: string): GroupInfo | undefined {
    const config = this.groups.get(group);
    if (!config) return undefined;
    return {
      group,
      messageModel: config.messageModel,
      consumeFrom: config.consumeFrom,
      consumeTimestamp: config.consumeTimestamp,
      orderly: config.orderly,
      maxReconsumeTimes: config.maxReconsumeTimes,
      members: this.consumers.members(group),
    };
  }

  async deleteGroup(group: string): Promise<boolean> {
    this.consumers.removeGroup(group);
    this.offsets.removeGroup(group);
    const existed = await this.groups.delete(group);
    await this.offsets.persist();
    return existed;
  }

  lockQueues(req: LockRequest): number[] {
    return this.locks.tryLock(req.group, req.topic, req.queueIds, req.clientId);
  }

  unlockQueues(req: LockRequest): void {
    this.locks.unlock(req.group, req.topic, req.queueIds, req.clientId);
  }

  // ---- topics ----

  async createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo> {
    validateTopicName(req.topic);
    if (isSystemTopic(req.topic)) throw new KernelError(KernelErrorCode.InvalidTopic, `topic ${JSON.stringify(req.topic)} is reserved for the broker`);
    return this.topics.create(req);
  }

  async deleteTopic(topic: string): Promise<boolean> {
    const existed = await this.topics.delete(topic);
    if (existed) {
      await this.store.deleteTopic(topic);
      this.offsets.removeTopic(topic);
    }
    return existed;
  }

  topicStats(topic: string): TopicStats | undefined {
    const info = this.topics.get(topic);
    if (!info) return undefined;
    const queues = [];
    let messageCount = 0;
    for (let queueId = 0; queueId < info.queueCount; queueId++) {
      const minOffset = this.store.minOffset(topic, queueId);
      const maxOffset = this.store.maxOffset(topic, queueId);
      messageCount += maxOffset - minOffset;
      queues.push({ queueId, minOffset, maxOffset, lastStoreTimestamp: this.store.lastStoreTimestamp(topic, queueId) });
    }
    return { ...info, queues, messageCount };
  }

  // ---- lookup ----

  async viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    const byOffset = await this.store.viewMessage(msgId).catch(() => undefined);
    if (byOffset && (byOffset.msgId === msgId || byOffset.offsetMsgId === msgId)) return byOffset;
    // a unique key (delayed or retried copies, producer-set ids): the index knows it
    for (const topic of this.topics.list().map((t) => t.topic).concat(SCHEDULE_TOPIC)) {
      const found = await this.store.queryByKey(topic, msgId, 1);
      if (found[0]) return found[0];
    }
    return undefined;
  }

  queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]> {
    return this.store.queryByKey(req.topic, req.key, req.max ?? 32);
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hold.close();
    await this.schedule.stop();
    await this.pop.close();
    await this.transactions.close();
    await this.dlq.flush();
    this.consumers.close();
    await this.offsets.close();
    await this.topics.flush();
    await this.groups.flush();
    await this.store.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'the broker is shutting down');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.options.readOnly) throw new KernelError(KernelErrorCode.ServiceUnavailable, `broker ${this.brokerName} is a slave: it takes no writes`);
  }
}

function first(results: SendResult[]): SendResult {
  return results[0]!;
}

function offsetKey(group: string, topic: string, queueId: number): string {
  return `${group}\u0000${topic}\u0000${queueId}`;
}


function checkPut(result: PutResult): PutResult {
  if (result.status !== PutStatus.Ok) throw new KernelError(result.status === PutStatus.FlushDiskTimeout ? KernelErrorCode.Timeout : KernelErrorCode.StoreWriteFailed, `store refused the message: ${result.status}`);
  return result;
}

function toSendResult(put: PutResult): SendResult {
  return { msgId: put.msgId, topic: put.topic, queueId: put.queueId, queueOffset: put.queueOffset, commitLogOffset: put.commitLogOffset, storeTimestamp: put.storeTimestamp };
}

