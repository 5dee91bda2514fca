/**
 * The offset RPCs of RocketMQ 5's PullConsumer, over the kernel's consumer offsets (the
 * same ones admin lag views and remoting consumers use):
 *   UpdateOffset  commits the group's progress on one queue (the next offset to consume)
 *   GetOffset     the group's committed offset of the queue; a group new to the queue
 *                 gets its start position (the kernel's queryOffset)
 *   QueryOffset   an offset of the queue itself: BEGINNING (its min), END (its max), or
 *                 TIMESTAMP (the first message stored at or after the time)
 */
import { Code, OK, RocketMqError } from '../errors.js';
import { timestampMs, type GetOffsetRequest, type QueryOffsetRequest, type Status, type UpdateOffsetRequest } from '../proto.js';
import { groupName, type UnaryHandler } from './context.js';
import { offsetOf, queueOf } from './message-queue.js';

export interface UpdateOffsetResponse {
  status: Status;
}

export interface OffsetResponse {
  status: Status;
  offset: number;
}

export const updateOffset: UnaryHandler<UpdateOffsetRequest, UpdateOffsetResponse> = async (req, ctx, deps) => {
  const group = groupName(req.group, ctx.namespace);
  const { topic, queueId } = await queueOf(req.messageQueue, ctx, deps);
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  await deps.kernel.brokerApi.commitOffset({ group, topic, queueId, offset: offsetOf(req.offset) });
  return { status: OK };
};

export const getOffset: UnaryHandler<GetOffsetRequest, OffsetResponse> = async (req, ctx, deps) => {
  const group = groupName(req.group, ctx.namespace);
  const { topic, queueId } = await queueOf(req.messageQueue, ctx, deps);
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  return { status: OK, offset: await deps.kernel.brokerApi.queryOffset({ group, topic, queueId }) };
};

export const queryOffset: UnaryHandler<QueryOffsetRequest, OffsetResponse> = async (req, ctx, deps) => {
  const { topic, queueId } = await queueOf(req.messageQueue, ctx, deps);
  deps.auth.authorizeAny(ctx.principal, topic);
  const policy = req.queryOffsetPolicy ?? 'BEGINNING';
  if (policy === 'TIMESTAMP') {
    const at = timestampMs(req.timestamp);
    if (at === undefined) throw new RocketMqError(Code.BadRequest, 'query offset policy TIMESTAMP needs a timestamp');
    return { status: OK, offset: await deps.kernel.brokerApi.searchOffset({ topic, queueId, timestamp: at }) };
  }
  if (policy !== 'BEGINNING' && policy !== 'END') throw new RocketMqError(Code.BadRequest, `unknown query offset policy ${JSON.stringify(policy)}`);
  const stats = await deps.kernel.brokerApi.topicStats(topic);
  const queue = stats?.queues.find((q) => q.queueId === queueId);
  if (!queue) throw new RocketMqError(Code.TopicNotFound, `topic ${JSON.stringify(topic)} does not exist`);
  return { status: OK, offset: policy === 'BEGINNING' ? queue.minOffset : queue.maxOffset };
};
