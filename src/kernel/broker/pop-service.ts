/**
 * Pop consumption (DESIGN.md §3, RocketMQ 5's PopMessageProcessor / AckMessageProcessor /
 * ChangeInvisibleTimeProcessor / PopReviveService in one service).
 *
 * A receiver pops from every queue of a topic and from the group's retry topic, with
 * long polling across all of them. Each popped message becomes an in-flight entry of
 * its queue, invisible to the group's other receivers until `invisibleUntil`, and is
 * settled by its receipt handle (receipt-handle.ts):
 *   ack                  the entry is done
 *   changeInvisibleTime  new deadline and a new delivery sequence: the old handle is refused
 *   nack                 redelivered now through sendBack (reconsumeTimes + 1, backoff, or DLQ)
 * An entry whose deadline passes un-acked is revived the same way as a nack (pop-revive.ts).
 *
 * The retry topic `%RETRY%{group}` is shared by every topic the group consumes, so each
 * popped topic has its own cursor over it and takes only the retries that came from it
 * (RETRY_TOPIC property). The group's committed offset of a queue is its lowest
 * un-settled offset (for the retry topic: the lowest over the topics' cursors), so
 * admin lag views are right. The state is durable before receive or ack answer
 * (pop-state.ts), so a restart loses no popped message and redelivers no acked one.
 */
import type { Broker } from './broker.js';
import type {
  AckMessageRequest, ChangeInvisibleTimeRequest, ChangeInvisibleTimeResult, NackMessageRequest, PoppedMessage, PopRequest, PopResult,
} from '../client/broker-api.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { KernelError, KernelErrorCode, isKernelError } from '../errors.js';
import type { StoredMessage } from '../message/message.js';
import type { StoreFilter } from '../store/store-api.js';
import type { MessageFilter } from './filter/message-filter.js';
import { decodeReceiptHandle, encodeReceiptHandle, invalid } from './receipt-handle.js';
import { applicationTopic } from './retry.js';
import { PopReviveService } from './pop-revive.js';
import { type PopEntry, type PopQueueState, PopStateStore, popQueueKey } from './pop-state.js';
import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX, retryTopic } from './topic-names.js';

export const MAX_INVISIBLE_MS = 12 * 3_600_000;
export const MAX_POP_MESSAGES = 1_024;

/** what the pop service uses of the broker */
export type PopBroker = Pick<Broker, 'brokerName' | 'store' | 'topics' | 'groups' | 'offsets' | 'hold' | 'stats' | 'filterFor' | 'queryOffset' | 'sendBack' | 'isClosed'>;

interface QueueRef {
  popTopic: string;
  storeTopic: string;
  queueId: number;
}

export class PopService {
  private readonly mutex = new KeyedMutex();
  private readonly rotation = new Map<string, number>();
  private readonly revive: PopReviveService;
  private closed = false;

  private constructor(private readonly b: PopBroker, private readonly state: PopStateStore, private readonly maxSuspendMs: number, onError: (err: unknown) => void) {
    this.revive = new PopReviveService(state, (q, entry) => this.redeliver(q, entry), onError);
  }

  static async open(options: { broker: PopBroker; dir: string; maxSuspendMs?: number; onError?: (err: unknown) => void }): Promise<PopService> {
    const state = await PopStateStore.open(options.dir);
    const service = new PopService(options.broker, state, options.maxSuspendMs ?? 30_000, options.onError ?? (() => undefined));
    // entries popped before the restart are revived when their deadline passes, as before it
    for (const q of state.all()) for (const e of q.inflight.values()) service.revive.schedule(q, e);
    return service;
  }

  async pop(req: PopRequest): Promise<PopResult> {
    this.assertOpen();
    const { group, topic } = req;
    if (!Number.isInteger(req.maxMessages) || req.maxMessages < 1 || req.maxMessages > MAX_POP_MESSAGES) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `maxMessages must be an integer from 1 to ${MAX_POP_MESSAGES}, got ${req.maxMessages}`);
    }
    checkInvisibleMs(req.invisibleMs);
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) throw new KernelError(KernelErrorCode.InvalidTopic, `pop ${JSON.stringify(topic.slice(RETRY_GROUP_TOPIC_PREFIX.length))}: retries are popped with their topic`);
    const info = this.b.topics.get(topic);
    if (!info) throw new KernelError(KernelErrorCode.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
    await this.b.groups.ensure({ group, consumeFrom: req.consumeFrom, consumeTimestamp: req.consumeTimestamp });
    const filter = this.b.filterFor(req.filter);
    const refs = this.refsOf(group, topic, info.queueCount);
    const deadline = Date.now() + Math.min(Math.max(req.waitMs ?? 0, 0), this.maxSuspendMs);
    for (;;) {
      const messages: PoppedMessage[] = [];
      let progressed = false;
      for (const ref of refs) {
        if (messages.length >= req.maxMessages) break;
        const got = await this.popQueue(group, ref, req.maxMessages - messages.length, req.invisibleMs, filter);
        messages.push(...got.messages);
        progressed ||= got.progressed;
      }
      if (messages.length > 0) {
        await this.state.sync();
        this.b.stats.recordOut(topic, messages.length, messages.reduce((n, m) => n + m.body.length, 0));
        return { messages };
      }
      const waitMs = deadline - Date.now();
      if (waitMs <= 0 || this.closed || this.b.isClosed) return { messages: [] };
      // checked in the same tick as the wait is parked, so no arrival slips between them
      const behind = refs.some((r) => this.b.store.maxOffset(r.storeTopic, r.queueId) > (this.state.get(popQueueKey(group, r.popTopic, r.storeTopic, r.queueId))?.next ?? 0));
      if (behind && progressed) continue;
      await this.b.hold.waitAny(refs.map((r) => ({ topic: r.storeTopic, queueId: r.queueId })), behind ? Math.min(waitMs, 100) : waitMs);
    }
  }

  async ack(req: AckMessageRequest): Promise<void> {
    this.assertOpen();
    const { q, entry } = this.current(req.group, req.receiptHandle);
    this.state.remove(q, entry.queueOffset);
    this.commitOffset(q);
    await this.state.sync();
  }

  async changeInvisibleTime(req: ChangeInvisibleTimeRequest): Promise<ChangeInvisibleTimeResult> {
    this.assertOpen();
    checkInvisibleMs(req.invisibleMs, 0);
    const { q, entry } = this.current(req.group, req.receiptHandle);
    const next: PopEntry = { ...entry, sequence: this.state.nextSequence(), invisibleUntil: Date.now() + req.invisibleMs };
    this.state.put(q, next);
    this.revive.schedule(q, next);
    await this.state.sync();
    return { receiptHandle: this.handleOf(q, next), invisibleUntil: next.invisibleUntil };
  }

  async nack(req: NackMessageRequest): Promise<void> {
    this.assertOpen();
    if (req.delayMs !== undefined && (!Number.isInteger(req.delayMs) || req.delayMs < 0 || req.delayMs > MAX_INVISIBLE_MS)) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `delayMs must be an integer from 0 to ${MAX_INVISIBLE_MS}, got ${req.delayMs}`);
    }
    const { q, entry } = this.current(req.group, req.receiptHandle);
    await this.redeliver(q, entry, req.delayMs);
    await this.state.sync();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.revive.close();
    await this.state.close();
  }

  // ---- receive ----

  /** the topic's queues, then the group's retry topic, starting at a rotating queue so receivers share the load */
  private refsOf(group: string, topic: string, queueCount: number): QueueRef[] {
    const refs: QueueRef[] = [];
    for (let queueId = 0; queueId < queueCount; queueId++) refs.push({ popTopic: topic, storeTopic: topic, queueId });
    if (!topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) refs.push({ popTopic: topic, storeTopic: retryTopic(group), queueId: 0 });
    const rotationKey = `${group}\u0001${topic}`;
    const start = (this.rotation.get(rotationKey) ?? 0) % refs.length;
    this.rotation.set(rotationKey, start + 1);
    return [...refs.slice(start), ...refs.slice(0, start)];
  }

  private popQueue(group: string, ref: QueueRef, max: number, invisibleMs: number, filter: MessageFilter): Promise<{ messages: PoppedMessage[]; progressed: boolean }> {
    const key = popQueueKey(group, ref.popTopic, ref.storeTopic, ref.queueId);
    return this.mutex.run(key, async () => {
      const q = this.state.get(key) ?? this.state.createQueue({ group, ...ref, next: this.initialOffset(group, ref) });
      const result = await this.b.store.get({ topic: ref.storeTopic, queueId: ref.queueId, offset: q.next, maxMessages: max, filter: this.storeFilter(ref, filter) });
      const invisibleUntil = Date.now() + invisibleMs;
      const messages: PoppedMessage[] = [];
      for (const m of result.messages) {
        const entry: PopEntry = { queueOffset: m.queueOffset, commitLogOffset: m.commitLogOffset, sequence: this.state.nextSequence(), invisibleUntil };
        this.state.put(q, entry);
        this.revive.schedule(q, entry);
        messages.push({ ...m, receiptHandle: this.handleOf(q, entry), invisibleUntil });
      }
      const progressed = result.nextBeginOffset !== q.next;
      if (progressed) this.state.setNext(q, result.nextBeginOffset);
      this.commitOffset(q);
      return { messages, progressed };
    });
  }

  /**
   * An admin reset of a group's offset: the queue's pop cursor moves there and what was
   * in flight is forgotten (its receipt handles go stale), as a push consumer drops its
   * buffered messages on a reset.
   */
  async resetQueue(group: string, topic: string, queueId: number, offset: number): Promise<void> {
    for (const q of [...this.state.all()]) {
      if (q.group !== group || q.storeTopic !== topic || q.queueId !== queueId) continue;
      for (const queueOffset of [...q.inflight.keys()]) this.state.remove(q, queueOffset);
      this.state.setNext(q, offset);
    }
    await this.state.sync();
  }

  /** a new cursor starts at the group's committed offset, or its start position */
  private initialOffset(group: string, ref: QueueRef): number {
    return this.b.queryOffset({ group, topic: ref.storeTopic, queueId: ref.queueId });
  }

  private storeFilter(ref: QueueRef, filter: MessageFilter): StoreFilter {
    const fromRetry = ref.storeTopic !== ref.popTopic;
    return {
      matchesTagsCode: (code) => filter.matchesTagsCode(code),
      matchesMessage: (m: StoredMessage) => {
        if (fromRetry && applicationTopic(m) !== ref.popTopic) return false;
        if (m.expireAt !== undefined && m.expireAt <= Date.now()) {
          this.b.stats.expired++; // TTL: an expired message is not delivered
          return false;
        }
        return filter.matchesMessage(m);
      },
    };
  }

  // ---- settle ----

  /** the in-flight entry a handle names, if the handle is its current delivery */
  private current(group: string, receiptHandle: string): { q: PopQueueState; entry: PopEntry } {
    const h = decodeReceiptHandle(receiptHandle);
    if (h.brokerName !== this.b.brokerName) throw invalid(`it belongs to broker ${JSON.stringify(h.brokerName)}`);
    const q = this.state.get(popQueueKey(group, h.popTopic, h.storeTopic, h.queueId));
    const entry = q?.inflight.get(h.queueOffset);
    if (!q || !entry || entry.commitLogOffset !== h.commitLogOffset) throw invalid('the message was acked or redelivered, or the handle is of another group');
    if (entry.sequence !== h.sequence) throw invalid('a newer handle replaced it (changeInvisibleTime)');
    if (entry.reviving) throw invalid('its invisibility expired and the message is being redelivered');
    return { q, entry };
  }

  private handleOf(q: PopQueueState, e: PopEntry): string {
    return encodeReceiptHandle({
      brokerName: this.b.brokerName, popTopic: q.popTopic, storeTopic: q.storeTopic, queueId: q.queueId,
      queueOffset: e.queueOffset, commitLogOffset: e.commitLogOffset, sequence: e.sequence, invisibleUntil: e.invisibleUntil,
    });
  }

  /** to the retry topic (or DLQ), then the entry is settled; a crash in between redelivers twice, never zero times */
  private async redeliver(q: PopQueueState, entry: PopEntry, delayMs?: number): Promise<void> {
    entry.reviving = true;
    try {
      await this.b.sendBack({ group: q.group, commitLogOffset: entry.commitLogOffset, delayMs });
    } catch (err) {
      // the record is gone (retention): nothing left to redeliver
      if (!isKernelError(err, KernelErrorCode.InvalidArgument)) {
        entry.reviving = false;
        throw err;
      }
    }
    this.state.remove(q, entry.queueOffset);
    this.commitOffset(q);
  }

  private commitOffset(q: PopQueueState): void {
    if (q.storeTopic === q.popTopic) {
      this.b.offsets.commit(q.group, q.storeTopic, q.queueId, lowestUnsettled(q));
      return;
    }
    let lowest = Infinity;
    for (const other of this.state.all()) {
      if (other.group === q.group && other.storeTopic === q.storeTopic && other.queueId === q.queueId) lowest = Math.min(lowest, lowestUnsettled(other));
    }
    this.b.offsets.commit(q.group, q.storeTopic, q.queueId, lowest);
  }

  private assertOpen(): void {
    if (this.closed || this.b.isClosed) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'the broker is shutting down');
  }
}

/** entries are kept in ascending offset order, so the first one is the lowest */
function lowestUnsettled(q: PopQueueState): number {
  for (const offset of q.inflight.keys()) return Math.min(offset, q.next);
  return q.next;
}

/** receive needs at least 1 ms; changing the invisibility to 0 makes the message visible at once */
function checkInvisibleMs(ms: number, min = 1): void {
  if (!Number.isInteger(ms) || ms < min || ms > MAX_INVISIBLE_MS) {
    throw new KernelError(KernelErrorCode.InvalidArgument, `invisibleMs must be an integer from ${min} to ${MAX_INVISIBLE_MS}, got ${ms}`);
  }
}
