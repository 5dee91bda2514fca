/**
 * Live members of each consumer group, from heartbeats (RocketMQ's ConsumerManager).
 * A member silent for longer than the expiry is dropped. Rebalance reads the sorted
 * member list; every change bumps the group's version.
 */
import type { GroupMember, HeartbeatRequest } from '../client/broker-api.js';

interface GroupState {
  members: Map<string, GroupMember>;
  version: number;
}

export class ConsumerManager {
  private readonly groups = new Map<string, GroupState>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly expiryMs: number) {
    this.timer = setInterval(() => this.scanExpired(), Math.max(100, Math.min(expiryMs / 2, 10_000)));
    this.timer.unref();
  }

  heartbeat(req: HeartbeatRequest): void {
    let state = this.groups.get(req.group);
    if (!state) this.groups.set(req.group, (state = { members: new Map(), version: 0 }));
    const known = state.members.has(req.clientId);
    state.members.set(req.clientId, {
      clientId: req.clientId,
      protocol: req.protocol ?? 'kernel',
      lastHeartbeat: Date.now(),
      subscriptions: req.subscriptions,
    });
    if (!known) state.version++;
  }

  unregister(group: string, clientId: string): void {
    const state = this.groups.get(group);
    if (state?.members.delete(clientId)) state.version++;
  }

  members(group: string): GroupMember[] {
    return [...(this.groups.get(group)?.members.values() ?? [])].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  }

  memberIds(group: string): string[] {
    return this.members(group).map((m) => m.clientId);
  }

  isMember(group: string, clientId: string): boolean {
    return this.groups.get(group)?.members.has(clientId) ?? false;
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  removeGroup(group: string): void {
    this.groups.delete(group);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private scanExpired(): void {
    const deadline = Date.now() - this.expiryMs;
    for (const state of this.groups.values()) {
      for (const [id, member] of state.members) {
        if (member.lastHeartbeat < deadline) {
          state.members.delete(id);
          state.version++;
        }
      }
    }
  }
}
