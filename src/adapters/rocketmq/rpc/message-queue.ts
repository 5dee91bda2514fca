/**
 * The one queue an offset-based request names (PullMessage, UpdateOffset, GetOffset,
 * QueryOffset): its kernel topic, which must exist (offset reads never create a topic),
 * and a queue id of that topic. Pop consumption's queue id -1 ("every queue") is not one.
 */
import type { TopicInfo } from '../../../kernel/index.js';
import { Code, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { MessageQueue } from '../proto.js';
import type { CallContext, RpcDeps } from './context.js';

export interface QueueRef {
  topic: string;
  queueId: number;
  info: TopicInfo;
}

export async function queueOf(mq: MessageQueue | undefined, ctx: CallContext, deps: RpcDeps): Promise<QueueRef> {
  const topic = kernelName(mq?.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'message queue topic is required');
  const info = await deps.kernel.brokerApi.getTopic(topic);
  if (!info) throw new RocketMqError(Code.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
  const queueId = mq?.id ?? 0;
  if (!Number.isInteger(queueId) || queueId < 0 || queueId >= info.queueCount) {
    throw new RocketMqError(Code.BadRequest, `queue id must be 0 to ${info.queueCount - 1} for topic ${JSON.stringify(topic)}, got ${queueId}`);
  }
  return { topic, queueId, info };
}

/** an offset a client sends: a non-negative integer, else ILLEGAL_OFFSET */
export function offsetOf(offset: number | undefined): number {
  const value = offset ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new RocketMqError(Code.IllegalOffset, `offset must be a non-negative integer, got ${value}`);
  return value;
}
