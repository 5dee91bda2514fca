/**
 * The cluster's state for admin views, gathered on demand by a cluster client: every
 * nameserver is asked for the cluster info (GET_BROKER_CLUSTER_INFO: a nameserver that
 * answers is alive), and every broker the first answer names for its runtime info
 * (GET_BROKER_RUNTIME_INFO: alive, commit log max offset). A slave's replication lag is
 * its master's commitLogMaxOffset minus its own (rocketmq-dashboard's measure).
 *
 * The result has the shape of src/adapters/cluster-status.ts (the runtime hands it to the
 * admin API; neither layer imports the other).
 */
import { parseJsonObject } from '../protocol/fastjson.js';
import { decodeClusterInfo, MASTER_ID, type ClusterInfo } from '../protocol/route-data.js';
import { createRequest } from '../remoting/command.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';

export interface ClusterStatusOptions {
  client: RemotingClient;
  nameServers: readonly string[];
  /** only this cluster's broker groups */
  clusterName: string;
  /** per query; a broker or nameserver slower than this counts as down, default 2 s */
  timeoutMs?: number;
}

export interface GatheredBrokerStatus {
  cluster: string;
  brokerName: string;
  brokerId: number;
  role: 'master' | 'slave';
  address: string;
  alive: boolean;
  commitLogMaxOffset?: number;
  replicationLagBytes?: number;
  error?: string;
}

export interface GatheredClusterStatus {
  clusterName: string;
  nameservers: Array<{ address: string; alive: boolean; error?: string }>;
  brokers: GatheredBrokerStatus[];
  checkedAt: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function gatherClusterStatus(o: ClusterStatusOptions): Promise<GatheredClusterStatus> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const infos = await Promise.all(o.nameServers.map(async (address) => {
    try {
      const response = await o.client.invoke(address, createRequest({ code: RequestCode.GET_BROKER_CLUSTER_INFO }), timeoutMs);
      if (response.code !== ResponseCode.SUCCESS) throw new Error(`code ${response.code} ${response.remark ?? ''}`.trim());
      return { address, info: decodeClusterInfo(parseJsonObject(response.body, 'ClusterInfo')) };
    } catch (err) {
      return { address, error: message(err) };
    }
  }));
  const info: ClusterInfo | undefined = infos.find((i) => i.info)?.info;
  const groups = (info?.clusterAddrTable[o.clusterName] ?? []).map((name) => info!.brokerAddrTable[name]).filter((b) => b !== undefined).sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1));

  const brokers = await Promise.all(groups.flatMap((group) => Object.entries(group.brokerAddrs)
    .map(([id, address]) => ({ group, brokerId: Number(id), address }))
    .sort((a, b) => a.brokerId - b.brokerId)
    .map(async ({ group, brokerId, address }): Promise<GatheredBrokerStatus> => {
      const base = { cluster: group.cluster, brokerName: group.brokerName, brokerId, role: brokerId === MASTER_ID ? 'master' as const : 'slave' as const, address };
      try {
        const response = await o.client.invoke(address, createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO }), timeoutMs);
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`code ${response.code} ${response.remark ?? ''}`.trim());
        const table = (parseJsonObject(response.body, 'KVTable').table ?? {}) as Record<string, unknown>;
        const max = Number(table.commitLogMaxOffset);
        return { ...base, alive: true, ...(Number.isFinite(max) ? { commitLogMaxOffset: max } : {}) };
      } catch (err) {
        return { ...base, alive: false, error: message(err) };
      }
    })));

  for (const b of brokers) {
    if (b.role !== 'slave' || b.commitLogMaxOffset === undefined) continue;
    const master = brokers.find((m) => m.brokerName === b.brokerName && m.role === 'master');
    if (master?.commitLogMaxOffset !== undefined) b.replicationLagBytes = Math.max(0, master.commitLogMaxOffset - b.commitLogMaxOffset);
  }
  return {
    clusterName: o.clusterName,
    nameservers: infos.map((i) => ({ address: i.address, alive: i.info !== undefined, ...(i.error ? { error: i.error } : {}) })),
    brokers,
    checkedAt: Date.now(),
  };
}
