/**
 * Retry and dead letters (RocketMQ's consumer send-back): a message a group failed goes
 * to `%RETRY%{group}` after a backoff that grows with its reconsume count; past the
 * group's maximum it goes to `%DLQ%{group}`. The copy keeps the original's id (so
 * duplicates share it), its original topic and queue in properties, and its history.
 */
import type { Message, StoredMessage } from '../message/message.js';
import { PropertyName } from '../message/properties.js';
import { retryBackoff } from './delay-levels.js';
import { toPlainMessage } from './schedule-service.js';
import { RETRY_GROUP_TOPIC_PREFIX, dlqTopic, retryTopic } from './topic-names.js';

export const DLQ_ORIGIN_TOPIC = 'DLQ_ORIGIN_TOPIC';
export const DLQ_ORIGIN_QUEUE = 'DLQ_ORIGIN_QUEUE';
export const DLQ_FAILED_AT = 'DLQ_FAILED_AT';

export interface RetryPlan {
  message: Message;
  reconsumeTimes: number;
  /** undefined: store now (dead letter) */
  deliverAt?: number;
  deadLetter: boolean;
}

export class RetryService {
  constructor(private readonly backoffMs: number[]) {}

  plan(group: string, failed: StoredMessage, maxReconsumeTimes: number, delayMs?: number): RetryPlan {
    const reconsumeTimes = failed.reconsumeTimes + 1;
    const system = { ...failed.systemProperties };
    // the topic the application sees: kept across any number of retries
    const originTopic = system[PropertyName.RetryTopic] ?? (failed.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? failed.topic : failed.topic);
    system[PropertyName.RetryTopic] = originTopic;
    system[PropertyName.OriginMessageId] ??= failed.msgId;
    // not REAL_QID: the schedule service routes a delayed retry by that one (into queue 0 of the retry topic)
    system[DLQ_ORIGIN_QUEUE] ??= String(failed.queueId);
    const base = { ...toPlainMessage(failed), uniqueId: failed.msgId, deliverAt: undefined, systemProperties: system };
    if (reconsumeTimes > maxReconsumeTimes) {
      system[DLQ_ORIGIN_TOPIC] = originTopic;
      system[DLQ_FAILED_AT] = String(Date.now());
      return { message: { ...base, topic: dlqTopic(group) }, reconsumeTimes, deadLetter: true };
    }
    const delay = delayMs ?? retryBackoff(reconsumeTimes, this.backoffMs);
    // no delay: stored in the retry topic at once, not through the timer
    return { message: { ...base, topic: retryTopic(group) }, reconsumeTimes, deliverAt: delay > 0 ? Date.now() + delay : undefined, deadLetter: false };
  }
}

/** the topic an application should see for a message read from a retry topic */
export function applicationTopic(message: StoredMessage): string {
  if (message.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return message.systemProperties?.[PropertyName.RetryTopic] ?? message.topic;
  return message.topic;
}
