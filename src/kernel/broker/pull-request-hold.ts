/**
 * Long polling (RocketMQ's PullRequestHoldService): a pull that finds nothing is parked
 * until a message is dispatched to its queue or its wait runs out. The store's dispatch
 * notification wakes the parked pulls of that queue, which then re-run their read.
 */
interface Parked {
  wake: () => void;
  timer: NodeJS.Timeout;
}

export class PullRequestHold {
  private readonly parked = new Map<string, Set<Parked>>();
  private closed = false;

  /** resolves when a message arrives on the queue (true) or the wait ends (false) */
  wait(topic: string, queueId: number, waitMs: number): Promise<boolean> {
    if (this.closed || waitMs <= 0) return Promise.resolve(false);
    const key = `${topic}\u0000${queueId}`;
    return new Promise((resolve) => {
      let set = this.parked.get(key);
      if (!set) this.parked.set(key, (set = new Set()));
      const entry: Parked = {
        wake: () => {
          clearTimeout(entry.timer);
          set!.delete(entry);
          resolve(true);
        },
        timer: setTimeout(() => {
          set!.delete(entry);
          if (set!.size === 0) this.parked.delete(key);
          resolve(false);
        }, waitMs),
      };
      set.add(entry);
    });
  }

  /** like `wait`, for the first message on any of `queues` (pop reads many queues at once) */
  waitAny(queues: ReadonlyArray<{ topic: string; queueId: number }>, waitMs: number): Promise<boolean> {
    if (this.closed || waitMs <= 0 || queues.length === 0) return Promise.resolve(false);
    const keys = queues.map((q) => `${q.topic}\u0000${q.queueId}`);
    return new Promise((resolve) => {
      const remove = (): void => {
        for (const key of keys) {
          const set = this.parked.get(key);
          if (!set) continue;
          set.delete(entry);
          if (set.size === 0) this.parked.delete(key);
        }
      };
      const entry: Parked = {
        wake: () => {
          clearTimeout(entry.timer);
          remove();
          resolve(true);
        },
        timer: setTimeout(() => {
          remove();
          resolve(false);
        }, waitMs),
      };
      for (const key of keys) {
        let set = this.parked.get(key);
        if (!set) this.parked.set(key, (set = new Set()));
        set.add(entry);
      }
    });
  }

  notify(topic: string, queueId: number): void {
    if (this.parked.size === 0) return; // runs for every stored message: no key string when nobody waits
    const key = `${topic}\u0000${queueId}`;
    const set = this.parked.get(key);
    if (!set) return;
    this.parked.delete(key);
    for (const entry of set) entry.wake();
  }

  /** pulls parked on one queue now */
  parkedOn(topic: string, queueId: number): number {
    return this.parked.get(`${topic}\u0000${queueId}`)?.size ?? 0;
  }

  get parkedCount(): number {
    let n = 0;
    for (const set of this.parked.values()) n += set.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const set of this.parked.values()) for (const entry of set) entry.wake();
    this.parked.clear();
  }
}
