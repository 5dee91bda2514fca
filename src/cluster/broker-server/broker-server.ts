/**
 * A local Broker (src/kernel/broker/broker.ts) served over RocketMQ 4 remoting, so
 * RocketMQ clients and our RemoteBrokerApi reach it (RocketMQ's BrokerController
 * minus the store): a remoting server with the send, pull, consumer, offset and admin
 * processors, pop (ours, and RocketMQ 5's codes: rocketmq5-pop-processor.ts),
 * transactions with check-backs to producers, and the registration with every
 * nameserver.
 *
 * The broker's storeHost/storePort should be this server's advertised address: they
 * are written into every record and message id, and RocketMQ clients send
 * VIEW_MESSAGE_BY_ID for an id to the address inside it.
 */
import type { Broker } from '../../kernel/broker/broker.js';
import type { CommitOffsetRequest } from '../../kernel/client/broker-api.js';
import { RemotingClient } from '../remoting/remoting-client.js';
import { RemotingServer } from '../remoting/remoting-server.js';
import { TcpTransport } from '../remoting/tcp-transport.js';
import type { Transport } from '../remoting/transport.js';
import { registerAdminProcessors } from './admin-processor.js';
import { BrokerRegistration, type RegisterOutcome } from './broker-registration.js';
import { ClientConnections } from './client-connections.js';
import { registerConsumerProcessors } from './consumer-processor.js';
import { registerKernelAdminProcessors } from './kernel-admin-processor.js';
import { registerKernelConsumeProcessors } from './kernel-consume-processor.js';
import { registerKernelPopProcessors } from './kernel-pop-processor.js';
import { registerRocketMq5PopProcessors } from './rocketmq5-pop-processor.js';
import { registerSyncProcessors } from './sync-processor.js';
import { registerRuntimeInfoProcessor } from './runtime-info-processor.js';
import type { BrokerServerContext } from './context.js';
import { kernelErrorResponse } from './kernel-errors.js';
import { registerOffsetProcessors } from './offset-processor.js';
import { registerPullProcessor } from './pull-processor.js';
import { registerSendProcessors } from './send-processor.js';
import { TransactionCheckRelay, registerTransactionProcessor } from './transaction-processor.js';

export interface BrokerServerOptions {
  broker: Broker;
  host?: string;
  /** 10911 is RocketMQ's; 0 picks a free port */
  port?: number;
  transport?: Transport;
  clusterName?: string;
  /** default: the broker's name */
  brokerName?: string;
  /** 0 = master */
  brokerId?: number;
  /** "host:port" clients should use; default the listening address */
  advertisedAddress?: string;
  /** the replication address nameservers hand to slaves; default host:port+1 */
  haServerAddress?: string;
  nameServers?: string[];
  /** re-registration interval, default 30 s */
  registerIntervalMs?: number;
  /** how often topic changes are looked for, default 1 s */
  topicChangeCheckMs?: number;
  /** how long nameservers keep this broker without a registration (their default 120 s) */
  nameServerExpiryMs?: number;
  compressRegistration?: boolean;
  /** how long a producer's transaction check poll waits, default 10 s */
  transactionCheckPollMs?: number;
  /**
   * SYNC_MASTER: resolves once a slave holds the commit log up to `end`, or throws a
   * ResponseError FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE (replication/sync-waiter.ts).
   * Default: resolves at once (ASYNC_MASTER, SLAVE)
   */
  replicated?: (end: number) => Promise<void>;
  /** told of every offset a consumer commits here (a slave keeps them for its master) */
  offsetCommitted?: (commit: CommitOffsetRequest) => void;
  /** after each registration round: a slave learns its master's addresses from the answers */
  onRegistered?: (outcomes: RegisterOutcome[]) => void;
  /** master: why it takes no write now, if it does not (sends answer SLAVE_NOT_AVAILABLE, nothing stored) */
  writeRefusal?: (storesMessage: boolean) => string | undefined;
  /** master: appends records a slave hands back (KERNEL_REPLICA_APPEND); absent: refused */
  replicaAppend?: (offset: number, bytes: Buffer) => Promise<number>;
  /** controller-mode master: the first queue offset consumers may not read yet (the high-water mark) */
  visibleEnd?: (topic: string, queueId: number) => number | undefined;
  /** controller-mode master: resolves once every in-sync replica holds the commit log up to `end` */
  readConfirmed?: (end: number) => Promise<void>;
  /** controller mode: the master epoch, registered as the dataVersion's stateVersion */
  registrationStateVersion?: () => number;
  onError?: (err: unknown, where: string) => void;
}

export interface BrokerServer {
  readonly address: string;
  readonly port: number;
  /** registers with every nameserver now */
  registerNow(): Promise<RegisterOutcome[]>;
  /** unregisters, stops serving; the Broker itself stays open (its owner closes it) */
  close(): Promise<void>;
}

export async function startBrokerServer(options: BrokerServerOptions): Promise<BrokerServer> {
  const transport = options.transport ?? new TcpTransport();
  const server = new RemotingServer(transport, {
    host: options.host,
    port: options.port ?? 10911,
    errorResponse: kernelErrorResponse,
    onError: (err) => options.onError?.(err, 'processor'),
  });
  let registration: BrokerRegistration | undefined;
  const ctx: BrokerServerContext = {
    broker: options.broker,
    brokerName: options.brokerName ?? options.broker.brokerName,
    brokerAddr: '',
    slave: (options.brokerId ?? 0) !== 0,
    connections: new ClientConnections(server),
    replicated: options.replicated ?? (() => Promise.resolve()),
    offsetCommitted: options.offsetCommitted,
    writeRefusal: options.writeRefusal,
    replicaAppend: options.replicaAppend,
    visibleEnd: options.visibleEnd,
    readConfirmed: options.readConfirmed,
    topicsMayHaveChanged: () => registration?.nudge(),
    producerSeen: (connection, clientId, group) => relay.producerSeen(connection, clientId, group),
  };
  const relay = new TransactionCheckRelay(server, ctx, options.transactionCheckPollMs);
  registerSendProcessors(server, ctx);
  registerPullProcessor(server, ctx);
  registerConsumerProcessors(server, ctx);
  registerOffsetProcessors(server, ctx);
  registerAdminProcessors(server, ctx);
  registerTransactionProcessor(server, ctx);
  registerKernelPopProcessors(server, ctx);
  registerRocketMq5PopProcessors(server, ctx);
  registerKernelConsumeProcessors(server, ctx);
  registerKernelAdminProcessors(server, ctx);
  registerSyncProcessors(server, ctx);
  registerRuntimeInfoProcessor(server, ctx);

  const { address, port } = await server.start();
  ctx.brokerAddr = options.advertisedAddress ?? address;
  const host = ctx.brokerAddr.slice(0, ctx.brokerAddr.lastIndexOf(':'));
  const client = new RemotingClient(transport);
  if (options.nameServers && options.nameServers.length > 0) {
    const broker = options.broker;
    registration = new BrokerRegistration(client, {
      nameServers: options.nameServers,
      clusterName: options.clusterName ?? 'DefaultCluster',
      brokerName: ctx.brokerName,
      brokerId: options.brokerId ?? 0,
      brokerAddr: ctx.brokerAddr,
      haServerAddr: options.haServerAddress ?? `${host}:${port + 1}`,
      intervalMs: options.registerIntervalMs,
      changeCheckMs: options.topicChangeCheckMs,
      heartbeatTimeoutMs: options.nameServerExpiryMs,
      compress: options.compressRegistration,
      topics: () => broker.topics.list(),
      topicsVersion: () => broker.topics.dataVersion,
      autoCreateQueueCount: () => (broker.topics.autoCreate ? broker.options.defaultQueueCount ?? 8 : undefined),
      onError: (ns, err) => options.onError?.(err, `registration with ${ns}`),
      onRegistered: options.onRegistered,
      stateVersion: options.registrationStateVersion,
    });
    await registration.start();
  }
  return {
    address: ctx.brokerAddr,
    port,
    registerNow: () => registration?.registerAll() ?? Promise.resolve([]),
    close: async () => {
      relay.stop();
      await registration?.stop();
      await client.close();
      await server.close();
    },
  };
}
