/**
 * Public types of the kernel client API (Producer, PushConsumer, PullConsumer,
 * SimpleConsumer, Admin). Adapters program against these through src/kernel/index.ts.
 */
import type { Message, StoredMessage } from '../message/message.js';
import type { ConsumeFrom, FilterSpec, MessageModel, PoppedMessage, TransactionResolution } from './broker-api.js';

export const ConsumeStatus = {
  Success: 'CONSUME_SUCCESS',
  /** failed: redeliver later through the group's retry topic (or suspend in place when orderly) */
  ReconsumeLater: 'RECONSUME_LATER',
  /**
   * not consumed, through no fault of the message (its receiver went away): redeliver
   * through the retry topic at once, without the backoff (JMS redelivery of a closed
   * session's unacknowledged messages)
   */
  ReconsumeImmediately: 'RECONSUME_IMMEDIATELY',
} as const;
export type ConsumeStatus = (typeof ConsumeStatus)[keyof typeof ConsumeStatus];

export interface ConsumeContext {
  /** the topic the application sees (a retried message shows its original topic) */
  topic: string;
  /** where the record was read: its topic (e.g. the group's retry topic) and queue */
  storeTopic: string;
  queueId: number;
  group: string;
}

/**
 * Called with one message at a time. The returned promise may stay pending as long
 * as the consumer needs (for example until a STOMP client ACKs): the group's offset
 * never moves past a message whose listener has not resolved.
 */
export type MessageListener = (message: StoredMessage, context: ConsumeContext) => Promise<ConsumeStatus>;

export interface ProducerOptions {
  group?: string;
  clientId?: string;
  /** retries on another queue when a send fails with a retriable error */
  retryTimes?: number;
  /** refuse unknown topics instead of auto-creating them */
  noAutoCreate?: boolean;
  /**
   * answers the broker's check-back for a transaction of this group left unresolved
   * (the producer then polls for checks while it runs); UNKNOWN asks to be checked again
   */
  checkTransaction?: (message: StoredMessage) => TransactionResolution | Promise<TransactionResolution>;
  /** long-poll wait of one check poll, default 10 s */
  transactionCheckPollMs?: number;
}

/** runs the local transaction of a half message; a throw counts as UNKNOWN */
export type LocalTransactionExecutor = (message: Message, transactionId: string) => Promise<TransactionResolution>;

export interface TransactionSendResult extends SendResult {
  transactionId: string;
  /** what the local transaction answered: COMMIT and ROLLBACK are settled, UNKNOWN is left to check-back */
  resolution: TransactionResolution;
}

export interface SimpleConsumerOptions {
  group: string;
  clientId?: string;
  /** start position of a group seen for the first time (default LAST: from its creation) */
  consumeFrom?: ConsumeFrom;
  consumeTimestamp?: number;
}

export interface ReceiveOptions {
  topic: string;
  /** tag expression string (`a || b`, `*`) or a filter spec */
  filter?: FilterSpec | string;
  /** default 16 */
  maxMessages?: number;
  /** default 30 s */
  invisibleMs?: number;
  /** long polling, default 0 (answer at once) */
  waitMs?: number;
}

/** a received message; its topic is the one the application sent to, even when it is a retry */
export type ReceivedMessage = PoppedMessage;

export interface PushConsumerOptions {
  group: string;
  clientId?: string;
  messageModel?: MessageModel;
  consumeFrom?: ConsumeFrom;
  consumeTimestamp?: number;
  orderly?: boolean;
  /** messages of this member being consumed at once (unresolved listener promises) */
  consumeConcurrency?: number;
  /** messages fetched per pull */
  pullBatchSize?: number;
  /** long-poll wait of one pull */
  pullSuspendMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceIntervalMs?: number;
  /** protocol of the member, shown in admin views */
  protocol?: string;
  /** max reconsume times before the dead-letter topic (default 16) */
  maxReconsumeTimes?: number;
}

export interface Subscribe {
  topic: string;
  filter?: FilterSpec;
}

export type { Message, StoredMessage };

import type {
  BrokerApi, GroupInfo, PullResult, QueueLag, RedriveDlqRequest, RedriveDlqResult, SendResult, TopicInfo, TopicStats,
} from './broker-api.js';

export interface Producer {
  readonly group: string;
  send(message: Message): Promise<SendResult>;
  /** fire and forget: failures are logged, never thrown */
  sendOneway(message: Message): void;
  /** all messages must share one topic; they land on one queue in order */
  sendBatch(messages: Message[]): Promise<SendResult[]>;
  /**
   * sends a half message, runs `executeLocal`, then commits or rolls back; on UNKNOWN (or a
   * throw) the broker checks back with a live producer of the group (`checkTransaction`)
   */
  sendTransactional(message: Message, executeLocal: LocalTransactionExecutor): Promise<TransactionSendResult>;
  shutdown(): Promise<void>;
}

/** Pop-style consumption (RocketMQ 5 SimpleConsumer): no queues, no offsets, per-message settlement. */
export interface SimpleConsumer {
  readonly group: string;
  readonly clientId: string;
  receive(options: ReceiveOptions): Promise<ReceivedMessage[]>;
  ack(receiptHandle: string): Promise<void>;
  /** returns the new receipt handle; the old one is refused from now on */
  changeInvisibleDuration(receiptHandle: string, invisibleMs: number): Promise<string>;
  /** redeliver through the retry topic now (after `delayMs`, default the group's backoff) */
  nack(receiptHandle: string, delayMs?: number): Promise<void>;
  shutdown(): Promise<void>;
}

export interface PushConsumer {
  readonly group: string;
  readonly clientId: string;
  /** tag expression string (`a || b`, `*`) or a filter spec */
  subscribe(topic: string, filter?: FilterSpec | string): void;
  unsubscribe(topic: string): void;
  /** the queues this member consumes now (after the last rebalance) */
  assignedQueues(): Array<{ topic: string; queueId: number }>;
  start(listener: MessageListener): Promise<void>;
  /** stops pulling, waits for in-flight listeners up to `drainMs`, commits offsets, leaves the group */
  shutdown(drainMs?: number): Promise<void>;
}

export interface PullConsumer {
  readonly group: string;
  queues(topic: string): Promise<number[]>;
  pull(req: { topic: string; queueId: number; offset: number; maxMessages?: number; filter?: FilterSpec | string; suspendMs?: number }): Promise<PullResult>;
  /** the group's committed offset, or the start position of a new group */
  fetchOffset(topic: string, queueId: number): Promise<number>;
  commit(topic: string, queueId: number, offset: number): Promise<void>;
  shutdown(): Promise<void>;
}

export interface Admin {
  createTopic(req: { topic: string; queueCount?: number; order?: boolean }): Promise<TopicInfo>;
  deleteTopic(topic: string): Promise<boolean>;
  listTopics(): Promise<TopicInfo[]>;
  topicStats(topic: string): Promise<TopicStats | undefined>;
  listGroups(): Promise<GroupInfo[]>;
  getGroup(group: string): Promise<GroupInfo | undefined>;
  deleteGroup(group: string): Promise<boolean>;
  groupLag(group: string): Promise<QueueLag[]>;
  resetOffset(req: { group: string; topic: string; timestamp: number }): Promise<QueueLag[]>;
  viewMessage(msgId: string): Promise<StoredMessage | undefined>;
  queryMessagesByKey(req: { topic: string; key: string; max?: number }): Promise<StoredMessage[]>;
  /** sends a group's dead letters back to their original topic; list them by pulling `%DLQ%{group}` */
  redriveDlq(req: RedriveDlqRequest): Promise<RedriveDlqResult>;
}

/** What adapters receive: factories for clients bound to one BrokerApi. */
export interface KernelClient {
  readonly brokerApi: BrokerApi;
  readonly admin: Admin;
  createProducer(options?: ProducerOptions): Producer;
  createPushConsumer(options: PushConsumerOptions): PushConsumer;
  createPullConsumer(options: { group: string; clientId?: string; consumeFrom?: import('./broker-api.js').ConsumeFrom }): PullConsumer;
  createSimpleConsumer(options: SimpleConsumerOptions): SimpleConsumer;
}
