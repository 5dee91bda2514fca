/**
 * Delayed delivery (DESIGN.md §3): RocketMQ's delay levels and arbitrary deliver-at
 * times, both kept in the commit log so they survive a restart.
 *
 * A delayed message is stored in SCHEDULE_TOPIC_XXXX, in the timer bucket with the
 * largest delay not above its remaining time (buckets: 100 ms × 2^i). Each bucket is a
 * FIFO whose entries fall due in store order (store time + bucket delay), so one
 * reader per bucket waits only on its head. A due entry whose deliver-at time is still
 * ahead hops to a smaller bucket; otherwise it is stored in its real topic and queue.
 * Hops shrink the remaining time geometrically: a message is at most one bucket-0 delay
 * (100 ms) late. Progress per bucket is an offset of the internal group below.
 */
import type { Message, StoredMessage } from '../message/message.js';
import { PropertyName } from '../message/properties.js';
import type { PutOptions } from '../store/store-api.js';
import type { PutResult } from '../store/results.js';
import type { MessageStore } from '../store/message-store.js';
import type { ConsumerOffsetManager } from './consumer-offset-manager.js';
import type { PullRequestHold } from './pull-request-hold.js';
import { SCHEDULE_TOPIC } from './topic-names.js';

export const SCHEDULE_GROUP = 'SCHEDULE_SERVICE';
export const BUCKET_BASE_MS = 100;
export const BUCKET_COUNT = 31;

export function bucketDelay(bucket: number): number {
  return BUCKET_BASE_MS * 2 ** bucket;
}

export function bucketFor(remainingMs: number): number {
  let bucket = 0;
  while (bucket + 1 < BUCKET_COUNT && bucketDelay(bucket + 1) <= remainingMs) bucket++;
  return bucket;
}

export interface ScheduleDeps {
  store: MessageStore;
  offsets: ConsumerOffsetManager;
  hold: PullRequestHold;
  /** stores a message in its real topic (counts, wakes consumers) */
  deliver: (message: Message, options: PutOptions) => Promise<PutResult>;
  onError: (err: unknown) => void;
}

export class ScheduleService {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly deps: ScheduleDeps) {}

  /** rewrites a message bound for `deliverAt` into the timer bucket for its remaining time */
  toScheduled(message: Message, realQueueId: number, deliverAt: number, now = Date.now()): { message: Message; queueId: number } {
    const system = { ...message.systemProperties };
    system[PropertyName.RealTopic] ??= message.topic;
    system[PropertyName.RealQueueId] ??= String(realQueueId);
    return {
      message: { ...message, topic: SCHEDULE_TOPIC, deliverAt, delayLevel: undefined, systemProperties: system },
      queueId: bucketFor(deliverAt - now),
    };
  }

  start(): void {
    this.running = true;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) this.loops.push(this.runBucket(bucket));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    await Promise.all(this.loops);
  }

  private async runBucket(bucket: number): Promise<void> {
    const { store, offsets, hold } = this.deps;
    let offset = offsets.query(SCHEDULE_GROUP, SCHEDULE_TOPIC, bucket) ?? store.minOffset(SCHEDULE_TOPIC, bucket);
    while (this.running) {
      try {
        const result = await store.get({ topic: SCHEDULE_TOPIC, queueId: bucket, offset, maxMessages: 32 });
        if (result.messages.length === 0) {
          if (result.nextBeginOffset !== offset) {
            offset = result.nextBeginOffset;
            offsets.commit(SCHEDULE_GROUP, SCHEDULE_TOPIC, bucket, offset);
            continue;
          }
          await hold.wait(SCHEDULE_TOPIC, bucket, 1_000);
          continue;
        }
        for (const scheduled of result.messages) {
          const due = scheduled.storeTimestamp + bucketDelay(bucket);
          if (due > Date.now()) await this.sleep(due - Date.now());
          // never early: a remainder too short to hop to bucket 0 is waited out here
          const left = (scheduled.deliverAt ?? 0) - Date.now();
          if (left > 0 && left < BUCKET_BASE_MS) await this.sleep(left);
          if (!this.running) return;
          await this.forward(scheduled);
          offset = scheduled.queueOffset + 1;
          offsets.commit(SCHEDULE_GROUP, SCHEDULE_TOPIC, bucket, offset);
        }
      } catch (err) {
        this.deps.onError(err);
        await this.sleep(1_000);
      }
    }
  }

  private async forward(scheduled: StoredMessage): Promise<void> {
    const deliverAt = scheduled.deliverAt ?? 0;
    const system = { ...scheduled.systemProperties };
    const realTopic = system[PropertyName.RealTopic] ?? scheduled.topic;
    const realQueueId = Number(system[PropertyName.RealQueueId] ?? 0);
    const base: Message = toPlainMessage(scheduled);
    const remaining = deliverAt - Date.now();
    if (remaining >= BUCKET_BASE_MS) {
      const next = this.toScheduled(base, realQueueId, deliverAt);
      await this.deps.store.put(next.message, { queueId: next.queueId, reconsumeTimes: scheduled.reconsumeTimes, sysFlag: scheduled.sysFlag });
      return;
    }
    // the last stretch (under one bucket) is waited out here: never early
    if (remaining > 0) await this.sleep(remaining);
    if (!this.running) return;
    delete system[PropertyName.RealTopic];
    delete system[PropertyName.RealQueueId];
    await this.deps.deliver(
      { ...base, topic: realTopic, deliverAt: undefined, systemProperties: Object.keys(system).length > 0 ? system : undefined },
      { queueId: realQueueId, reconsumeTimes: scheduled.reconsumeTimes, sysFlag: scheduled.sysFlag },
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

/** the user-settable fields of a stored message, to store it again */
export function toPlainMessage(m: StoredMessage): Message {
  return {
    topic: m.topic,
    body: m.body,
    tag: m.tag,
    keys: m.keys,
    properties: m.properties,
    contentType: m.contentType,
    shardingKey: m.shardingKey,
    deliverAt: m.deliverAt,
    expireAt: m.expireAt,
    priority: m.priority,
    correlationId: m.correlationId,
    replyTo: m.replyTo,
    path: m.path,
    uniqueId: m.uniqueId ?? m.msgId,
    bornTimestamp: m.bornTimestamp,
    producerGroup: m.producerGroup,
    systemProperties: m.systemProperties,
  };
}
