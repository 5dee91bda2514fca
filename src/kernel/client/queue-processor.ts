/**
 * One queue assigned to one push-consumer member: pulls with long polling, hands each
 * message to the listener, and tracks which offsets are done so the committed offset
 * never passes a message whose listener has not resolved (RocketMQ's ProcessQueue).
 * Concurrent mode runs listeners in parallel under the consumer's semaphore; orderly
 * mode runs them one by one and retries a failure in place.
 */
import type { StoredMessage } from '../message/message.js';
import { PropertyName } from '../message/properties.js';
import type { BrokerApi, FilterSpec } from './broker-api.js';
import { ConsumeStatus, type MessageListener } from './client-types.js';
import type { Semaphore } from './semaphore.js';

export interface QueueProcessorOptions {
  api: BrokerApi;
  group: string;
  clientId: string;
  topic: string;
  queueId: number;
  filter?: FilterSpec;
  listener: MessageListener;
  semaphore: Semaphore;
  orderly: boolean;
  broadcasting: boolean;
  pullBatchSize: number;
  pullSuspendMs: number;
  maxBuffered: number;
  /** undefined: the group's setting on the broker */
  maxReconsumeTimes?: number;
  /** orderly: pause before retrying a failed message in place */
  suspendMs: number;
  onError: (err: unknown) => void;
}

/** orderly in-place retries when neither the member nor the caller sets a limit */
const ORDERLY_DEFAULT_MAX_RECONSUME = 16;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class QueueProcessor {
  private running = true;
  /** queue offsets handed to listeners and not yet resolved */
  private readonly pending = new Set<number>();
  /** every offset below this is done or in `pending` */
  private dispatchedThrough = -1;
  private lastCommitted = -1;
  private drainWaiters: Array<() => void> = [];
  /** the orderly message being consumed, awaited by stop() before the lock is released */
  private consuming: Promise<void> | undefined;

  constructor(private readonly o: QueueProcessorOptions) {}

  get key(): string {
    return `${this.o.topic}\u0000${this.o.queueId}`;
  }

  start(): void {
    void this.run().catch((err) => this.o.onError(err));
  }

  /**
   * Stops pulling and commits what is done. A pull still parked on the broker is not
   * waited for: its answer is dropped. Concurrent listeners still running finish
   * without committing; an orderly one is awaited, since its queue lock is released next.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeDrain();
    await this.consuming;
    await this.commit();
  }

  /** waits up to `ms` for in-flight listeners to resolve */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.pending.size > 0 && Date.now() < deadline) await sleep(10);
  }

  committableOffset(): number {
    if (this.dispatchedThrough < 0) return -1;
    let min = this.dispatchedThrough;
    for (const offset of this.pending) if (offset < min) min = offset;
    return min;
  }

  async commit(): Promise<void> {
    const offset = this.committableOffset();
    if (offset < 0 || offset === this.lastCommitted) return;
    this.lastCommitted = offset;
    await this.o.api.commitOffset({ group: this.o.group, topic: this.o.topic, queueId: this.o.queueId, offset, clientId: this.o.broadcasting ? this.o.clientId : undefined });
  }

  private async run(): Promise<void> {
    const o = this.o;
    let offset = await o.api.queryOffset({ group: o.group, topic: o.topic, queueId: o.queueId, clientId: o.broadcasting ? o.clientId : undefined });
    this.dispatchedThrough = offset;
    while (this.running) {
      if (this.pending.size >= o.maxBuffered) {
        await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
        continue;
      }
      let result;
      try {
        result = await o.api.pull({ group: o.group, topic: o.topic, queueId: o.queueId, offset, maxMessages: o.pullBatchSize, filter: o.filter, suspendMs: o.pullSuspendMs });
      } catch (err) {
        if (!this.running) return;
        o.onError(err);
        await sleep(1_000);
        continue;
      }
      if (!this.running) return;
      if (result.resetTo !== undefined) {
        // an admin reset: forget what is in flight, go on from the new position
        this.pending.clear();
        offset = result.resetTo;
        this.dispatchedThrough = offset;
        this.lastCommitted = offset;
        continue;
      }
      if (result.messages.length === 0) {
        if (result.nextBeginOffset === offset && o.pullSuspendMs === 0) await sleep(100);
        offset = result.nextBeginOffset;
        if (this.pending.size === 0) this.dispatchedThrough = offset;
        continue;
      }
      for (const message of result.messages) {
        if (!this.running) return;
        if (o.orderly) {
          this.consuming = this.consumeOrderly(message);
          await this.consuming;
          this.consuming = undefined;
        }
        else await this.dispatchConcurrently(message);
      }
      offset = result.nextBeginOffset;
      this.dispatchedThrough = offset;
    }
  }

  private async dispatchConcurrently(message: StoredMessage): Promise<void> {
    await this.o.semaphore.acquire();
    if (!this.running) {
      this.o.semaphore.release();
      return;
    }
    this.pending.add(message.queueOffset);
    this.dispatchedThrough = message.queueOffset + 1;
    void this.consumeOnce(message)
      .then(async (status) => {
        if (status === ConsumeStatus.ReconsumeLater) await this.fail(message);
        else if (status === ConsumeStatus.ReconsumeImmediately) await this.fail(message, 0);
      })
      .catch((err) => this.o.onError(err))
      .finally(() => {
        this.o.semaphore.release();
        this.pending.delete(message.queueOffset);
        this.wakeDrain();
      });
  }

  private async consumeOrderly(message: StoredMessage): Promise<void> {
    this.pending.add(message.queueOffset);
    try {
      for (let attempt = 0; this.running; attempt++) {
        const status = await this.consumeOnce({ ...message, reconsumeTimes: message.reconsumeTimes + attempt });
        if (status === ConsumeStatus.Success) break;
        if (attempt + 1 >= (this.o.maxReconsumeTimes ?? ORDERLY_DEFAULT_MAX_RECONSUME)) {
          // past the limit the message leaves the queue for the dead-letter topic
          await this.o.api.sendBack({ group: this.o.group, commitLogOffset: message.commitLogOffset, maxReconsumeTimes: 0, topic: this.o.topic, queueId: this.o.queueId });
          break;
        }
        await sleep(this.o.suspendMs);
      }
    } finally {
      this.pending.delete(message.queueOffset);
      this.dispatchedThrough = message.queueOffset + 1;
    }
  }

  private async consumeOnce(message: StoredMessage): Promise<ConsumeStatus> {
    const visible = toApplicationView(message);
    try {
      return await this.o.listener(visible, { topic: visible.topic, storeTopic: message.topic, queueId: message.queueId, group: this.o.group });
    } catch (err) {
      this.o.onError(err);
      return ConsumeStatus.ReconsumeLater;
    }
  }

  private async fail(message: StoredMessage, delayMs?: number): Promise<void> {
    if (this.o.broadcasting) return; // RocketMQ does not retry broadcast messages
    for (;;) {
      try {
        await this.o.api.sendBack({ group: this.o.group, commitLogOffset: message.commitLogOffset, maxReconsumeTimes: this.o.maxReconsumeTimes, delayMs, topic: this.o.topic, queueId: this.o.queueId });
        return;
      } catch (err) {
        this.o.onError(err);
        if (!this.running) return;
        await sleep(1_000);
      }
    }
  }

  private wakeDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

/** a message read from a retry topic appears in its original topic, as RocketMQ shows it */
export function toApplicationView(message: StoredMessage): StoredMessage {
  const original = message.systemProperties?.[PropertyName.RetryTopic];
  return original && message.topic !== original ? { ...message, topic: original } : message;
}
