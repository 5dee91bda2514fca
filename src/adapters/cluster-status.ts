/**
 * The cluster as a gateway node sees it, for the admin API (GET /v1/admin/cluster) and the
 * dashboard's Cluster page: its nameservers and the broker groups they route to, with
 * each broker's role, address, liveness and (slaves) replication lag. The runtime fills
 * it from the cluster client (runtime/roles.ts); an embedded server has none.
 */

export interface NameServerStatus {
  address: string;
  /** answered the last query */
  alive: boolean;
  error?: string;
}

export interface BrokerStatus {
  cluster: string;
  brokerName: string;
  /** 0 = master */
  brokerId: number;
  role: 'master' | 'slave';
  address: string;
  /** answered GET_BROKER_RUNTIME_INFO */
  alive: boolean;
  commitLogMaxOffset?: number;
  /** slaves: the master's commitLogMaxOffset minus this broker's, in bytes */
  replicationLagBytes?: number;
  error?: string;
}

export interface ClusterStatus {
  clusterName: string;
  nameservers: NameServerStatus[];
  /** by broker group, master first */
  brokers: BrokerStatus[];
  /** epoch ms the status was gathered */
  checkedAt: number;
}

export type ClusterStatusSource = () => Promise<ClusterStatus>;
