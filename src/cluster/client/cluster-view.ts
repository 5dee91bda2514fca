/**
 * What a cluster client knows of the cluster and how it reaches a broker group
 * (RocketMQ's MQClientInstance tables and MQClientAPIImpl's invocation):
 *
 * - topic routes from any nameserver (route-cache.ts), and the cluster's broker groups
 *   (GET_BROKER_CLUSTER_INFO), both refreshed every `refreshIntervalMs` (30 s) and, at
 *   most every `refreshOnErrorMs`, after a call to a broker failed on the transport;
 * - addresses: writes go to a group's master (id 0); reads go to the master, or to a
 *   slave (lowest id first) when the route has no master or the master failed a call in
 *   the last `masterDownMs` (RocketMQ 4: slaves serve reads while the master is down);
 * - calls: a transport failure becomes KernelError SERVICE_UNAVAILABLE (retriable), a
 *   failed response the KernelError its `kernelCode` names (broker-server/kernel-errors.ts).
 */
import { KernelError, KernelErrorCode } from '../../kernel/errors.js';
import { kernelErrorOf } from '../broker-server/kernel-errors.js';
import { MASTER_ID, type BrokerData, type ClusterInfo, type TopicRouteData } from '../protocol/route-data.js';
import { type RemotingCommand } from '../remoting/command.js';
import { isRemotingError } from '../remoting/errors.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { ResponseCode, requestCodeName } from '../remoting/request-codes.js';
import { RouteCache } from '../route-cache.js';
import { QueueLayout } from './queue-layout.js';

export interface ClusterViewOptions {
  nameServers: string[];
  /** only the broker groups of this cluster (default: every group the nameservers know) */
  clusterName?: string;
  /** route and cluster refresh, default 30 s */
  refreshIntervalMs?: number;
  /** soonest refresh after a failed call, default 1 s */
  refreshOnErrorMs?: number;
  /** reads avoid a master that failed a call for this long, default 30 s */
  masterDownMs?: number;
  /** default timeout of a call, 3 s */
  requestTimeoutMs?: number;
  onError?: (err: Error) => void;
}

export class ClusterView {
  readonly routes: RouteCache;
  private cluster: ClusterInfo | undefined;
  private clusterFetch: Promise<ClusterInfo> | undefined;
  private clusterAt = 0;
  private lastErrorRefresh = 0;
  private readonly downUntil = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(readonly client: RemotingClient, private readonly options: ClusterViewOptions) {
    this.routes = new RouteCache(client, { nameServers: options.nameServers, refreshIntervalMs: options.refreshIntervalMs, timeoutMs: options.requestTimeoutMs, onError: options.onError });
  }

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 3_000;
  }

  start(): void {
    this.routes.start();
    void this.refreshCluster().catch((err: Error) => this.options.onError?.(err));
    this.timer ??= setInterval(() => void this.refreshCluster().catch((err: Error) => this.options.onError?.(err)), this.options.refreshIntervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    this.routes.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ---- topics and groups ----

  /** the topic's queue layout, undefined when no broker group serves it */
  async layout(topic: string): Promise<QueueLayout | undefined> {
    const route = await this.route(topic);
    if (!route) return undefined;
    const layout = QueueLayout.fromRoute(topic, route);
    return layout.total > 0 ? layout : undefined;
  }

  async route(topic: string): Promise<TopicRouteData | undefined> {
    try {
      return await this.routes.route(topic);
    } catch (err) {
      throw new KernelError(KernelErrorCode.ServiceUnavailable, `route of ${JSON.stringify(topic)}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** every broker group of the cluster, by name */
  async groups(): Promise<BrokerData[]> {
    const stale = Date.now() - this.clusterAt > (this.options.refreshIntervalMs ?? 30_000);
    const info = this.cluster && !stale ? this.cluster : await this.refreshCluster();
    const names = this.options.clusterName ? info.clusterAddrTable[this.options.clusterName] ?? [] : Object.keys(info.brokerAddrTable);
    return names.map((n) => info.brokerAddrTable[n]).filter((b): b is BrokerData => b !== undefined).sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1));
  }

  refreshCluster(): Promise<ClusterInfo> {
    this.clusterFetch ??= this.routes.clusterInfo()
      .then((info) => {
        this.cluster = info;
        this.clusterAt = Date.now();
        return info;
      })
      .catch((err: Error) => {
        if (this.cluster) return this.cluster;
        throw new KernelError(KernelErrorCode.ServiceUnavailable, `cluster info: ${err.message}`, { cause: err });
      })
      .finally(() => (this.clusterFetch = undefined));
    return this.clusterFetch;
  }

  /** a group's addresses: from the cluster info, else from any cached route */
  brokerData(brokerName: string): BrokerData | undefined {
    const known = this.cluster?.brokerAddrTable[brokerName];
    if (known) return known;
    for (const topic of this.routes.topics()) {
      const b = this.routes.cached(topic)?.brokerDatas.find((d) => d.brokerName === brokerName);
      if (b) return b;
    }
    return undefined;
  }

  // ---- addresses ----

  masterAddress(brokerName: string): string | undefined {
    return this.brokerData(brokerName)?.brokerAddrs[String(MASTER_ID)];
  }

  /** where to read: the master while it is up, then the slaves by id */
  readAddresses(brokerName: string): string[] {
    const b = this.brokerData(brokerName);
    if (!b) return [];
    const ids = Object.keys(b.brokerAddrs).map(Number).sort((x, y) => x - y);
    const addrs = ids.map((id) => b.brokerAddrs[String(id)]!);
    const master = b.brokerAddrs[String(MASTER_ID)];
    if (master && this.isDown(master) && addrs.length > 1) return [...addrs.filter((a) => a !== master), master];
    return addrs;
  }

  /** every address of a group: master and slaves */
  allAddresses(brokerName: string): string[] {
    return Object.values(this.brokerData(brokerName)?.brokerAddrs ?? {});
  }

  isDown(addr: string): boolean {
    const until = this.downUntil.get(addr);
    return until !== undefined && Date.now() < until;
  }

  // ---- calls ----

  /** one call; transport failures as SERVICE_UNAVAILABLE, the address marked down */
  async invoke(addr: string, request: RemotingCommand, timeoutMs = this.requestTimeoutMs): Promise<RemotingCommand> {
    try {
      const response = await this.client.invoke(addr, request, timeoutMs);
      this.downUntil.delete(addr);
      return response;
    } catch (err) {
      if (!isRemotingError(err)) throw err;
      this.markDown(addr);
      throw new KernelError(KernelErrorCode.ServiceUnavailable, `${requestCodeName(request.code)} to ${addr}: ${err.message}`, { cause: err });
    }
  }

  /** a call whose answer must be SUCCESS (or one of `accept`) */
  async invokeOk(addr: string, request: RemotingCommand, timeoutMs?: number, accept: readonly number[] = []): Promise<RemotingCommand> {
    const response = await this.invoke(addr, request, timeoutMs);
    if (response.code !== ResponseCode.SUCCESS && !accept.includes(response.code)) throw kernelErrorOf(response, `${requestCodeName(request.code)} to ${addr}`);
    return response;
  }

  /** a call to the group's master */
  invokeMaster(brokerName: string, request: RemotingCommand, timeoutMs?: number, accept?: readonly number[]): Promise<RemotingCommand> {
    const addr = this.masterAddress(brokerName);
    if (!addr) return Promise.reject(new KernelError(KernelErrorCode.ServiceUnavailable, `broker group ${brokerName} has no master now`));
    return this.invokeOk(addr, request, timeoutMs, accept);
  }

  /** a read: the master, or the next address when one fails on the transport */
  async invokeRead(brokerName: string, request: RemotingCommand, timeoutMs?: number, accept?: readonly number[]): Promise<RemotingCommand> {
    const addrs = this.readAddresses(brokerName);
    if (addrs.length === 0) throw new KernelError(KernelErrorCode.ServiceUnavailable, `broker group ${brokerName} is not in the route`);
    let last: unknown;
    for (const addr of addrs) {
      try {
        return await this.invokeOk(addr, request, timeoutMs, accept);
      } catch (err) {
        if (!(err instanceof KernelError && err.cause !== undefined && isRemotingError(err.cause))) throw err;
        last = err;
      }
    }
    throw last;
  }

  private markDown(addr: string): void {
    this.downUntil.set(addr, Date.now() + (this.options.masterDownMs ?? 30_000));
    const now = Date.now();
    if (now - this.lastErrorRefresh < (this.options.refreshOnErrorMs ?? 1_000)) return;
    this.lastErrorRefresh = now;
    void Promise.all([this.routes.refreshAll(), this.refreshCluster()]).catch((err: Error) => this.options.onError?.(err));
  }
}
