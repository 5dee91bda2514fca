/**
 * The nameserver's routes (RocketMQ's RouteInfoManager):
 *
 *   clusterAddrTable  cluster → broker names
 *   brokerAddrTable   broker name → BrokerData {cluster, brokerAddrs: id → "host:port"} (id 0 = master)
 *   topicQueueTable   topic → broker name → QueueData {read/write queue counts, perm, topicSysFlag}
 *   brokerLiveTable   (cluster, addr) → last registration time, expiry, dataVersion, connection, HA address
 *   filterServerTable (cluster, addr) → filter server addresses
 *
 * A broker lives while it registers: `scanNotActiveBrokers` drops one silent past its
 * expiry (120 s unless it registered another heartbeatTimeoutMillis), and a closed
 * connection drops the brokers that registered over it at once (onChannelDestroy).
 * Topic queue data is taken from the master (or, for brokers with acting-master support,
 * the lowest-id slave) and only when its dataVersion moved.
 */
import {
  MASTER_ID, PERM_WRITE, sameDataVersion, type BrokerData, type ClusterInfo, type DataVersion, type QueueData,
  type TopicConfig, type TopicRouteData,
} from '../protocol/route-data.js';

export const DEFAULT_BROKER_EXPIRY_MS = 120_000;

export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  dataVersion: DataVersion;
  connectionId?: string;
  haServerAddr: string;
}

export interface RegisterBrokerInput {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  zoneName?: string;
  heartbeatTimeoutMillis?: number;
  /** undefined: an old broker that knows nothing of acting masters */
  enableActingMaster?: boolean;
  dataVersion: DataVersion;
  topicConfigTable: Record<string, TopicConfig>;
  filterServerList?: string[];
  connectionId?: string;
}

export interface RegisterBrokerResult {
  haServerAddr?: string;
  masterAddr?: string;
}

export interface RouteTableOptions {
  brokerExpiryMs?: number;
  /** RocketMQ namesrvConfig.deleteTopicWithBrokerRegistration (default false) */
  deleteTopicWithBrokerRegistration?: boolean;
  now?: () => number;
}

const liveKey = (cluster: string, addr: string): string => `${cluster}\u0000${addr}`;

export class RouteTable {
  readonly clusterAddrTable = new Map<string, Set<string>>();
  readonly brokerAddrTable = new Map<string, BrokerData>();
  readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  readonly brokerLiveTable = new Map<string, BrokerLiveInfo & { cluster: string; addr: string }>();
  readonly filterServerTable = new Map<string, string[]>();
  private readonly expiryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RouteTableOptions = {}) {
    this.expiryMs = options.brokerExpiryMs ?? DEFAULT_BROKER_EXPIRY_MS;
    this.now = options.now ?? Date.now;
  }

  /** undefined: refused (a single-topic registration before the broker's first full one) */
  registerBroker(req: RegisterBrokerInput): RegisterBrokerResult | undefined {
    let names = this.clusterAddrTable.get(req.clusterName);
    if (!names) this.clusterAddrTable.set(req.clusterName, (names = new Set()));
    names.add(req.brokerName);

    let brokerData = this.brokerAddrTable.get(req.brokerName);
    let registerFirst = false;
    if (!brokerData) {
      registerFirst = true;
      brokerData = { cluster: req.clusterName, brokerName: req.brokerName, brokerAddrs: {}, enableActingMaster: false };
      this.brokerAddrTable.set(req.brokerName, brokerData);
    }
    brokerData.enableActingMaster = req.enableActingMaster === true;
    if (req.zoneName !== undefined) brokerData.zoneName = req.zoneName;
    const addrs = brokerData.brokerAddrs;
    const id = String(req.brokerId);

    // slave turned master: one address has one id
    for (const [otherId, addr] of Object.entries(addrs)) if (addr === req.brokerAddr && otherId !== id) delete addrs[otherId];

    const oldAddr = addrs[id];
    if (oldAddr !== undefined && oldAddr !== req.brokerAddr) {
      const old = this.brokerLiveTable.get(liveKey(req.clusterName, oldAddr));
      if (old && old.dataVersion.stateVersion > req.dataVersion.stateVersion) {
        this.brokerLiveTable.delete(liveKey(req.clusterName, req.brokerAddr));
        return {};
      }
    }
    if (oldAddr === undefined && Object.keys(req.topicConfigTable).length === 1) return undefined;

    addrs[id] = req.brokerAddr;
    registerFirst ||= oldAddr === undefined;

    const isMaster = req.brokerId === MASTER_ID;
    const ids = Object.keys(addrs).map(Number);
    const isPrimeSlave = req.enableActingMaster !== undefined && !isMaster && req.brokerId === Math.min(...ids);
    if (isMaster || isPrimeSlave) this.updateTopics(req, registerFirst, isPrimeSlave && brokerData.enableActingMaster);

    this.brokerLiveTable.set(liveKey(req.clusterName, req.brokerAddr), {
      cluster: req.clusterName,
      addr: req.brokerAddr,
      lastUpdateTimestamp: this.now(),
      heartbeatTimeoutMillis: req.heartbeatTimeoutMillis ?? this.expiryMs,
      dataVersion: { ...req.dataVersion },
      connectionId: req.connectionId,
      haServerAddr: req.haServerAddr,
    });
    if (req.filterServerList) {
      if (req.filterServerList.length === 0) this.filterServerTable.delete(liveKey(req.clusterName, req.brokerAddr));
      else this.filterServerTable.set(liveKey(req.clusterName, req.brokerAddr), req.filterServerList);
    }

    const result: RegisterBrokerResult = {};
    if (!isMaster) {
      const masterAddr = addrs[String(MASTER_ID)];
      const masterLive = masterAddr ? this.brokerLiveTable.get(liveKey(req.clusterName, masterAddr)) : undefined;
      if (masterAddr && masterLive) {
        result.haServerAddr = masterLive.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  private updateTopics(req: RegisterBrokerInput, registerFirst: boolean, wipeWrite: boolean): void {
    const previous = this.brokerLiveTable.get(liveKey(req.clusterName, req.brokerAddr))?.dataVersion;
    const versionChanged = !sameDataVersion(previous, req.dataVersion);
    if (this.options.deleteTopicWithBrokerRegistration) {
      for (const [topic, queues] of this.topicQueueTable) {
        if (req.topicConfigTable[topic] || !queues.delete(req.brokerName)) continue;
        if (queues.size === 0) this.topicQueueTable.delete(topic);
      }
    }
    for (const tc of Object.values(req.topicConfigTable)) {
      const known = this.topicQueueTable.get(tc.topicName)?.has(req.brokerName) ?? false;
      if (!registerFirst && !versionChanged && known) continue;
      let queues = this.topicQueueTable.get(tc.topicName);
      if (!queues) this.topicQueueTable.set(tc.topicName, (queues = new Map()));
      queues.set(req.brokerName, {
        brokerName: req.brokerName,
        readQueueNums: tc.readQueueNums,
        writeQueueNums: tc.writeQueueNums,
        perm: wipeWrite ? tc.perm & ~PERM_WRITE : tc.perm,
        topicSysFlag: tc.topicSysFlag,
      });
    }
  }

  unregisterBroker(req: { clusterName: string; brokerAddr: string; brokerName: string; brokerId: number }): void {
    this.brokerLiveTable.delete(liveKey(req.clusterName, req.brokerAddr));
    this.filterServerTable.delete(liveKey(req.clusterName, req.brokerAddr));
    const brokerData = this.brokerAddrTable.get(req.brokerName);
    if (brokerData && brokerData.brokerAddrs[String(req.brokerId)] === req.brokerAddr) {
      delete brokerData.brokerAddrs[String(req.brokerId)];
    }
    this.dropBrokerNameIfEmpty(req.clusterName, req.brokerName);
  }

  /** refreshes a broker's liveness (QUERY_DATA_VERSION, BROKER_HEARTBEAT); false if unknown */
  touch(clusterName: string, brokerAddr: string): boolean {
    const live = this.brokerLiveTable.get(liveKey(clusterName, brokerAddr));
    if (!live) return false;
    live.lastUpdateTimestamp = this.now();
    return true;
  }

  liveInfo(clusterName: string, brokerAddr: string): BrokerLiveInfo | undefined {
    return this.brokerLiveTable.get(liveKey(clusterName, brokerAddr));
  }

  /** drops brokers silent past their expiry; returns their addresses */
  scanNotActiveBrokers(): string[] {
    const now = this.now();
    const dropped: string[] = [];
    for (const live of [...this.brokerLiveTable.values()]) {
      if (live.lastUpdateTimestamp + live.heartbeatTimeoutMillis < now) {
        this.destroyBrokerAddr(live.cluster, live.addr);
        dropped.push(live.addr);
      }
    }
    return dropped;
  }

  /** drops the brokers that registered over a connection that closed */
  connectionClosed(connectionId: string): string[] {
    const dropped: string[] = [];
    for (const live of [...this.brokerLiveTable.values()]) {
      if (live.connectionId === connectionId) {
        this.destroyBrokerAddr(live.cluster, live.addr);
        dropped.push(live.addr);
      }
    }
    return dropped;
  }

  private destroyBrokerAddr(cluster: string, addr: string): void {
    this.brokerLiveTable.delete(liveKey(cluster, addr));
    this.filterServerTable.delete(liveKey(cluster, addr));
    for (const brokerName of this.clusterAddrTable.get(cluster) ?? []) {
      const brokerData = this.brokerAddrTable.get(brokerName);
      if (!brokerData) continue;
      for (const [id, a] of Object.entries(brokerData.brokerAddrs)) if (a === addr) delete brokerData.brokerAddrs[id];
      this.dropBrokerNameIfEmpty(cluster, brokerName);
    }
  }

  /** a broker group without addresses leaves the cluster and every topic's queue data */
  private dropBrokerNameIfEmpty(cluster: string, brokerName: string): void {
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData || Object.keys(brokerData.brokerAddrs).length > 0) return;
    this.brokerAddrTable.delete(brokerName);
    const names = this.clusterAddrTable.get(cluster);
    names?.delete(brokerName);
    if (names && names.size === 0) this.clusterAddrTable.delete(cluster);
    for (const [topic, queues] of this.topicQueueTable) {
      if (queues.delete(brokerName) && queues.size === 0) this.topicQueueTable.delete(topic);
    }
  }

  /** RocketMQ pickupTopicRouteData: undefined when no live broker group serves the topic */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const queues = this.topicQueueTable.get(topic);
    if (!queues || queues.size === 0) return undefined;
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const brokerName of queues.keys()) {
      const b = this.brokerAddrTable.get(brokerName);
      if (!b) continue;
      brokerDatas.push({ ...b, brokerAddrs: { ...b.brokerAddrs } });
      for (const addr of Object.values(b.brokerAddrs)) {
        const filters = this.filterServerTable.get(liveKey(b.cluster, addr));
        if (filters) filterServerTable[addr] = [...filters];
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return { queueDatas: [...queues.values()].map((q) => ({ ...q })), brokerDatas, filterServerTable };
  }

  clusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, b] of this.brokerAddrTable) brokerAddrTable[name] = { ...b, brokerAddrs: { ...b.brokerAddrs } };
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable[cluster] = [...names].sort();
    return { brokerAddrTable, clusterAddrTable };
  }

  topics(): string[] {
    return [...this.topicQueueTable.keys()].sort();
  }

  /** DELETE_TOPIC_IN_NAMESRV: the topic's queue data, of one cluster's brokers or of all */
  deleteTopic(topic: string, clusterName?: string): void {
    const queues = this.topicQueueTable.get(topic);
    if (!queues) return;
    if (clusterName) for (const name of this.clusterAddrTable.get(clusterName) ?? []) queues.delete(name);
    else queues.clear();
    if (queues.size === 0) this.topicQueueTable.delete(topic);
  }
}
