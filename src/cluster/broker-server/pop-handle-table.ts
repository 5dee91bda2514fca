/**
 * The kernel's receipt handles behind RocketMQ 5's pop handles. A RocketMQ 5 client
 * builds each popped message's handle itself (ExtraInfoUtil.buildExtraInfo, the POP_CK
 * property) from the pop response's header: `ckQueueOffset popTime invisibleTime
 * reviveQid retryFlag brokerName queueId queueOffset`, and hands it back with ACK_MESSAGE
 * and CHANGE_MESSAGE_INVISIBLETIME. It has no room for the kernel's handle (its delivery
 * sequence), so the broker server keeps the kernel's handle of every pending delivery
 * here under what the client's handle names: group, retry flag, queue, queue offset and
 * pop time. In memory only: after a broker restart an old handle is unknown, and its
 * message comes again once invisible no more (at least once, as with a lost ack).
 */
export interface PopDelivery {
  receiptHandle: string;
  invisibleUntil: number;
}

/** entries stay this long past their invisibility (an ack racing the redelivery) */
const GRACE_MS = 60_000;
const SWEEP_EVERY_MS = 5_000;

export function popHandleKey(group: string, retryFlag: string, queueId: number, queueOffset: number, popTime: number): string {
  return `${group}\u0000${retryFlag}\u0000${queueId}\u0000${queueOffset}\u0000${popTime}`;
}

export class PopHandleTable {
  private readonly entries = new Map<string, PopDelivery>();
  private lastSweep = Date.now();

  put(key: string, delivery: PopDelivery): void {
    this.entries.set(key, delivery);
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [k, d] of this.entries) if (d.invisibleUntil + GRACE_MS < now) this.entries.delete(k);
  }

  get(key: string): PopDelivery | undefined {
    return this.entries.get(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
