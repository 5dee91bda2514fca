/**
 * The controller behind an interface (RocketMQ 5's Controller): brokers heartbeat it,
 * masters alter their in-sync set through it, and a scan elects a new master where the
 * old one went silent (replica-state.ts holds the rules).
 *
 * `LocalController` is one controller process with its state in `<dataDir>/controller.json`
 * (written atomically after every change). Why no Raft: npm holds no well-kept Raft
 * library (the only candidate, @markwylde/liferaft, is a little-used fork of an
 * unmaintained one), and a home-made consensus is a project of its own. ReplicaState is
 * a deterministic state machine, so a replicated controller can later put the same calls
 * through a log; a controller failure meanwhile stops elections (brokers keep their roles;
 * masters stop acknowledging when their lease runs out, see replication/lease.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReplicaState, type Election, type GroupState, type HeartbeatInput, type ReplicaInfo } from './replica-state.js';

export interface Controller {
  heartbeat(h: HeartbeatInput): ReplicaInfo;
  replicaInfo(brokerName: string): ReplicaInfo;
  alterSyncStateSet(brokerName: string, masterId: number, masterEpoch: number, syncStateSetEpoch: number, set: number[]): ReplicaInfo;
  electMaster(brokerName: string, preferredId?: number): ReplicaInfo;
  syncStateData(): GroupState[];
  close(): Promise<void>;
}

export interface LocalControllerOptions {
  /** where controller.json lives; none: memory only */
  dataDir?: string;
  brokerTimeoutMs: number;
  /** default 2/3 of brokerTimeoutMs */
  leaseMs?: number;
  scanIntervalMs: number;
  uncleanElection?: boolean;
  onElection?: (e: Election) => void;
  onError?: (err: Error) => void;
}

export class LocalController implements Controller {
  private readonly state: ReplicaState;
  private readonly file: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: LocalControllerOptions) {
    this.file = o.dataDir ? path.join(o.dataDir, 'controller.json') : undefined;
    const leaseMs = o.leaseMs ?? Math.floor((o.brokerTimeoutMs * 2) / 3);
    if (leaseMs >= o.brokerTimeoutMs) throw new Error(`the master lease (${leaseMs} ms) must be shorter than the broker timeout (${o.brokerTimeoutMs} ms)`);
    this.state = new ReplicaState({ brokerTimeoutMs: o.brokerTimeoutMs, leaseMs, uncleanElection: o.uncleanElection }, this.load());
    this.timer = setInterval(() => this.scan(), o.scanIntervalMs);
    this.timer.unref();
  }

  heartbeat(h: HeartbeatInput): ReplicaInfo {
    const now = Date.now();
    if (this.state.heartbeat(h, now)) this.save();
    this.electIn(h.brokerName, now);
    return this.state.replicaInfo(h.brokerName);
  }

  replicaInfo(brokerName: string): ReplicaInfo {
    return this.state.replicaInfo(brokerName);
  }

  alterSyncStateSet(brokerName: string, masterId: number, masterEpoch: number, syncStateSetEpoch: number, set: number[]): ReplicaInfo {
    this.state.alterSyncStateSet(brokerName, masterId, masterEpoch, syncStateSetEpoch, set);
    this.save();
    return this.state.replicaInfo(brokerName);
  }

  electMaster(brokerName: string, preferredId?: number): ReplicaInfo {
    const e = this.state.electIfNeeded(brokerName, Date.now(), { preferredId });
    if (e) this.elected(e);
    return this.state.replicaInfo(brokerName);
  }

  syncStateData(): GroupState[] {
    return this.state.snapshot();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  private scan(): void {
    const now = Date.now();
    for (const name of this.state.brokerNames()) this.electIn(name, now);
  }

  private electIn(brokerName: string, now: number): void {
    const e = this.state.electIfNeeded(brokerName, now);
    if (e) this.elected(e);
  }

  private elected(e: Election): void {
    this.save();
    this.o.onElection?.(e);
  }

  private load(): GroupState[] {
    if (!this.file) return [];
    try {
      return (JSON.parse(readFileSync(this.file, 'utf8')) as { groups: GroupState[] }).groups ?? [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`controller state ${this.file} is unreadable: ${(err as Error).message}`);
    }
  }

  private save(): void {
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify({ groups: this.state.snapshot() }));
      renameSync(tmp, this.file);
    } catch (err) {
      this.o.onError?.(err as Error);
    }
  }
}
