/**
 * Public types of the kernel client API (Producer, PushConsumer, PullConsumer,
 * SimpleConsumer, Admin). Adapters program against these through src/kernel/index.ts.
 */
import type { Message, StoredMessage } from '../message/message.js';
import type { ConsumeFrom, FilterSpec, MessageModel } from './broker-api.js';

export const ConsumeStatus = {
  Success: 'CONSUME_SUCCESS',
  /** failed: redeliver later through the group's retry topic (or suspend in place when orderly) */
  ReconsumeLater: 'RECONSUME_LATER',
} as const;
export type ConsumeStatus = (typeof ConsumeStatus)[keyof typeof ConsumeStatus];

export interface ConsumeContext {
  topic: string;
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
}

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
