/**
 * Orderly consumption locks: a queue of a group is held by one client at a time,
 * for a lease the holder renews (RocketMQ's RebalanceLockManager, 60 s lease).
 */
export class QueueLockManager {
  /** `group\u0000topic\u0000queueId` → holder */
  private readonly locks = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(private readonly leaseMs: number) {}

  tryLock(group: string, topic: string, queueIds: number[], clientId: string): number[] {
    const now = Date.now();
    const locked: number[] = [];
    for (const queueId of queueIds) {
      const key = `${group}\u0000${topic}\u0000${queueId}`;
      const holder = this.locks.get(key);
      if (!holder || holder.clientId === clientId || holder.expiresAt < now) {
        this.locks.set(key, { clientId, expiresAt: now + this.leaseMs });
        locked.push(queueId);
      }
    }
    return locked;
  }

  unlock(group: string, topic: string, queueIds: number[], clientId: string): void {
    for (const queueId of queueIds) {
      const key = `${group}\u0000${topic}\u0000${queueId}`;
      if (this.locks.get(key)?.clientId === clientId) this.locks.delete(key);
    }
  }

  /** drops every lock a client holds (it left the group) */
  releaseClient(group: string, clientId: string): void {
    for (const [key, holder] of this.locks) {
      if (holder.clientId === clientId && key.startsWith(`${group}\u0000`)) this.locks.delete(key);
    }
  }
}
