/**
 * Revive of popped messages (RocketMQ 5's PopReviveService): an in-flight entry whose
 * invisibility ends un-acked is redelivered through the group's retry topic. Deadlines
 * wait in a min-heap with one timer armed for the earliest; an entry settled or given a
 * new deadline meanwhile is skipped when its old deadline comes up (its sequence no
 * longer matches). Due entries are redelivered in batches, then made durable with one
 * group commit of the pop state.
 */
import { MinHeap } from '../common/min-heap.js';
import type { PopEntry, PopQueueState, PopStateStore } from './pop-state.js';

/** a failed revive (store busy or closing) is tried again after this long */
export const REVIVE_RETRY_MS = 1_000;
/** entries redelivered at once */
export const REVIVE_BATCH = 64;

interface ReviveTask {
  at: number;
  key: string;
  queueOffset: number;
  sequence: number;
}

export class PopReviveService {
  private readonly due = new MinHeap<ReviveTask>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private reviving: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly state: PopStateStore,
    /** sends the entry's message back and settles the entry */
    private readonly redeliver: (q: PopQueueState, entry: PopEntry) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** (re)starts the countdown of an entry; call again after every change of its deadline */
  schedule(q: PopQueueState, e: PopEntry): void {
    this.due.push({ at: e.invisibleUntil, key: q.key, queueOffset: e.queueOffset, sequence: e.sequence });
    if (e.invisibleUntil < this.timerAt) this.arm();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.reviving;
  }

  private arm(): void {
    if (this.closed || this.reviving) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.due.peek();
    this.timerAt = next?.at ?? Infinity;
    if (!next) return;
    this.timer = setTimeout(() => this.reviveDue(), Math.max(0, next.at - Date.now()));
    this.timer.unref();
  }

  private reviveDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.reviving = (async () => {
      while (!this.closed) {
        const batch: Array<{ task: ReviveTask; q: PopQueueState; entry: PopEntry }> = [];
        let task: ReviveTask | undefined;
        while (batch.length < REVIVE_BATCH && (task = this.due.peek()) && task.at <= Date.now()) {
          this.due.pop();
          const q = this.state.get(task.key);
          const entry = q?.inflight.get(task.queueOffset);
          if (q && entry && entry.sequence === task.sequence && !entry.reviving) batch.push({ task, q, entry });
        }
        if (batch.length === 0) return;
        await Promise.all(batch.map(({ task, q, entry }) => this.redeliver(q, entry).catch((err) => {
          this.onError(err);
          this.due.push({ ...task, at: Date.now() + REVIVE_RETRY_MS });
        })));
        await this.state.sync().catch(this.onError);
      }
    })().finally(() => {
      this.reviving = undefined;
      this.arm();
    });
  }
}
