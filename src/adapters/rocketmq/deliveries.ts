/**
 * Messages received with `auto_renew` (PushConsumer): as the proxy's ReceiptHandleProcessor,
 * this node keeps them invisible while the client's listener runs, renewing the kernel's
 * receipt handle before it lapses, and the client keeps settling them by the handle it was
 * first given. Each delivery records the kernel handle in force now and the commit log
 * offset of the message (for ForwardMessageToDeadLetterQueue).
 *
 * Settling a delivery waits for a renewal in flight, so an ack never races a handle that
 * is being replaced. For FIFO groups the receive path waits until a topic's deliveries
 * are all settled before it pops again, so a group's messages are consumed in order. Renewal stops after `maxMs` (the message is then redelivered when its
 * invisibility lapses), and when the client goes away: its deliveries are made visible at
 * once so another member of the group gets them.
 */
import type { SimpleConsumer } from '../../kernel/index.js';

export interface Delivery {
  /** the handle the client holds */
  readonly handle: string;
  /** the kernel's handle in force now */
  current: string;
  readonly group: string;
  readonly topic: string;
  readonly clientId: string;
  readonly commitLogOffset: number;
  invisibleUntil: number;
  readonly renewUntil: number;
  /** a renewal in flight */
  busy?: Promise<void>;
}

export interface AutoRenewOptions {
  invisibleMs: number;
  aheadMs: number;
  maxMs: number;
  consumerOf: (group: string) => SimpleConsumer;
  onError: (err: unknown) => void;
}

export const RENEW_SCAN_MS = 1_000;
const IDLE_POLL_MS = 10;

export class AutoRenewTable {
  private readonly deliveries = new Map<string, Delivery>();
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;

  constructor(private readonly o: AutoRenewOptions) {}

  get size(): number {
    return this.deliveries.size;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.renewDue(), Math.min(RENEW_SCAN_MS, Math.max(50, this.o.aheadMs / 4)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  add(d: Omit<Delivery, 'current' | 'renewUntil'>, now = Date.now()): void {
    this.deliveries.set(d.handle, { ...d, current: d.handle, renewUntil: now + this.o.maxMs });
  }

  has(handle: string): boolean {
    return this.deliveries.has(handle);
  }

  /**
   * runs `settle` with the delivery's current kernel handle once no renewal is in flight,
   * and forgets the delivery; undefined when the handle is not an auto-renewed delivery
   */
  async settle<T>(handle: string, settle: (current: string, delivery: Delivery) => Promise<T>): Promise<{ result: T } | undefined> {
    const d = this.deliveries.get(handle);
    if (!d) return undefined;
    while (d.busy) await d.busy;
    if (this.deliveries.get(handle) !== d) return undefined;
    this.deliveries.delete(handle);
    return { result: await settle(d.current, d) };
  }

  /** deliveries of a group's topic not settled yet */
  outstanding(group: string, topic: string): number {
    let n = 0;
    for (const d of this.deliveries.values()) if (d.group === group && d.topic === topic) n++;
    return n;
  }

  /**
   * waits until every delivery of the group's topic is settled (FIFO: the next messages
   * are handed out only after the previous ones), or until `deadline`; true when idle
   */
  async waitIdle(group: string, topic: string, deadline: number, gone: () => boolean = () => false): Promise<boolean> {
    while (this.outstanding(group, topic) > 0) {
      if (Date.now() >= deadline || gone()) return false;
      await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
    }
    return true;
  }

  /** the client is gone: stop renewing its deliveries and make them visible to the group now */
  async releaseClient(clientId: string): Promise<void> {
    const mine = [...this.deliveries.values()].filter((d) => d.clientId === clientId);
    await Promise.all(mine.map((d) => this.settle(d.handle, (current) => this.o.consumerOf(d.group).changeInvisibleDuration(current, 0))
      .catch(() => undefined)));
  }

  /** renews every delivery whose invisibility ends within `aheadMs` */
  async renewDue(now = Date.now()): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const due = [...this.deliveries.values()].filter((d) => !d.busy && d.invisibleUntil - now <= this.o.aheadMs);
      await Promise.all(due.map((d) => this.renew(d, now)));
    } finally {
      this.scanning = false;
    }
  }

  private async renew(d: Delivery, now: number): Promise<void> {
    if (now >= d.renewUntil) {
      // held too long: left to lapse and be redelivered
      this.deliveries.delete(d.handle);
      return;
    }
    const work = (async () => {
      try {
        d.current = await this.o.consumerOf(d.group).changeInvisibleDuration(d.current, this.o.invisibleMs);
        d.invisibleUntil = Date.now() + this.o.invisibleMs;
      } catch (err) {
        // acked elsewhere, lapsed or the broker refused: nothing left to renew
        this.deliveries.delete(d.handle);
        this.o.onError(err);
      }
    })();
    d.busy = work;
    await work;
    d.busy = undefined;
  }
}
