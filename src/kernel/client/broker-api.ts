/**
 * BrokerApi: everything a client needs from one broker, as plain data and Buffers.
 * No callbacks cross it, so the cluster can put every call on the wire
 * (RemoteBrokerApi) while the embedded default calls the broker in-process
 * (EmbeddedBrokerApi). The client library (producer, consumers, admin) talks to
 * nothing else.
 */
import type { Message, StoredMessage } from '../message/message.js';
import type { GetStatus } from '../store/results.js';

export interface TopicInfo {
  topic: string;
  queueCount: number;
  /** permission bits as RocketMQ: 2 write, 4 read */
  perm: number;
  /** ordered topic: sends with a sharding key stay on its queue */
  order: boolean;
  createdAt: number;
}

export interface QueueStats {
  queueId: number;
  minOffset: number;
  maxOffset: number;
  lastStoreTimestamp: number;
}

export interface TopicStats extends TopicInfo {
  queues: QueueStats[];
  /** sum over queues of (max - min) */
  messageCount: number;
}

export const FilterType = { Tag: 'TAG', Sql92: 'SQL92' } as const;
export type FilterType = (typeof FilterType)[keyof typeof FilterType];

export interface FilterSpec {
  type: FilterType;
  expression: string;
}

export interface SendRequest {
  message: Message;
  /** queue chosen by the client; -1 or undefined lets the broker choose round-robin */
  queueId?: number;
  /** the broker refuses an unknown topic instead of auto-creating it */
  noAutoCreate?: boolean;
}

export interface SendResult {
  msgId: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeTimestamp: number;
}

export interface PullRequest {
  group: string;
  topic: string;
  queueId: number;
  offset: number;
  maxMessages: number;
  filter?: FilterSpec;
  /** long polling: wait up to this long for a matching message when none is there */
  suspendMs?: number;
}

export interface PullResult {
  status: GetStatus;
  messages: StoredMessage[];
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** an admin reset moved the group's offset: drop what is buffered and go on from here */
  resetTo?: number;
}

export interface SendBackRequest {
  group: string;
  /** commit log offset of the record that failed */
  commitLogOffset: number;
  /** override of the group's max reconsume times */
  maxReconsumeTimes?: number;
  /** override of the backoff delay before the next attempt */
  delayMs?: number;
  /**
   * the queue the consumer read the message from: commit log offsets are per broker, so
   * a cluster (RemoteBrokerApi) sends the request to the broker group behind this queue
   */
  topic?: string;
  queueId?: number;
}

export const MessageModel = { Clustering: 'CLUSTERING', Broadcasting: 'BROADCASTING' } as const;
export type MessageModel = (typeof MessageModel)[keyof typeof MessageModel];

export const ConsumeFrom = { First: 'FIRST', Last: 'LAST', Timestamp: 'TIMESTAMP' } as const;
export type ConsumeFrom = (typeof ConsumeFrom)[keyof typeof ConsumeFrom];

export interface Subscription {
  topic: string;
  filter: FilterSpec;
}

export interface HeartbeatRequest {
  clientId: string;
  group: string;
  messageModel: MessageModel;
  consumeFrom: ConsumeFrom;
  consumeTimestamp?: number;
  orderly?: boolean;
  /** the group's retry limit before the dead-letter topic */
  maxReconsumeTimes?: number;
  subscriptions: Subscription[];
  /** which protocol the member speaks (mqtt, stomp, http, kernel ...), for admin views */
  protocol?: string;
}

export interface GroupMember {
  clientId: string;
  protocol: string;
  lastHeartbeat: number;
  subscriptions: Subscription[];
}

export interface GroupInfo {
  group: string;
  messageModel: MessageModel;
  consumeFrom: ConsumeFrom;
  consumeTimestamp?: number;
  orderly: boolean;
  maxReconsumeTimes: number;
  members: GroupMember[];
}

export interface OffsetRequest {
  group: string;
  topic: string;
  queueId: number;
  /** broadcasting groups keep one offset per member */
  clientId?: string;
}

export interface CommitOffsetRequest extends OffsetRequest {
  offset: number;
}

export interface LockRequest {
  group: string;
  clientId: string;
  topic: string;
  queueIds: number[];
}

export interface QueueLag {
  topic: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
}

// ---- pop consumption (RocketMQ 5 SimpleConsumer) ----

export interface PopRequest {
  group: string;
  topic: string;
  filter?: FilterSpec;
  /** 1..1024 */
  maxMessages: number;
  /** how long the popped messages stay invisible to other receivers, 1 ms .. 12 h */
  invisibleMs: number;
  /** long polling: wait up to this long for a message when none is there */
  waitMs?: number;
  /** start position of a group seen for the first time (default LAST: from its creation) */
  consumeFrom?: ConsumeFrom;
  consumeTimestamp?: number;
}

/** a popped message: ack, change its invisibility or nack it by its receipt handle */
export interface PoppedMessage extends StoredMessage {
  /** opaque; refused once the message was acked, redelivered or its invisibility changed */
  receiptHandle: string;
  /** epoch ms at which an un-acked message is redelivered through the retry topic */
  invisibleUntil: number;
}

export interface PopResult {
  messages: PoppedMessage[];
}

export interface AckMessageRequest {
  group: string;
  receiptHandle: string;
}

export interface ChangeInvisibleTimeRequest {
  group: string;
  receiptHandle: string;
  invisibleMs: number;
}

export interface ChangeInvisibleTimeResult {
  /** the new handle; the old one is refused from now on */
  receiptHandle: string;
  invisibleUntil: number;
}

export interface NackMessageRequest {
  group: string;
  receiptHandle: string;
  /** delay before redelivery; default the group's retry backoff */
  delayMs?: number;
}

// ---- transactional messages ----

export const TransactionResolution = { Commit: 'COMMIT', Rollback: 'ROLLBACK', Unknown: 'UNKNOWN' } as const;
export type TransactionResolution = (typeof TransactionResolution)[keyof typeof TransactionResolution];

export interface SendHalfRequest {
  message: Message;
  producerGroup: string;
  noAutoCreate?: boolean;
}

export interface HalfSendResult extends SendResult {
  /** names the transaction in endTransaction and in check-backs (the message's unique id) */
  transactionId: string;
}

export interface EndTransactionRequest {
  producerGroup: string;
  /** the transaction id, or the commit log offset of the half message */
  transactionId?: string;
  commitLogOffset?: number;
  resolution: 'COMMIT' | 'ROLLBACK';
  /** the answer to a check-back rather than the producer's first word */
  fromCheck?: boolean;
}

export interface EndTransactionResult {
  resolution: 'COMMIT' | 'ROLLBACK';
  /** where the committed message was stored (commit only) */
  sendResult?: SendResult;
}

export interface TransactionCheck {
  transactionId: string;
  /** commit log offset of the half message */
  commitLogOffset: number;
  /** the message as it will be delivered on commit (real topic) */
  message: StoredMessage;
  /** checks asked so far, this one included */
  checkTimes: number;
}

export interface PollTransactionChecksRequest {
  producerGroup: string;
  clientId: string;
  /** long polling: wait up to this long for a check */
  waitMs?: number;
}

// ---- dead letters ----

export interface RedriveDlqRequest {
  group: string;
  /** only these dead letters (their msgId, as shown by a pull of %DLQ%group); default every one not yet re-driven */
  msgIds?: string[];
}

export interface RedriveDlqResult {
  /** dead letters sent back to their original topic */
  redriven: number;
  /** dead letters that could not be sent back (original topic gone or refused) */
  failed: number;
  /** dead letters of the group still waiting for a re-drive */
  remaining: number;
}

export interface BrokerApi {
  /** an identifier of the broker (embedded: its name; remote: broker name) */
  readonly brokerName: string;

  // topics
  createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo>;
  deleteTopic(topic: string): Promise<boolean>;
  getTopic(topic: string): Promise<TopicInfo | undefined>;
  listTopics(): Promise<TopicInfo[]>;
  topicStats(topic: string): Promise<TopicStats | undefined>;

  // produce
  send(req: SendRequest): Promise<SendResult>;
  sendBatch(req: { topic: string; queueId?: number; messages: Message[]; noAutoCreate?: boolean }): Promise<SendResult[]>;

  // consume
  pull(req: PullRequest): Promise<PullResult>;
  heartbeat(req: HeartbeatRequest): Promise<void>;
  unregisterClient(req: { clientId: string; group: string }): Promise<void>;
  getGroup(group: string): Promise<GroupInfo | undefined>;
  listGroups(): Promise<GroupInfo[]>;
  deleteGroup(group: string): Promise<boolean>;
  /** member client ids of a group, sorted: the input of rebalance */
  groupMembers(group: string): Promise<string[]>;

  /** a consumer failed the message: to the group's retry topic with backoff, or its DLQ */
  sendBack(req: SendBackRequest): Promise<SendResult>;

  // offsets
  /** the group's committed offset, or (new group) its start position: FIRST, LAST = since its creation, or TIMESTAMP */
  queryOffset(req: OffsetRequest): Promise<number>;
  commitOffset(req: CommitOffsetRequest): Promise<void>;
  /** first offset whose store time is at or after `timestamp` */
  searchOffset(req: { topic: string; queueId: number; timestamp: number }): Promise<number>;
  resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]>;
  groupLag(group: string): Promise<QueueLag[]>;

  // orderly consumption: a queue is locked to one member
  lockQueues(req: LockRequest): Promise<number[]>;
  unlockQueues(req: LockRequest): Promise<void>;

  // lookup
  viewMessage(msgId: string): Promise<StoredMessage | undefined>;
  queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]>;

  // pop consumption: receive with an invisibility timeout, settle by receipt handle
  pop(req: PopRequest): Promise<PopResult>;
  ackMessage(req: AckMessageRequest): Promise<void>;
  changeInvisibleTime(req: ChangeInvisibleTimeRequest): Promise<ChangeInvisibleTimeResult>;
  /** redeliver now through the group's retry topic (reconsumeTimes + 1, or the DLQ past the maximum) */
  nackMessage(req: NackMessageRequest): Promise<void>;

  // transactional messages
  /** stores a half message: invisible to consumers until committed */
  sendHalfMessage(req: SendHalfRequest): Promise<HalfSendResult>;
  endTransaction(req: EndTransactionRequest): Promise<EndTransactionResult>;
  /** a live producer of the group asks for unresolved transactions to check (long polling) */
  pollTransactionChecks(req: PollTransactionChecksRequest): Promise<TransactionCheck[]>;

  // dead letters
  /** sends dead letters of a group back to their original topic */
  redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult>;
}
