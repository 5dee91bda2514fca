/**
 * The cluster roles, each a process of its own (DESIGN.md §4), started from the CLI
 * (`rocketgate nameserver|broker|gateway`) with the same config as the embedded server
 * (the `cluster` section, config-schema.ts):
 *
 *   nameserver  routes of the cluster on `nameserverPort`; keeps nothing on disk
 *   broker      a Broker on `dataDir` behind a broker server on `brokerPort`, registered with
 *               every nameserver as `cluster.brokerName` / `cluster.brokerId`; masters open the
 *               HA port and SYNC_MASTER acknowledges once a slave has a send; a SLAVE
 *               replicates its master (found through the nameservers)
 *   gateway     every enabled adapter (MQTT, STOMP, HTTP, RocketMQ gRPC) in front of the
 *               cluster through RemoteBrokerApi: no local store
 *
 * Each prints one line per listener and a `ready` line, as the embedded server does (a
 * supervisor or test waits for it). Timers the config leaves null follow `cluster.timers`:
 * RocketMQ's, or the fast profile for tests.
 */
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { Broker } from '../kernel/broker/broker.js';
import { DefaultKernelClient } from '../kernel/client/kernel-client.js';
import { isKernelError, KernelErrorCode } from '../kernel/errors.js';
import { startBrokerServer } from '../cluster/broker-server/broker-server.js';
import { startNameServer } from '../cluster/nameserver/nameserver.js';
import { RemoteBrokerApi } from '../cluster/remote-broker-api.js';
import { gatherClusterStatus } from '../cluster/client/cluster-status.js';
import { startReplication, type BrokerRole } from '../cluster/replication/replication.js';
import { ControlledBroker } from '../cluster/controller/controlled-broker.js';
import { startControllerServer, type ControllerServer } from '../cluster/controller/controller-server.js';
import type { ConfigSources } from './config.js';
import type { ClusterConfig, Config } from './config-schema.js';
import { startEmbedded, type RunningServer } from './embedded.js';
import { componentLogger, createRootLogger, type Logger } from './logger.js';
import { VERSION } from './version.js';

export const CLUSTER_ROLES = ['nameserver', 'broker', 'gateway', 'controller'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export interface RoleOptions {
  sources?: ConfigSources;
  logger?: Logger;
  /** listener and ready lines; default stdout */
  print?: (line: string) => void;
}

export interface RunningRole {
  readonly role: ClusterRole;
  /** "host:port" of each listener, by name */
  readonly listeners: Record<string, string>;
  stop(): Promise<void>;
}

export interface ClusterTimers {
  registerIntervalMs: number;
  brokerExpiryMs: number;
  scanIntervalMs: number;
  routeRefreshMs: number;
  masterDownMs: number;
  requestTimeoutMs: number;
  haHeartbeatMs: number;
  haHousekeepingMs: number;
  haReconnectMs: number;
  slaveSyncIntervalMs: number;
  syncTimeoutMs: number;
  faultNotAvailableMs: number[];
  topicChangeCheckMs: number;
  controllerHeartbeatMs: number;
  controllerBrokerTimeoutMs: number;
}

const DEFAULT_TIMERS: ClusterTimers = {
  registerIntervalMs: 30_000, brokerExpiryMs: 120_000, scanIntervalMs: 5_000, routeRefreshMs: 30_000, masterDownMs: 30_000,
  requestTimeoutMs: 3_000, haHeartbeatMs: 5_000, haHousekeepingMs: 20_000, haReconnectMs: 5_000, slaveSyncIntervalMs: 10_000,
  syncTimeoutMs: 5_000, faultNotAvailableMs: [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000], topicChangeCheckMs: 1_000,
  controllerHeartbeatMs: 1_000, controllerBrokerTimeoutMs: 10_000,
};

const FAST_TIMERS: ClusterTimers = {
  registerIntervalMs: 500, brokerExpiryMs: 3_000, scanIntervalMs: 200, routeRefreshMs: 500, masterDownMs: 1_000,
  requestTimeoutMs: 2_000, haHeartbeatMs: 200, haHousekeepingMs: 2_000, haReconnectMs: 100, slaveSyncIntervalMs: 200,
  syncTimeoutMs: 2_000, faultNotAvailableMs: [0, 0, 500, 1_000, 1_000, 1_000, 2_000], topicChangeCheckMs: 50,
  controllerHeartbeatMs: 100, controllerBrokerTimeoutMs: 1_500,
};

/** the timers of the config: each one set, else the profile's */
export function clusterTimers(c: ClusterConfig): ClusterTimers {
  const base = c.timers === 'fast' ? FAST_TIMERS : DEFAULT_TIMERS;
  const pick = <K extends keyof ClusterTimers>(key: K, value: ClusterTimers[K] | null): ClusterTimers[K] => value ?? base[key];
  return {
    registerIntervalMs: pick('registerIntervalMs', c.registerIntervalMs),
    brokerExpiryMs: pick('brokerExpiryMs', c.brokerExpiryMs),
    scanIntervalMs: pick('scanIntervalMs', c.scanIntervalMs),
    routeRefreshMs: pick('routeRefreshMs', c.routeRefreshMs),
    masterDownMs: pick('masterDownMs', c.masterDownMs),
    requestTimeoutMs: pick('requestTimeoutMs', c.requestTimeoutMs),
    haHeartbeatMs: pick('haHeartbeatMs', c.haHeartbeatMs),
    haHousekeepingMs: pick('haHousekeepingMs', c.haHousekeepingMs),
    haReconnectMs: pick('haReconnectMs', c.haReconnectMs),
    slaveSyncIntervalMs: pick('slaveSyncIntervalMs', c.slaveSyncIntervalMs),
    syncTimeoutMs: pick('syncTimeoutMs', c.syncTimeoutMs),
    faultNotAvailableMs: pick('faultNotAvailableMs', c.faultNotAvailableMs),
    topicChangeCheckMs: base.topicChangeCheckMs,
    controllerHeartbeatMs: pick('controllerHeartbeatMs', c.controllerHeartbeatMs),
    controllerBrokerTimeoutMs: pick('controllerBrokerTimeoutMs', c.controllerBrokerTimeoutMs),
  };
}

/** `a:1;b:2,c:3` → addresses */
export function nameServerList(text: string): string[] {
  return text.split(/[;,]/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** the broker's role from its id: id 0 is a master of the configured kind, any other a slave */
export function brokerRoleOf(c: ClusterConfig): BrokerRole {
  if (c.brokerId === 0 && c.role === 'SLAVE') throw new Error('cluster.brokerId 0 is a master: give a slave an id of 1 or more, or a master role');
  if (c.brokerId !== 0 && c.role !== 'SLAVE') throw new Error(`cluster.brokerId ${c.brokerId} is a slave: its role must be SLAVE, not ${c.role}`);
  return c.role;
}

function defaultStoreHost(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function setup(config: Config, options: RoleOptions): { log: Logger; print: (line: string) => void } {
  const root = options.logger ?? createRootLogger({ level: config.log.level });
  return { log: componentLogger(root, 'cluster'), print: options.print ?? ((line: string) => process.stdout.write(`${line}\n`)) };
}

export async function startNameServerRole(config: Config, options: RoleOptions = {}): Promise<RunningRole> {
  const { log, print } = setup(config, options);
  const t = clusterTimers(config.cluster);
  const ns = await startNameServer({
    host: config.host, port: config.nameserverPort, brokerExpiryMs: t.brokerExpiryMs, scanIntervalMs: t.scanIntervalMs,
    onBrokersDropped: (addrs, why) => log.warn({ addrs, why }, 'brokers dropped'),
  });
  print(`nameserver listening on ${ns.address}`);
  const controller = config.cluster.controller ? await startController(config, log).catch(async (err: unknown) => {
    await ns.close();
    throw err;
  }) : undefined;
  if (controller) print(`controller listening on ${controller.address}`);
  print(`rocketgate ${VERSION} ready: nameserver${controller ? ' with controller' : ''}`);
  const listeners: Record<string, string> = { nameserver: ns.address };
  if (controller) listeners.controller = controller.address;
  return {
    role: 'nameserver', listeners, stop: async () => {
      await controller?.close();
      await ns.close();
    },
  };
}

/** the controller (automatic failover, src/cluster/controller) with its state in `dataDir` */
function startController(config: Config, log: Logger): Promise<ControllerServer> {
  const c = config.cluster;
  const t = clusterTimers(c);
  return startControllerServer({
    host: config.host, port: c.controllerPort, dataDir: path.resolve(config.dataDir), brokerTimeoutMs: t.controllerBrokerTimeoutMs,
    scanIntervalMs: Math.max(10, Math.floor(t.controllerHeartbeatMs / 2)), uncleanElection: c.uncleanElection,
    onElection: (e) => log.warn({ ...e }, 'controller election'),
    onError: (err) => log.warn({ err }, 'controller error'),
  });
}

export async function startControllerRole(config: Config, options: RoleOptions = {}): Promise<RunningRole> {
  const { log, print } = setup(config, options);
  const controller = await startController(config, log);
  print(`controller listening on ${controller.address}`);
  print(`rocketgate ${VERSION} ready: controller, data dir ${path.resolve(config.dataDir)}`);
  return { role: 'controller', listeners: { controller: controller.address }, stop: () => controller.close() };
}

export async function startBrokerRole(config: Config, options: RoleOptions = {}): Promise<RunningRole> {
  if (config.cluster.controllerAddrs) return startControlledBrokerRole(config, options);
  const { log, print } = setup(config, options);
  const c = config.cluster;
  const t = clusterTimers(c);
  const role = brokerRoleOf(c);
  const storeHost = c.storeHost ?? defaultStoreHost();
  const port = config.brokerPort === 0 ? await freePort(config.host) : config.brokerPort;
  const haPort = c.haPort ?? (config.brokerPort === 0 ? 0 : port + 1);
  const onError = (where: string) => (err: unknown): void => log.warn({ err, where }, 'cluster background error');
  const broker = await Broker.open({
    dataDir: path.resolve(config.dataDir), brokerName: c.brokerName, flushMode: config.flush, flushIntervalMs: config.flushIntervalMs,
    segmentSize: config.segmentSize, maxMessageSize: config.maxMessageSize, defaultQueueCount: config.defaultQueueCount,
    autoCreateTopics: config.autoCreateTopics, fileReservedMs: config.fileReservedHours * 3_600_000, storeHost, storePort: port,
    readOnly: role === 'SLAVE', onServiceError: onError('kernel'),
  });
  const replication = await startReplication({
    broker, role, host: config.host, haPort, syncTimeoutMs: t.syncTimeoutMs, heartbeatMs: t.haHeartbeatMs, housekeepingMs: t.haHousekeepingMs,
    reconnectMs: t.haReconnectMs, syncIntervalMs: t.slaveSyncIntervalMs, onError: (err, where) => onError(where)(err),
  }).catch(async (err: unknown) => {
    await broker.close();
    throw err;
  });
  const advertised = `${storeHost}:${port}`;
  const server = await startBrokerServer({
    broker, host: config.host, port, clusterName: c.name, brokerName: c.brokerName, brokerId: c.brokerId, advertisedAddress: advertised,
    haServerAddress: `${storeHost}:${replication.haPort ?? haPort}`, nameServers: nameServerList(c.nameServers),
    registerIntervalMs: t.registerIntervalMs, topicChangeCheckMs: t.topicChangeCheckMs, nameServerExpiryMs: t.brokerExpiryMs,
    ...replication.serverHooks, onError: (err, where) => onError(where)(err),
  }).catch(async (err: unknown) => {
    await replication.close();
    await broker.close();
    throw err;
  });
  const listeners: Record<string, string> = { broker: advertised };
  print(`broker ${c.brokerName}/${c.brokerId} (${role}) listening on ${advertised}`);
  if (replication.haPort !== undefined) {
    listeners.ha = `${storeHost}:${replication.haPort}`;
    print(`ha listening on ${listeners.ha}`);
  }
  print(`rocketgate ${VERSION} ready: broker ${c.brokerName}/${c.brokerId} ${role}, cluster ${c.name}, data dir ${path.resolve(config.dataDir)}, flush ${config.flush}`);
  let stopped: Promise<void> | undefined;
  return {
    role: 'broker',
    listeners,
    stop: () => (stopped ??= (async () => {
      await server.close();
      await replication.close();
      await broker.close();
    })()),
  };
}

/** a broker whose role the controller decides (cluster.controllerAddrs set) */
async function startControlledBrokerRole(config: Config, options: RoleOptions): Promise<RunningRole> {
  const { log, print } = setup(config, options);
  const c = config.cluster;
  const t = clusterTimers(c);
  const storeHost = c.storeHost ?? defaultStoreHost();
  // both ports stay fixed across role changes: the broker reopens on them
  const port = config.brokerPort === 0 ? await freePort(config.host) : config.brokerPort;
  const haPort = c.haPort ?? (config.brokerPort === 0 ? await freePort(config.host) : port + 1);
  const dataDir = path.resolve(config.dataDir);
  const onError = (where: string) => (err: unknown): void => log.warn({ err, where }, 'cluster background error');
  const advertised = `${storeHost}:${port}`;
  const controlled = await ControlledBroker.start({
    dataDir, clusterName: c.name, brokerName: c.brokerName, brokerId: c.brokerId, controllers: nameServerList(c.controllerAddrs ?? ''),
    address: advertised, haAddress: `${storeHost}:${haPort}`, host: config.host, haPort,
    heartbeatMs: t.controllerHeartbeatMs, requestTimeoutMs: t.requestTimeoutMs, allAckInSyncStateSet: c.allAckInSyncStateSet,
    minInSyncReplicas: c.minInSyncReplicas, syncTimeoutMs: t.syncTimeoutMs, maxLagMs: t.haHousekeepingMs,
    haHeartbeatMs: t.haHeartbeatMs, haHousekeepingMs: t.haHousekeepingMs, haReconnectMs: t.haReconnectMs, slaveSyncIntervalMs: t.slaveSyncIntervalMs,
    openBroker: (readOnly) => Broker.open({
      dataDir, brokerName: c.brokerName, flushMode: config.flush, flushIntervalMs: config.flushIntervalMs,
      segmentSize: config.segmentSize, maxMessageSize: config.maxMessageSize, defaultQueueCount: config.defaultQueueCount,
      autoCreateTopics: config.autoCreateTopics, fileReservedMs: config.fileReservedHours * 3_600_000, storeHost, storePort: port,
      readOnly, onServiceError: onError('kernel'),
    }),
    startServer: (broker, hooks) => startBrokerServer({
      broker, host: config.host, port, clusterName: c.name, brokerName: c.brokerName, advertisedAddress: advertised,
      haServerAddress: `${storeHost}:${haPort}`, nameServers: nameServerList(c.nameServers),
      registerIntervalMs: t.registerIntervalMs, topicChangeCheckMs: t.topicChangeCheckMs, nameServerExpiryMs: t.brokerExpiryMs,
      ...hooks, onError: (err, where) => onError(where)(err),
    }),
    onRoleChange: (role, epoch, detail) => {
      log.warn({ role, epoch, ...detail }, 'broker role changed');
      print(`broker ${c.brokerName}/${c.brokerId} role ${role} epoch ${epoch} ${JSON.stringify(detail)}`);
    },
    onError: (err, where) => onError(where)(err),
  });
  print(`broker ${c.brokerName}/${c.brokerId} (controller mode) listening on ${advertised}`);
  print(`ha listening on ${storeHost}:${haPort}`);
  print(`rocketgate ${VERSION} ready: broker ${c.brokerName}/${c.brokerId} controller mode, cluster ${c.name}, data dir ${dataDir}, flush ${config.flush}`);
  let stopped: Promise<void> | undefined;
  return { role: 'broker', listeners: { broker: advertised, ha: `${storeHost}:${haPort}` }, stop: () => (stopped ??= controlled.stop()) };
}

export async function startGatewayRole(config: Config, options: RoleOptions = {}): Promise<RunningRole & { server: RunningServer }> {
  const { log } = setup(config, options);
  const c = config.cluster;
  const t = clusterTimers(c);
  const api = new RemoteBrokerApi({
    nameServers: nameServerList(c.nameServers), clusterName: c.name, name: c.name, routeRefreshMs: t.routeRefreshMs, refreshOnErrorMs: Math.min(1_000, t.routeRefreshMs),
    masterDownMs: t.masterDownMs, requestTimeoutMs: t.requestTimeoutMs, sendTimeoutMs: t.requestTimeoutMs,
    faultTolerance: { notAvailableMs: t.faultNotAvailableMs }, onError: (err) => log.debug({ err }, 'cluster client'),
  });
  await waitForMasters(api, c.name, CLUSTER_WAIT_MS, log).catch(async (err: unknown) => {
    await api.close();
    throw err;
  });
  const start = (): Promise<RunningServer> => startEmbedded(config, {
    ...options,
    // the adapters' system topics stay open after a failed start: the client must outlive it
    kernel: async () => ({ client: new DefaultKernelClient(api, (err) => log.warn({ err }, 'kernel client error')), close: async () => undefined }),
    clusterStatus: () => gatherClusterStatus({ client: api.view.client, nameServers: nameServerList(c.nameServers), clusterName: c.name, timeoutMs: t.requestTimeoutMs }),
  });
  const server = await retryWhileUnavailable(start, CLUSTER_WAIT_MS, log).catch(async (err: unknown) => {
    await api.close();
    throw err;
  });
  let stopped: Promise<void> | undefined;
  const running: RunningServer = { ...server, stop: () => (stopped ??= server.stop().finally(() => api.close())) };
  const listeners = Object.fromEntries(running.addresses.map((a) => [a.name, a.url]));
  return { role: 'gateway', listeners, server: running, stop: () => running.stop() };
}

/**
 * A master can be up yet take no write for a moment (a SYNC_MASTER whose slave has not
 * reported since it restarted, a controller-mode master before its lease): the adapters'
 * start-up writes then fail with a retriable ServiceUnavailable, and the gateway tries again.
 */
async function retryWhileUnavailable<T>(start: () => Promise<T>, timeoutMs: number, log: Logger): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await start();
    } catch (err) {
      if (!causedByUnavailable(err) || Date.now() > deadline) throw err;
      log.warn({ err }, 'the cluster takes no write yet; starting the adapters again shortly');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function causedByUnavailable(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) if (isKernelError(e, KernelErrorCode.ServiceUnavailable)) return true;
  return false;
}

/** how long a gateway waits for its cluster to have a writable broker group before it gives up */
export const CLUSTER_WAIT_MS = 60_000;

/**
 * adapters create their system topics at start, so a gateway starts them once the cluster
 * has a broker group with a master (brokers and gateways may start in any order)
 */
async function waitForMasters(api: RemoteBrokerApi, cluster: string, timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const groups = await api.view.refreshCluster().then(() => api.view.groups()).catch(() => []);
    if (groups.some((g) => g.brokerAddrs['0'] !== undefined)) return;
    if (Date.now() > deadline) throw new Error(`no broker group of cluster ${cluster} has a master after ${timeoutMs} ms: are the nameservers and brokers up?`);
    if (!said) log.warn({ cluster }, 'waiting for a broker group with a master');
    said = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function startRole(role: ClusterRole, config: Config, options: RoleOptions = {}): Promise<RunningRole> {
  switch (role) {
    case 'nameserver':
      return startNameServerRole(config, options);
    case 'broker':
      return startBrokerRole(config, options);
    case 'gateway':
      return startGatewayRole(config, options);
    case 'controller':
      return startControllerRole(config, options);
  }
}
