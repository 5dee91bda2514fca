/**
 * A broker in controller mode (RocketMQ 5's ReplicasManager): one replica of a broker
 * group whose role the controller decides.
 *
 * Every `heartbeatMs` it heartbeats the controller (its epoch, log end and epoch
 * entries) and acts on the answer:
 * - elected master at a new epoch: reopens its store writable, appends `<epoch, log end>`
 *   to its epoch file, opens the HA listener and registers with the nameservers as id 0
 *   with the epoch as stateVersion (so nameservers refuse the stale master). A write is
 *   acknowledged only while the lease holds (lease.ts) and once the in-sync replicas have
 *   it (in-sync-waiter.ts). It keeps the in-sync set up to date through the controller:
 *   a caught-up slave is added, one lagging past `maxLagMs` dropped. Consumers read only
 *   what every in-sync replica holds (high-water-mark.ts: pulls are capped, pops answer
 *   once it passed what they took). Its heartbeats carry its topic/group config
 *   fingerprint (config-version.ts), so its slaves sync metadata as soon as it changes;
 *   consumer offsets committed to it go into its log (offset-log.ts), which its slaves apply
 *   as they replicate and a newly elected master replays before it serves;
 * - another replica is master: reopens as its slave, after cutting off whatever its log
 *   holds past the stretch it shares with the master (epoch-file.ts truncationPoint);
 * - no master, or not reachable: a master stops acknowledging when its lease runs out.
 *
 * A role change closes the broker, its server and replication and opens them again on
 * the same ports (the kernel Broker's read-only mode is fixed at open); clients see a
 * closed connection and retry. Each such life is an `Incarnation`.
 */
import path from 'node:path';
import type { Broker } from '../../kernel/broker/broker.js';
import type { BrokerServer, BrokerServerOptions } from '../broker-server/broker-server.js';
import { RemotingClient } from '../remoting/remoting-client.js';
import { ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { TcpTransport } from '../remoting/tcp-transport.js';
import { KERNEL_CODE_FIELD } from '../broker-server/kernel-errors.js';
import { KernelErrorCode } from '../../kernel/errors.js';
import { isSystemTopic, topicNameProblem } from '../../kernel/broker/topic-names.js';
import { EpochFile, truncationPoint } from '../replication/epoch-file.js';
import { HaMaster } from '../replication/ha-master.js';
import { HaSlave } from '../replication/ha-slave.js';
import { HighWaterMark, inSyncConfirmedEnd } from '../replication/high-water-mark.js';
import { configVersion } from '../replication/config-version.js';
import { InSyncWaiter } from '../replication/in-sync-waiter.js';
import { MasterLease, leaseClock } from '../replication/lease.js';
import { OffsetLogFollower, OffsetLogWriter } from '../replication/offset-log.js';
import { truncateCommitLog } from '../replication/log-truncation.js';
import { SlaveSync } from '../replication/slave-sync.js';
import { ControllerClient } from './controller-client.js';
import type { ReplicaInfo } from './replica-state.js';

export type ServerHooks = Pick<BrokerServerOptions, 'brokerId' | 'replicated' | 'offsetCommitted' | 'onRegistered' | 'registrationStateVersion' | 'visibleEnd' | 'readConfirmed'> & {
  /**
   * why the master takes no write now (no lease, too few in sync): the broker server then
   * refuses a send before storing it (its `writeRefusal` option); `replicated` checks again
   * at acknowledgement time
   */
  writeRefusal?: (storesMessage: boolean) => string | undefined;
};

export interface ControlledBrokerOptions {
  dataDir: string;
  clusterName: string;
  brokerName: string;
  /** this replica's id in the group, 1 and up (a master registers with nameservers as 0) */
  brokerId: number;
  controllers: string[];
  /** "host:port" clients and slaves use */
  address: string;
  haAddress: string;
  host?: string;
  haPort: number;
  openBroker(readOnly: boolean): Promise<Broker>;
  startServer(broker: Broker, hooks: ServerHooks): Promise<BrokerServer>;
  heartbeatMs: number;
  requestTimeoutMs: number;
  allAckInSyncStateSet: boolean;
  minInSyncReplicas: number;
  syncTimeoutMs: number;
  /** an in-sync slave not caught up for this long leaves the in-sync set */
  maxLagMs: number;
  haHeartbeatMs?: number;
  haHousekeepingMs?: number;
  haReconnectMs?: number;
  slaveSyncIntervalMs?: number;
  /** how often a master logs offsets that moved other than by UPDATE_CONSUMER_OFFSET (offset-log.ts), default 1 s */
  offsetLogSweepMs?: number;
  onRoleChange?: (role: 'master' | 'slave', epoch: number, detail: Record<string, unknown>) => void;
  onError?: (err: Error, where: string) => void;
}

interface Incarnation {
  role: 'master' | 'slave';
  epoch: number;
  masterId: number | null;
  broker: Broker;
  /** master: the in-sync bookkeeping; slave: the replication parts */
  tick(info: ReplicaInfo): void;
  close(): Promise<void>;
}

export class ControlledBroker {
  private readonly client: RemotingClient;
  private readonly controller: ControllerClient;
  private readonly epochs: EpochFile;
  private readonly lease = new MasterLease();
  private current: Incarnation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private latest: ReplicaInfo | undefined;
  private reconciling: Promise<void> | undefined;
  private stopped = false;
  /** the log end as last seen (heartbeats go on while a role change has the store closed) */
  private lastEnd = 0;
  /** role changes so far */
  changes = 0;
  /** where the offset log's records stop being applied here (offset-log.ts), from one incarnation to the next */
  private offsetLogPosition = 0;

  private constructor(private readonly o: ControlledBrokerOptions) {
    if (!Number.isInteger(o.brokerId) || o.brokerId < 1) throw new Error('in controller mode a replica\'s brokerId must be 1 or more (the master registers as 0)');
    this.client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: o.requestTimeoutMs });
    this.controller = new ControllerClient(this.client, o.controllers, Math.min(o.requestTimeoutMs, Math.max(200, o.heartbeatMs * 2)));
    this.epochs = EpochFile.open(o.dataDir);
  }

  /** opens as a slave without a master, then follows the controller */
  static async start(o: ControlledBrokerOptions): Promise<ControlledBroker> {
    const cb = new ControlledBroker(o);
    cb.current = await cb.openSlave(undefined, 0);
    cb.timer = setInterval(() => void cb.heartbeat(), o.heartbeatMs);
    cb.timer.unref();
    await cb.heartbeat();
    return cb;
  }

  get role(): 'master' | 'slave' | undefined {
    return this.current?.role;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reconciling?.catch(() => undefined);
    this.lease.revoke();
    await this.current?.close();
    this.current = undefined;
    await this.client.close();
  }

  private async heartbeat(): Promise<void> {
    const cur = this.current;
    if (cur) this.lastEnd = cur.broker.store.commitLogMaxOffset;
    // a master's config fingerprint goes to its slaves through the controller: they sync when it changes
    const configs = cur?.role === 'master' ? configVersion(cur.broker) : undefined;
    if (this.stopped) return;
    const sentAt = leaseClock();
    let info: ReplicaInfo;
    try {
      info = await this.controller.heartbeat({
        clusterName: this.o.clusterName, brokerName: this.o.brokerName, brokerId: this.o.brokerId, address: this.o.address, haAddress: this.o.haAddress,
        epoch: this.epochs.lastEpoch, maxOffset: this.lastEnd, epochEntries: this.epochs.list(), configVersion: configs,
      });
    } catch (err) {
      this.o.onError?.(err as Error, 'controller heartbeat');
      return;
    }
    if (info.masterId === this.o.brokerId) this.lease.renew(sentAt, info.leaseMs, info.masterEpoch);
    else if (this.current?.role === 'master') this.lease.revoke();
    this.latest = info;
    this.reconciling ??= this.reconcile().finally(() => (this.reconciling = undefined));
  }

  /** brings the incarnation in line with the latest answer (one at a time) */
  private async reconcile(): Promise<void> {
    for (;;) {
      const info = this.latest;
      if (!info || this.stopped) return;
      try {
        // a role change whose fallback failed too left nothing open: a plain replica first
        this.current ??= await this.openSlave(undefined, 0);
        const cur = this.current;
        if (info.masterId === this.o.brokerId) {
          if (cur.role !== 'master' || cur.epoch !== info.masterEpoch) await this.switchTo(() => this.openMaster(info));
        } else if (info.masterId !== null) {
          const follows = cur.role === 'slave' && cur.masterId === info.masterId && cur.epoch === info.masterEpoch;
          // the master's entries must name its epoch before a returning replica compares against them
          if (!follows && info.masterEpochEntries.some((e) => e.epoch === info.masterEpoch)) await this.switchTo(() => this.openSlave(info, info.masterEpoch));
        }
      } catch (err) {
        this.o.onError?.(err as Error, 'role change');
      }
      this.current?.tick(info);
      if (this.latest === info) return;
    }
  }

  private async switchTo(open: () => Promise<Incarnation>): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    await cur?.close();
    try {
      this.current = await open();
    } catch (err) {
      // keep a readable replica up whatever failed, and try again at the next heartbeat
      this.current = await this.openSlave(undefined, 0);
      throw err;
    }
    this.changes++;
  }

  private async openMaster(info: ReplicaInfo): Promise<Incarnation> {
    const o = this.o;
    const epoch = info.masterEpoch;
    const broker = await o.openBroker(false);
    let adopted: string[];
    try {
      adopted = await adoptLoggedTopics(broker);
      // offsets the old master logged (offset-log.ts), before this one serves
      const replay = new OffsetLogFollower(broker, { from: this.offsetLogPosition, onError: (err) => o.onError?.(err, 'offset log') });
      await replay.drain();
      await replay.close();
      this.offsetLogPosition = replay.position;
    } catch (err) {
      await broker.close();
      throw err;
    }
    const start = broker.store.commitLogMaxOffset;
    this.epochs.append(epoch, start);
    let ha: HaMaster;
    try {
      ha = await HaMaster.listen({
        store: broker.store, host: o.host, port: o.haPort, heartbeatMs: o.haHeartbeatMs, housekeepingMs: o.haHousekeepingMs,
        onError: (err) => o.onError?.(err, 'ha master'),
      });
    } catch (err) {
      await broker.close();
      throw err;
    }
    const isr = new InSyncSet(this.controller, o, epoch, info);
    const waiter = new InSyncWaiter(ha, {
      selfId: o.brokerId, allAck: o.allAckInSyncStateSet, minInSyncReplicas: o.minInSyncReplicas, timeoutMs: o.syncTimeoutMs,
      confirmed: () => isr.confirmed, ackSet: () => isr.ackSet(),
    });
    const hwm = new HighWaterMark({
      store: broker.store,
      confirmedEnd: () => inSyncConfirmedEnd(isr.ackSet(), o.brokerId, ha.slaveAcks(), broker.store.commitLogMaxOffset),
      wake: (topic, queueId) => broker.hold.notify(topic, queueId),
    });
    ha.onAck(() => hwm.advance());
    isr.onChange = () => {
      waiter.recheck();
      hwm.advance();
    };
    const offsetLog = new OffsetLogWriter(broker, { sweepMs: o.offsetLogSweepMs, onError: (err) => o.onError?.(err, 'offset log') });
    const lease = this.lease;
    const fenced = (): ResponseError => new ResponseError(ResponseCode.SERVICE_NOT_AVAILABLE, `broker ${o.brokerName}/${o.brokerId} holds no master lease for epoch ${epoch}`, { [KERNEL_CODE_FIELD]: KernelErrorCode.ServiceUnavailable });
    let server: BrokerServer;
    try {
      server = await o.startServer(broker, {
        brokerId: 0,
        registrationStateVersion: () => epoch,
        visibleEnd: (topic, queueId) => hwm.visibleEnd(topic, queueId),
        readConfirmed: (end) => hwm.reached(end),
        offsetCommitted: (c) => offsetLog.committed(c),
        writeRefusal: () => {
          if (!lease.holds(epoch)) return `broker ${o.brokerName}/${o.brokerId} holds no master lease for epoch ${epoch}`;
          const inSync = isr.confirmed.length;
          return inSync < o.minInSyncReplicas ? `${inSync} in-sync replicas, fewer than minInSyncReplicas ${o.minInSyncReplicas}` : undefined;
        },
        replicated: async (end) => {
          if (!lease.holds(epoch)) throw fenced();
          await waiter.wait(end);
          if (!lease.holds(epoch)) throw fenced();
        },
      });
    } catch (err) {
      waiter.close();
      hwm.close();
      await offsetLog.close();
      await ha.close();
      await broker.close();
      throw err;
    }
    o.onRoleChange?.('master', epoch, { startOffset: start, syncStateSet: info.syncStateSet, ...(adopted.length > 0 ? { topicsFromLog: adopted } : {}) });
    return {
      role: 'master', epoch, masterId: o.brokerId, broker,
      tick: (latest) => {
        isr.tick(latest, ha, broker.store.commitLogMaxOffset);
        hwm.advance();
      },
      close: async () => {
        waiter.close();
        hwm.close();
        await server.close();
        await offsetLog.close();
        await ha.close();
        await broker.close();
      },
    };
  }

  /** `info` undefined: a replica without a master yet (start, or a failed role change) */
  private async openSlave(info: ReplicaInfo | undefined, epoch: number): Promise<Incarnation> {
    const o = this.o;
    let cut: Record<string, unknown> = {};
    if (info) {
      const probe = await o.openBroker(true);
      const end = probe.store.commitLogMaxOffset;
      await probe.close();
      const point = truncationPoint(this.epochs.list(), end, info.masterEpochEntries);
      if (point < end) {
        // the kernel Broker keeps its store in <dataDir>/store (kernel/broker/broker.ts)
        const report = await truncateCommitLog(path.join(o.dataDir, 'store'), point);
        if (report.cutBytes === 0) throw new Error(`the commit log ends at ${end} but nothing past ${point} was found to cut`);
        this.epochs.truncateFrom(point);
        cut = { truncatedTo: point, cutBytes: report.cutBytes };
      }
    }
    const broker = await o.openBroker(true);
    // offsets come with the log (offset-log.ts); the metadata sync still carries the rest
    const offsetLog = new OffsetLogFollower(broker, { from: this.offsetLogPosition, onError: (err) => o.onError?.(err, 'offset log') });
    offsetLog.start();
    const sync = new SlaveSync({ broker, client: this.client, masterAddress: info?.masterAddress, intervalMs: o.slaveSyncIntervalMs, onError: (err) => o.onError?.(err, 'slave sync') });
    const ha = new HaSlave({
      store: broker.store, masterHaAddress: info?.masterHaAddress, brokerId: o.brokerId, heartbeatMs: o.haHeartbeatMs, housekeepingMs: o.haHousekeepingMs,
      reconnectMs: o.haReconnectMs, onError: (err) => o.onError?.(err, 'ha slave'), onConnected: () => sync.masterReturned(),
    });
    let server: BrokerServer;
    try {
      server = await o.startServer(broker, { brokerId: o.brokerId, registrationStateVersion: () => epoch, offsetCommitted: (c) => sync.offsetCommitted(c) });
    } catch (err) {
      await ha.close();
      await sync.close();
      await offsetLog.close();
      await broker.close();
      throw err;
    }
    if (info) o.onRoleChange?.('slave', epoch, { masterId: info.masterId, master: info.masterAddress, ...cut });
    // the master's config fingerprint this slave synced after (its topics and groups reach it at once, not at the next round)
    let syncedConfigs: string | undefined;
    let syncingConfigs = false;
    return {
      role: 'slave', epoch, masterId: info?.masterId ?? null, broker,
      tick: (latest) => {
        if (latest.masterId !== info?.masterId || latest.masterEpoch !== epoch) return;
        this.epochs.adopt(latest.masterEpochEntries, broker.store.commitLogMaxOffset);
        const configs = latest.masterConfigVersion;
        if (configs === undefined || configs === syncedConfigs || syncingConfigs) return;
        syncingConfigs = true;
        void sync.syncFresh().then((done) => {
          if (done) syncedConfigs = configs;
        }).finally(() => (syncingConfigs = false));
      },
      close: async () => {
        await server.close();
        await ha.close();
        await sync.close();
        await offsetLog.close();
        this.offsetLogPosition = offsetLog.position;
        await broker.close();
      },
    };
  }
}

/**
 * A replica about to take writes gives every topic its log holds a config with at least
 * the queues the log shows. Records reach a slave through the log at once, topic configs
 * only with its next metadata sync (slave-sync.ts, on an interval): a slave elected in
 * between would otherwise auto-create such a topic with the default queue count on the
 * first send, so producers spread over queues the topic never had, consumers of the old
 * ones miss what lands there and sharding keys move. Returns the topics it changed.
 */
export async function adoptLoggedTopics(broker: Broker): Promise<string[]> {
  const adopted: string[] = [];
  for (const topic of broker.store.topics()) {
    // the store's own topics (schedule, transactions) have no config to give
    if (isSystemTopic(topic) || topicNameProblem(topic) !== undefined) continue;
    const ids = broker.store.queueIds(topic);
    if (ids.length === 0) continue;
    const queueCount = Math.max(...ids) + 1;
    if ((broker.topics.get(topic)?.queueCount ?? 0) >= queueCount) continue;
    await broker.topics.create({ topic, queueCount });
    adopted.push(topic);
  }
  return adopted;
}

/**
 * The master's side of its in-sync set: what the controller confirmed, a proposal in
 * flight, and when each slave was last caught up. Writes wait on confirmed ∪ proposed.
 */
class InSyncSet {
  confirmed: number[];
  private epoch: number;
  private proposed: number[] | undefined;
  private readonly caughtUp = new Map<number, number>();
  private lastEnd = 0;
  onChange: () => void = () => undefined;

  constructor(private readonly controller: ControllerClient, private readonly o: ControlledBrokerOptions, private readonly masterEpoch: number, info: ReplicaInfo) {
    this.confirmed = info.syncStateSet;
    this.epoch = info.syncStateSetEpoch;
    // members get maxLagMs from the start to connect and catch up
    for (const id of this.confirmed) this.caughtUp.set(id, Date.now());
  }

  ackSet(): number[] {
    return this.proposed ? [...new Set([...this.confirmed, ...this.proposed])] : this.confirmed;
  }

  tick(info: ReplicaInfo, ha: HaMaster, end: number): void {
    if (info.masterId === this.o.brokerId && info.masterEpoch === this.masterEpoch && info.syncStateSetEpoch > this.epoch) {
      this.confirmed = info.syncStateSet;
      this.epoch = info.syncStateSetEpoch;
      this.onChange();
    }
    const now = Date.now();
    const acks = new Map<number, number>();
    for (const s of ha.slaveAcks()) if (s.brokerId !== undefined) acks.set(s.brokerId, Math.max(acks.get(s.brokerId) ?? -1, s.acked));
    for (const [id, acked] of acks) if (acked >= this.lastEnd) this.caughtUp.set(id, now);
    this.lastEnd = end;
    if (this.proposed) return;
    const desired = new Set<number>([this.o.brokerId]);
    for (const id of this.confirmed) {
      // a member gone or lagging stays for maxLagMs (RocketMQ's haMaxTimeSlaveNotCatchup): writes wait on it meanwhile
      if (id !== this.o.brokerId && now - (this.caughtUp.get(id) ?? 0) <= this.o.maxLagMs) desired.add(id);
    }
    for (const [id, acked] of acks) if (acked >= end) desired.add(id);
    const next = [...desired].sort((a, b) => a - b);
    if (next.join() === [...this.confirmed].sort((a, b) => a - b).join()) return;
    this.proposed = next;
    this.controller.alterSyncStateSet(this.o.brokerName, this.o.brokerId, this.masterEpoch, this.epoch, next)
      .then((r) => {
        if (r.syncStateSetEpoch > this.epoch) {
          this.confirmed = r.syncStateSet;
          this.epoch = r.syncStateSetEpoch;
        }
      })
      .catch((err: Error) => this.o.onError?.(err, 'alter sync state set'))
      .finally(() => {
        this.proposed = undefined;
        this.onChange();
      });
  }
}
