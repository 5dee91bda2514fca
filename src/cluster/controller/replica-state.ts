/**
 * The controller's state machine (RocketMQ 5's ReplicasInfoManager, reduced to what
 * elections need): per broker group its replicas, its master and master epoch, its
 * in-sync set (SyncStateSet) and that set's own epoch. Every method is synchronous and
 * deterministic given `now`, so a replicated controller can later apply the same calls
 * as log entries; controller.ts persists `snapshot()` after every change.
 *
 * Fencing: the in-sync set changes only through `alterSyncStateSet` from the current
 * master at the current master epoch and sync-state-set epoch; anything older is
 * refused (ControllerError with RocketMQ's FENCED codes). A new master is elected only
 * from the in-sync set (highest (epoch, max offset), then lowest id), unless unclean
 * election is enabled.
 *
 * Liveness (last heartbeat, reported epoch and max offset, the master's epoch entries)
 * is not persisted: a restarted controller counts every broker as heard at its start.
 */
import type { EpochEntry } from '../replication/epoch-file.js';
import { ControllerResponseCode } from './controller-codes.js';

export interface ReplicaAddress {
  brokerId: number;
  address: string;
  haAddress: string;
}

export interface GroupState {
  clusterName: string;
  brokerName: string;
  replicas: ReplicaAddress[];
  /** null: no master (none elected yet, or no in-sync replica alive) */
  masterId: number | null;
  masterEpoch: number;
  syncStateSet: number[];
  syncStateSetEpoch: number;
}

export interface HeartbeatInput {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  address: string;
  haAddress: string;
  /** the replica's last epoch (epoch file) and commit log end */
  epoch: number;
  maxOffset: number;
  /** the replica's epoch entries: a master's are handed to returning replicas for truncation */
  epochEntries?: EpochEntry[];
  /** a master's topic/group config fingerprint (replication/config-version.ts), handed to its slaves */
  configVersion?: string;
}

/** what a broker learns from the controller */
export interface ReplicaInfo {
  brokerName: string;
  masterId: number | null;
  masterAddress?: string;
  masterHaAddress?: string;
  masterEpoch: number;
  syncStateSet: number[];
  syncStateSetEpoch: number;
  /** the master's epoch entries as of its last heartbeat */
  masterEpochEntries: EpochEntry[];
  /** how long after sending a heartbeat the master may keep acknowledging writes */
  leaseMs: number;
  /** the master's config fingerprint as of its last heartbeat: a slave syncs when it changes */
  masterConfigVersion?: string;
}

export class ControllerError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface Liveness {
  lastHeartbeat: number;
  epoch: number;
  maxOffset: number;
  epochEntries: EpochEntry[];
  configVersion?: string;
}

export interface ReplicaStateOptions {
  /** a broker silent this long is dead; its master role can be given away */
  brokerTimeoutMs: number;
  /** the master's lease; must stay below brokerTimeoutMs (see lease.ts) */
  leaseMs: number;
  /** elect outside the in-sync set when none of it is alive (may lose acknowledged writes) */
  uncleanElection?: boolean;
}

export interface Election {
  brokerName: string;
  previousMasterId: number | null;
  masterId: number | null;
  masterEpoch: number;
}

export class ReplicaState {
  private readonly groups = new Map<string, GroupState>();
  private readonly live = new Map<string, Liveness>();

  constructor(private readonly o: ReplicaStateOptions, restored: GroupState[] = [], now = Date.now()) {
    for (const g of restored) {
      this.groups.set(g.brokerName, structuredClone(g));
      for (const r of g.replicas) this.live.set(key(g.brokerName, r.brokerId), { lastHeartbeat: now, epoch: 0, maxOffset: 0, epochEntries: [] });
    }
  }

  snapshot(): GroupState[] {
    return [...this.groups.values()].map((g) => structuredClone(g));
  }

  group(brokerName: string): GroupState | undefined {
    return this.groups.get(brokerName);
  }

  /** registers or refreshes a replica; true when the persisted state changed */
  heartbeat(h: HeartbeatInput, now: number): boolean {
    let changed = false;
    let g = this.groups.get(h.brokerName);
    if (!g) {
      g = { clusterName: h.clusterName, brokerName: h.brokerName, replicas: [], masterId: null, masterEpoch: 0, syncStateSet: [], syncStateSetEpoch: 0 };
      this.groups.set(h.brokerName, g);
      changed = true;
    }
    const known = g.replicas.find((r) => r.brokerId === h.brokerId);
    if (!known) {
      g.replicas.push({ brokerId: h.brokerId, address: h.address, haAddress: h.haAddress });
      g.replicas.sort((a, b) => a.brokerId - b.brokerId);
      changed = true;
    } else if (known.address !== h.address || known.haAddress !== h.haAddress) {
      known.address = h.address;
      known.haAddress = h.haAddress;
      changed = true;
    }
    this.live.set(key(h.brokerName, h.brokerId), { lastHeartbeat: now, epoch: h.epoch, maxOffset: h.maxOffset, epochEntries: h.epochEntries ?? [], configVersion: h.configVersion });
    return changed;
  }

  replicaInfo(brokerName: string): ReplicaInfo {
    const g = this.groups.get(brokerName);
    if (!g) throw new ControllerError(ControllerResponseCode.CONTROLLER_BROKER_METADATA_NOT_EXIST, `broker group ${brokerName} is unknown to the controller`);
    const master = g.masterId === null ? undefined : g.replicas.find((r) => r.brokerId === g.masterId);
    const masterLive = g.masterId === null ? undefined : this.live.get(key(brokerName, g.masterId));
    return {
      brokerName, masterId: g.masterId, masterAddress: master?.address, masterHaAddress: master?.haAddress, masterEpoch: g.masterEpoch,
      syncStateSet: [...g.syncStateSet], syncStateSetEpoch: g.syncStateSetEpoch,
      masterEpochEntries: masterLive?.epochEntries ?? [], leaseMs: this.o.leaseMs,
      ...(masterLive?.configVersion !== undefined ? { masterConfigVersion: masterLive.configVersion } : {}),
    };
  }

  isAlive(brokerName: string, brokerId: number, now: number): boolean {
    const l = this.live.get(key(brokerName, brokerId));
    return l !== undefined && now - l.lastHeartbeat < this.o.brokerTimeoutMs;
  }

  /** the master's new in-sync set, fenced by both epochs */
  alterSyncStateSet(brokerName: string, masterId: number, masterEpoch: number, syncStateSetEpoch: number, newSet: number[]): GroupState {
    const g = this.groups.get(brokerName);
    if (!g) throw new ControllerError(ControllerResponseCode.CONTROLLER_BROKER_METADATA_NOT_EXIST, `broker group ${brokerName} is unknown`);
    if (g.masterId !== masterId || g.masterEpoch !== masterEpoch) {
      throw new ControllerError(ControllerResponseCode.CONTROLLER_FENCED_MASTER_EPOCH, `broker ${masterId} at master epoch ${masterEpoch} is not the master (${g.masterId} at epoch ${g.masterEpoch})`);
    }
    if (g.syncStateSetEpoch !== syncStateSetEpoch) {
      throw new ControllerError(ControllerResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH, `sync state set epoch ${syncStateSetEpoch} is stale (now ${g.syncStateSetEpoch})`);
    }
    const set = [...new Set(newSet)].sort((a, b) => a - b);
    if (!set.includes(masterId)) throw new ControllerError(ControllerResponseCode.CONTROLLER_INVALID_REPLICAS, 'the in-sync set must hold the master');
    for (const id of set) {
      if (!g.replicas.some((r) => r.brokerId === id)) throw new ControllerError(ControllerResponseCode.CONTROLLER_INVALID_REPLICAS, `broker ${id} is not a replica of ${brokerName}`);
    }
    g.syncStateSet = set;
    g.syncStateSetEpoch++;
    return structuredClone(g);
  }

  /**
   * elects where the master is missing or dead (the controller's scan), or `force`s an
   * election now (admin; optionally of `preferredId`, which must be eligible)
   */
  electIfNeeded(brokerName: string, now: number, force?: { preferredId?: number }): Election | undefined {
    const g = this.groups.get(brokerName);
    if (!g) return undefined;
    if (!force && g.masterId !== null && this.isAlive(brokerName, g.masterId, now)) return undefined;
    const alive = g.replicas.map((r) => r.brokerId).filter((id) => this.isAlive(brokerName, id, now));
    // the first master of a group: any live replica; later ones only from the in-sync set
    let candidates = g.masterEpoch === 0 ? alive : alive.filter((id) => g.syncStateSet.includes(id));
    if (candidates.length === 0 && this.o.uncleanElection) candidates = alive;
    if (force?.preferredId !== undefined) candidates = candidates.filter((id) => id === force.preferredId);
    const previous = g.masterId;
    const best = candidates.sort((a, b) => this.rank(brokerName, b) - this.rank(brokerName, a) || compareBy(this.live, brokerName, a, b) || a - b)[0];
    if (best === undefined) {
      if (g.masterId === null) return undefined;
      g.masterId = null; // no eligible replica: the group takes no writes until one returns
      return { brokerName, previousMasterId: previous, masterId: null, masterEpoch: g.masterEpoch };
    }
    if (best === previous && !force) return undefined;
    g.masterId = best;
    g.masterEpoch++;
    g.syncStateSet = [best];
    g.syncStateSetEpoch++;
    return { brokerName, previousMasterId: previous, masterId: best, masterEpoch: g.masterEpoch };
  }

  brokerNames(): string[] {
    return [...this.groups.keys()];
  }

  private rank(brokerName: string, id: number): number {
    return this.live.get(key(brokerName, id))?.epoch ?? 0;
  }
}

/** the higher max offset first (within one epoch rank) */
function compareBy(live: Map<string, Liveness>, brokerName: string, a: number, b: number): number {
  return (live.get(key(brokerName, b))?.maxOffset ?? 0) - (live.get(key(brokerName, a))?.maxOffset ?? 0);
}

function key(brokerName: string, brokerId: number): string {
  return `${brokerName}\u0000${brokerId}`;
}
