/**
 * A controller-mode master's high-water mark: the commit log offset every in-sync replica
 * holds (`confirmedEnd`, the lowest acknowledged offset over the in-sync set; the master's
 * own end when it is alone in it). Consumers read only below it, so nothing they saw can
 * be cut off as a divergent tail when another replica becomes master.
 *
 * The mark is kept per queue as the first queue offset not yet visible: every record
 * dispatched past the mark is remembered (queue offset, record end) until the mark passes
 * its end; the queue's parked long polls are then woken (`wake`). The mark never goes
 * back. `reached(end)` waits for the mark to pass records already handed to a reader that
 * cannot be capped (pop takes its messages before the mark is known to it). Records the log held when this master opened count as confirmed: it was elected
 * as the in-sync replica with the most of them.
 */
import type { MessageStore } from '../../kernel/store/message-store.js';
import type { DispatchRequest } from '../../kernel/store/store-api.js';
import { KernelErrorCode } from '../../kernel/errors.js';
import { KERNEL_CODE_FIELD } from '../broker-server/kernel-errors.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';

export interface HighWaterMarkOptions {
  store: MessageStore;
  /** the commit log offset every in-sync replica holds now */
  confirmedEnd: () => number;
  /** a queue has newly visible records */
  wake: (topic: string, queueId: number) => void;
}

interface QueueTail {
  topic: string;
  queueId: number;
  /** records past the mark, in queue order */
  entries: Array<{ queueOffset: number; end: number }>;
}

export class HighWaterMark {
  private mark: number;
  private readonly tails = new Map<string, QueueTail>();
  private readonly unsubscribe: () => void;
  private waiters: Array<{ end: number; resolve: () => void; reject: (err: Error) => void }> = [];
  private closed = false;

  constructor(private readonly o: HighWaterMarkOptions) {
    this.mark = o.store.commitLogMaxOffset;
    this.unsubscribe = o.store.onDispatched((req) => this.dispatched(req));
  }

  get offset(): number {
    return this.mark;
  }

  /** the first queue offset of the queue consumers may not read yet; undefined: all of it */
  visibleEnd(topic: string, queueId: number): number | undefined {
    return this.tails.get(queueKey(topic, queueId))?.entries[0]?.queueOffset;
  }

  /** resolves once the mark reaches `end`; rejects if this master closes first */
  reached(end: number): Promise<void> {
    if (end <= this.mark) return Promise.resolve();
    this.advance();
    if (end <= this.mark) return Promise.resolve();
    if (this.closed) return Promise.reject(stepping());
    return new Promise((resolve, reject) => this.waiters.push({ end, resolve, reject }));
  }

  /** takes the in-sync replicas' latest acknowledgements (call on every ack and in-sync set change) */
  advance(): void {
    const next = this.o.confirmedEnd();
    if (next <= this.mark) return;
    this.mark = next;
    if (this.waiters.length > 0) {
      const waiting = this.waiters;
      this.waiters = waiting.filter((w) => w.end > next);
      for (const w of waiting) if (w.end <= next) w.resolve();
    }
    for (const [key, tail] of this.tails) {
      let n = 0;
      while (n < tail.entries.length && tail.entries[n]!.end <= next) n++;
      if (n === 0) continue;
      if (n === tail.entries.length) this.tails.delete(key);
      else tail.entries.splice(0, n);
      this.o.wake(tail.topic, tail.queueId);
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.tails.clear();
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(stepping());
  }

  private dispatched(req: DispatchRequest): void {
    const end = req.commitLogOffset + req.size;
    if (end <= this.mark) return;
    this.advance();
    if (end <= this.mark) return;
    const key = queueKey(req.topic, req.queueId);
    let tail = this.tails.get(key);
    if (!tail) this.tails.set(key, (tail = { topic: req.topic, queueId: req.queueId, entries: [] }));
    tail.entries.push({ queueOffset: req.queueOffset, end });
  }
}

/**
 * The commit log offset all of `members` (broker ids; `selfId` is the master) acknowledged:
 * the master's own end when it is the only member, -1 while a member has not reported.
 */
export function inSyncConfirmedEnd(members: number[], selfId: number, acks: Array<{ brokerId: number | undefined; acked: number }>, ownEnd: number): number {
  let min = ownEnd;
  for (const id of members) {
    if (id === selfId) continue;
    let acked = -1;
    for (const a of acks) if (a.brokerId === id && a.acked > acked) acked = a.acked;
    min = Math.min(min, acked);
  }
  return min;
}

function stepping(): ResponseError {
  return new ResponseError(ResponseCode.SERVICE_NOT_AVAILABLE, 'the master is stepping down', { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable });
}

function queueKey(topic: string, queueId: number): string {
  return `${topic}\u0000${queueId}`;
}
