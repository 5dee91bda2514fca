/**
 * A cluster in this process over TCP on loopback: nameservers, broker groups (a master
 * each, optionally a slave replicating it) and a RemoteBrokerApi with fast timers. Each
 * broker is a real Broker on a fresh directory behind a broker server.
 */
import { Broker, type BrokerOptions } from '../../../src/kernel/broker/broker.js';
import { startBrokerServer, type BrokerServer } from '../../../src/cluster/broker-server/broker-server.js';
import { startNameServer, type NameServer } from '../../../src/cluster/nameserver/nameserver.js';
import { RemoteBrokerApi, type RemoteBrokerApiOptions } from '../../../src/cluster/remote-broker-api.js';
import { startReplication, type BrokerRole, type Replication } from '../../../src/cluster/replication/replication.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { freePort } from './broker-fixture.js';

export const FAST_BROKER: Partial<BrokerOptions> = {
  flushIntervalMs: 20,
  defaultQueueCount: 4,
  consumerExpiryMs: 5_000,
  offsetPersistIntervalMs: 200,
  retryBackoffMs: [100, 200, 300, 400],
  maxSuspendMs: 5_000,
  transactionTimeoutMs: 300,
  transactionCheckIntervalMs: 100,
};

export const FAST_REMOTE: Partial<RemoteBrokerApiOptions> = {
  routeRefreshMs: 500,
  refreshOnErrorMs: 100,
  masterDownMs: 1_000,
  requestTimeoutMs: 3_000,
  faultTolerance: { notAvailableMs: [0, 0, 500, 1_000, 1_000, 1_000, 2_000] },
};

export interface BrokerNode {
  brokerName: string;
  brokerId: number;
  broker: Broker;
  server: BrokerServer;
  replication?: Replication;
  dataDir: string;
  /** stops serving and closes the broker (a graceful stop; the directory stays) */
  stop(): Promise<void>;
}

export interface ClusterFixture {
  nameServers: NameServer[];
  nodes: BrokerNode[];
  api: RemoteBrokerApi;
  node(brokerName: string, brokerId?: number): BrokerNode;
  /** a new RemoteBrokerApi on the same nameservers (another gateway node) */
  newApi(options?: Partial<RemoteBrokerApiOptions>): RemoteBrokerApi;
  /** starts a broker again on its directory (a restart after stop) */
  restart(brokerName: string, brokerId?: number): Promise<BrokerNode>;
  close(): Promise<void>;
}

export interface GroupSpec {
  name: string;
  /** with a slave (broker id 1) replicating the master */
  slave?: boolean;
  role?: Exclude<BrokerRole, 'SLAVE'>;
}

export async function startCluster(opts: {
  groups?: GroupSpec[];
  nameServers?: number;
  broker?: Partial<BrokerOptions>;
  remote?: Partial<RemoteBrokerApiOptions>;
  syncTimeoutMs?: number;
  /** a slave's HA connection goes to the address this returns for its master's (a TcpProxy) */
  haVia?: (masterHaAddress: string) => Promise<string>;
} = {}): Promise<ClusterFixture> {
  const temps: Array<{ cleanup(): void }> = [];
  const nameServers: NameServer[] = [];
  for (let i = 0; i < (opts.nameServers ?? 1); i++) nameServers.push(await startNameServer({ port: 0, scanIntervalMs: 100 }));
  const nsAddrs = nameServers.map((n) => n.address);
  const nodes: BrokerNode[] = [];
  const apis: RemoteBrokerApi[] = [];
  const specs = new Map<string, { spec: GroupSpec; brokerId: number; dataDir: string; port: number; haPort: number }>();

  async function startNode(key: string): Promise<BrokerNode> {
    const s = specs.get(key)!;
    const { spec, brokerId, dataDir, port, haPort } = s;
    const role: BrokerRole = brokerId === 0 ? (spec.role ?? (spec.slave ? 'SYNC_MASTER' : 'ASYNC_MASTER')) : 'SLAVE';
    const broker = await Broker.open({ dataDir, brokerName: spec.name, storeHost: '127.0.0.1', storePort: port, readOnly: role === 'SLAVE', ...FAST_BROKER, ...opts.broker });
    const masterHa = `127.0.0.1:${specs.get(`${spec.name}/0`)!.haPort}`;
    const masterHaAddress = role === 'SLAVE' && opts.haVia ? await opts.haVia(masterHa) : undefined;
    const replication = spec.slave ? await startReplication({ broker, role, haPort, masterHaAddress, syncTimeoutMs: opts.syncTimeoutMs ?? 2_000, heartbeatMs: 200, reconnectMs: 100, syncIntervalMs: 200 }) : undefined;
    const server = await startBrokerServer({
      broker, port, brokerId, clusterName: 'TestCluster', nameServers: nsAddrs, topicChangeCheckMs: 50, registerIntervalMs: 500,
      haServerAddress: `127.0.0.1:${haPort}`, ...replication?.serverHooks,
    });
    const node: BrokerNode = {
      brokerName: spec.name, brokerId, broker, server, replication, dataDir,
      stop: async () => {
        await server.close();
        await replication?.close();
        await broker.close();
        const i = nodes.indexOf(node);
        if (i >= 0) nodes.splice(i, 1);
      },
    };
    nodes.push(node);
    return node;
  }

  for (const spec of opts.groups ?? [{ name: 'broker-a' }, { name: 'broker-b' }]) {
    for (const brokerId of spec.slave ? [0, 1] : [0]) {
      const temp = makeTempDir(`rocketgate-cluster-${spec.name}-${brokerId}-`);
      temps.push(temp);
      specs.set(`${spec.name}/${brokerId}`, { spec, brokerId, dataDir: temp.dir, port: await freePort(), haPort: await freePort() });
      await startNode(`${spec.name}/${brokerId}`);
    }
  }
  const newApi = (options: Partial<RemoteBrokerApiOptions> = {}): RemoteBrokerApi => {
    const api = new RemoteBrokerApi({ nameServers: nsAddrs, ...FAST_REMOTE, ...opts.remote, ...options });
    apis.push(api);
    return api;
  };
  const api = newApi();
  return {
    nameServers,
    nodes,
    api,
    newApi,
    node: (brokerName, brokerId = 0) => {
      const n = nodes.find((x) => x.brokerName === brokerName && x.brokerId === brokerId);
      if (!n) throw new Error(`no running broker ${brokerName}/${brokerId}`);
      return n;
    },
    restart: (brokerName, brokerId = 0) => startNode(`${brokerName}/${brokerId}`),
    close: async () => {
      for (const a of apis) await a.close();
      for (const n of [...nodes]) await n.stop();
      for (const ns of nameServers) await ns.close();
      for (const t of temps) t.cleanup();
    },
  };
}
