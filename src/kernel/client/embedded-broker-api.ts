/**
 * BrokerApi bound to a Broker in the same process: direct calls, no serialisation.
 * Messages handed out are the store's decoded copies, so callers may keep them.
 */
import type { Broker } from '../broker/broker.js';
import type {
  BrokerApi, CommitOffsetRequest, GroupInfo, HeartbeatRequest, LockRequest, OffsetRequest, PullRequest,
  PullResult, QueueLag, SendBackRequest, SendRequest, SendResult, TopicInfo, TopicStats,
} from './broker-api.js';
import type {
  AckMessageRequest, ChangeInvisibleTimeRequest, ChangeInvisibleTimeResult, EndTransactionRequest, EndTransactionResult,
  HalfSendResult, NackMessageRequest, PollTransactionChecksRequest, PopRequest, PopResult, RedriveDlqRequest, RedriveDlqResult,
  SendHalfRequest, TransactionCheck,
} from './broker-api.js';
import type { Message, StoredMessage } from '../message/message.js';

export class EmbeddedBrokerApi implements BrokerApi {
  constructor(private readonly broker: Broker) {}

  get brokerName(): string {
    return this.broker.brokerName;
  }

  createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo> {
    return this.broker.createTopic(req);
  }

  deleteTopic(topic: string): Promise<boolean> {
    return this.broker.deleteTopic(topic);
  }

  async getTopic(topic: string): Promise<TopicInfo | undefined> {
    return this.broker.topics.get(topic);
  }

  async listTopics(): Promise<TopicInfo[]> {
    return this.broker.topics.list();
  }

  async topicStats(topic: string): Promise<TopicStats | undefined> {
    return this.broker.topicStats(topic);
  }

  send(req: SendRequest): Promise<SendResult> {
    return this.broker.send(req);
  }

  sendBatch(req: { topic: string; queueId?: number; messages: Message[]; noAutoCreate?: boolean }): Promise<SendResult[]> {
    return this.broker.sendBatch(req);
  }

  pull(req: PullRequest): Promise<PullResult> {
    return this.broker.pull(req);
  }

  heartbeat(req: HeartbeatRequest): Promise<void> {
    return this.broker.heartbeat(req);
  }

  async unregisterClient(req: { clientId: string; group: string }): Promise<void> {
    this.broker.unregisterClient(req.group, req.clientId);
  }

  async getGroup(group: string): Promise<GroupInfo | undefined> {
    return this.broker.groupInfo(group);
  }

  async listGroups(): Promise<GroupInfo[]> {
    return this.broker.groups.list().map((g) => this.broker.groupInfo(g.group)!);
  }

  deleteGroup(group: string): Promise<boolean> {
    return this.broker.deleteGroup(group);
  }

  async groupMembers(group: string): Promise<string[]> {
    return this.broker.consumers.memberIds(group);
  }

  sendBack(req: SendBackRequest): Promise<SendResult> {
    return this.broker.sendBack(req);
  }

  async queryOffset(req: OffsetRequest): Promise<number> {
    return this.broker.queryOffset(req);
  }

  async commitOffset(req: CommitOffsetRequest): Promise<void> {
    this.broker.commitOffset(req);
  }

  async searchOffset(req: { topic: string; queueId: number; timestamp: number }): Promise<number> {
    return this.broker.store.searchOffset(req.topic, req.queueId, req.timestamp);
  }

  resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]> {
    return this.broker.resetOffset(req);
  }

  async groupLag(group: string): Promise<QueueLag[]> {
    return this.broker.groupLag(group);
  }

  async lockQueues(req: LockRequest): Promise<number[]> {
    return this.broker.lockQueues(req);
  }

  async unlockQueues(req: LockRequest): Promise<void> {
    this.broker.unlockQueues(req);
  }

  viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    return this.broker.viewMessage(msgId);
  }

  queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]> {
    return this.broker.queryMessagesByKey(req);
  }

  pop(req: PopRequest): Promise<PopResult> {
    return this.broker.pop.pop(req);
  }

  ackMessage(req: AckMessageRequest): Promise<void> {
    return this.broker.pop.ack(req);
  }

  changeInvisibleTime(req: ChangeInvisibleTimeRequest): Promise<ChangeInvisibleTimeResult> {
    return this.broker.pop.changeInvisibleTime(req);
  }

  nackMessage(req: NackMessageRequest): Promise<void> {
    return this.broker.pop.nack(req);
  }

  sendHalfMessage(req: SendHalfRequest): Promise<HalfSendResult> {
    return this.broker.transactions.sendHalf(req);
  }

  endTransaction(req: EndTransactionRequest): Promise<EndTransactionResult> {
    return this.broker.transactions.endTransaction(req);
  }

  pollTransactionChecks(req: PollTransactionChecksRequest): Promise<TransactionCheck[]> {
    return this.broker.transactions.pollChecks(req);
  }

  redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult> {
    return this.broker.dlq.redrive(req);
  }
}
