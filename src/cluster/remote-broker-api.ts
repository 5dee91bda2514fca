/**
 * RemoteBrokerApi: the kernel's BrokerApi over a whole cluster (DESIGN.md §2, §4), so the
 * kernel client (producer, consumers, admin) and every adapter run unchanged in a gateway
 * node in front of nameservers and broker groups.
 *
 * - Routes come from any nameserver, refreshed every 30 s and after a failed call
 *   (client/cluster-view.ts). A topic's queues are the queues of all its broker groups end
 *   to end, groups by name: global queue id = the group's base + its own queue id
 *   (client/queue-layout.ts).
 * - Sends go to masters, spread over the groups' write queues, avoid a slow or failing
 *   group for a while (RocketMQ's latency fault tolerance) and are retried on another
 *   group (client/remote-send.ts, client/latency-fault-tolerance.ts).
 * - Pulls, offsets and lookups read from a group's master, or from a slave while the
 *   master is down; heartbeats go to every broker, members are the union, so push
 *   consumers rebalance over all groups' queues (client/remote-consume.ts).
 * - Pop, transactions, DLQ re-drive, resets, lag, stats: our own request codes where
 *   RocketMQ 4 has none (remoting/request-codes.ts KernelRequestCode; client/remote-pop.ts,
 *   remote-transactions.ts, remote-admin.ts, remote-topics.ts).
 *
 * Every timer and limit is an option; `FAST_REMOTE_OPTIONS`-like profiles belong to the
 * caller (runtime/roles.ts, tests).
 */
import type {
  AckMessageRequest, BrokerApi, ChangeInvisibleTimeRequest, ChangeInvisibleTimeResult, CommitOffsetRequest, EndTransactionRequest,
  EndTransactionResult, GroupInfo, HalfSendResult, HeartbeatRequest, LockRequest, NackMessageRequest, OffsetRequest,
  PollTransactionChecksRequest, PopRequest, PopResult, PullRequest, PullResult, QueueLag, RedriveDlqRequest, RedriveDlqResult,
  SendBackRequest, SendHalfRequest, SendRequest, SendResult, TopicInfo, TopicStats, TransactionCheck,
} from '../kernel/client/broker-api.js';
import type { Message, StoredMessage } from '../kernel/message/message.js';
import { ClusterView } from './client/cluster-view.js';
import { LatencyFaultTolerance, type FaultToleranceOptions } from './client/latency-fault-tolerance.js';
import { RemoteAdmin } from './client/remote-admin.js';
import { RemoteConsumption } from './client/remote-consume.js';
import { RemotePop } from './client/remote-pop.js';
import { RemoteSender } from './client/remote-send.js';
import { RemoteTopics } from './client/remote-topics.js';
import { RemoteTransactions } from './client/remote-transactions.js';
import { RemotingClient } from './remoting/remoting-client.js';
import { TcpTransport } from './remoting/tcp-transport.js';
import type { Transport } from './remoting/transport.js';

export interface RemoteBrokerApiOptions {
  nameServers: string[];
  /** only this cluster's broker groups (default: every group the nameservers know) */
  clusterName?: string;
  /** default TCP */
  transport?: Transport;
  /** route and cluster info refresh, default 30 s */
  routeRefreshMs?: number;
  /** soonest refresh after a failed call, default 1 s */
  refreshOnErrorMs?: number;
  /** reads avoid a master that failed a call for this long, default 30 s */
  masterDownMs?: number;
  /** timeout of a call, default 3 s (long polls add their wait) */
  requestTimeoutMs?: number;
  /** timeout of one send attempt, default 3 s */
  sendTimeoutMs?: number;
  /** more attempts of a failed send, each on another group when there is one; default 2 */
  retryTimesWhenSendFailed?: number;
  /** latency fault tolerance tables (RocketMQ's by default) */
  faultTolerance?: FaultToleranceOptions;
  /** how long a topic's order flag and creation time are cached, default the route refresh */
  topicDetailTtlMs?: number;
  /** what this client calls the cluster in admin views, default "cluster" */
  name?: string;
  onError?: (err: Error) => void;
}

export class RemoteBrokerApi implements BrokerApi {
  readonly brokerName: string;
  readonly view: ClusterView;
  private readonly client: RemotingClient;
  private readonly topics: RemoteTopics;
  private readonly sender: RemoteSender;
  private readonly consume: RemoteConsumption;
  private readonly admin: RemoteAdmin;
  private readonly pops: RemotePop;
  private readonly transactions: RemoteTransactions;

  constructor(options: RemoteBrokerApiOptions) {
    this.brokerName = options.name ?? options.clusterName ?? 'cluster';
    this.client = new RemotingClient(options.transport ?? new TcpTransport(), { requestTimeoutMs: options.requestTimeoutMs });
    this.view = new ClusterView(this.client, {
      nameServers: options.nameServers, clusterName: options.clusterName, refreshIntervalMs: options.routeRefreshMs,
      refreshOnErrorMs: options.refreshOnErrorMs, masterDownMs: options.masterDownMs, requestTimeoutMs: options.requestTimeoutMs, onError: options.onError,
    });
    this.topics = new RemoteTopics(this.view, options.topicDetailTtlMs ?? options.routeRefreshMs ?? 30_000);
    this.sender = new RemoteSender(this.view, this.topics, new LatencyFaultTolerance(options.faultTolerance), options.retryTimesWhenSendFailed ?? 2, options.sendTimeoutMs ?? 3_000);
    this.consume = new RemoteConsumption(this.view);
    this.admin = new RemoteAdmin(this.view, this.consume);
    this.pops = new RemotePop(this.view);
    this.transactions = new RemoteTransactions(this.view);
    this.view.start();
  }

  /** stops the refresh timers and closes every connection */
  async close(): Promise<void> {
    this.view.stop();
    await this.client.close();
  }

  // ---- topics ----

  createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo> {
    return this.topics.create(req);
  }

  deleteTopic(topic: string): Promise<boolean> {
    return this.topics.delete(topic);
  }

  getTopic(topic: string): Promise<TopicInfo | undefined> {
    return this.topics.get(topic);
  }

  listTopics(): Promise<TopicInfo[]> {
    return this.topics.list();
  }

  topicStats(topic: string): Promise<TopicStats | undefined> {
    return this.topics.stats(topic);
  }

  // ---- produce ----

  send(req: SendRequest): Promise<SendResult> {
    return this.sender.send(req);
  }

  sendBatch(req: { topic: string; queueId?: number; messages: Message[]; noAutoCreate?: boolean }): Promise<SendResult[]> {
    return this.sender.sendBatch(req);
  }

  // ---- consume ----

  pull(req: PullRequest): Promise<PullResult> {
    return this.consume.pull(req);
  }

  heartbeat(req: HeartbeatRequest): Promise<void> {
    return this.consume.heartbeat(req);
  }

  unregisterClient(req: { clientId: string; group: string }): Promise<void> {
    return this.consume.unregisterClient(req);
  }

  async getGroup(group: string): Promise<GroupInfo | undefined> {
    return (await this.admin.groupInfo(group))[0];
  }

  listGroups(): Promise<GroupInfo[]> {
    return this.admin.groupInfo();
  }

  deleteGroup(group: string): Promise<boolean> {
    return this.admin.deleteGroup(group);
  }

  groupMembers(group: string): Promise<string[]> {
    return this.consume.groupMembers(group);
  }

  sendBack(req: SendBackRequest): Promise<SendResult> {
    return this.consume.sendBack(req);
  }

  // ---- offsets ----

  queryOffset(req: OffsetRequest): Promise<number> {
    return this.consume.queryOffset(req);
  }

  commitOffset(req: CommitOffsetRequest): Promise<void> {
    return this.consume.commitOffset(req);
  }

  searchOffset(req: { topic: string; queueId: number; timestamp: number }): Promise<number> {
    return this.consume.searchOffset(req);
  }

  resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]> {
    return this.admin.resetOffset(req);
  }

  groupLag(group: string): Promise<QueueLag[]> {
    return this.admin.groupLag(group);
  }

  lockQueues(req: LockRequest): Promise<number[]> {
    return this.consume.lockQueues(req);
  }

  unlockQueues(req: LockRequest): Promise<void> {
    return this.consume.unlockQueues(req);
  }

  // ---- lookup ----

  viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    return this.admin.viewMessage(msgId);
  }

  queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]> {
    return this.admin.queryMessagesByKey(req);
  }

  // ---- pop ----

  pop(req: PopRequest): Promise<PopResult> {
    return this.pops.pop(req);
  }

  ackMessage(req: AckMessageRequest): Promise<void> {
    return this.pops.ack(req);
  }

  changeInvisibleTime(req: ChangeInvisibleTimeRequest): Promise<ChangeInvisibleTimeResult> {
    return this.pops.changeInvisibleTime(req);
  }

  nackMessage(req: NackMessageRequest): Promise<void> {
    return this.pops.nack(req);
  }

  // ---- transactions ----

  async sendHalfMessage(req: SendHalfRequest): Promise<HalfSendResult> {
    const { brokerName, ...half } = await this.sender.sendHalf(req.message, req.producerGroup, req.noAutoCreate);
    this.transactions.remember(half.transactionId, brokerName);
    return half;
  }

  endTransaction(req: EndTransactionRequest): Promise<EndTransactionResult> {
    return this.transactions.endTransaction(req);
  }

  pollTransactionChecks(req: PollTransactionChecksRequest): Promise<TransactionCheck[]> {
    return this.transactions.pollChecks(req);
  }

  // ---- dead letters ----

  redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult> {
    return this.admin.redriveDlq(req);
  }
}
