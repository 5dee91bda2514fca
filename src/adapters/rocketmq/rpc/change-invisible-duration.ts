/**
 * ChangeInvisibleDuration, two meanings as in RocketMQ 5:
 *   SimpleConsumer (message received without auto-renew): the message stays invisible for
 *     the new duration from now and gets a new receipt handle; the old one is refused.
 *   PushConsumer (message held under auto-renew): the client's listener failed and asks
 *     for redelivery after the duration: the message goes back through the group's retry
 *     queue with its delivery attempt counted (and to the dead-letter queue past the
 *     group's maximum), so the backoff the client computed is the one applied.
 */
import { Code, OK, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import { durationMs, type ChangeInvisibleDurationRequest, type Status } from '../proto.js';
import { MAX_INVISIBLE_MS } from './receive-message.js';
import { groupName, type UnaryHandler } from './context.js';

export interface ChangeInvisibleDurationResponse {
  status: Status;
  receiptHandle: string;
}

export const changeInvisibleDuration: UnaryHandler<ChangeInvisibleDurationRequest, ChangeInvisibleDurationResponse> = async (req, ctx, deps) => {
  const group = groupName(req.group, ctx.namespace);
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  const handle = req.receiptHandle ?? '';
  if (!handle) throw new RocketMqError(Code.InvalidReceiptHandle, 'receipt handle is required');
  const invisibleMs = durationMs(req.invisibleDuration);
  if (invisibleMs === undefined || invisibleMs < 0 || invisibleMs > MAX_INVISIBLE_MS) {
    throw new RocketMqError(Code.IllegalInvisibleTime, `invisible duration must be 0 to 12 h, got ${invisibleMs === undefined ? 'none' : `${invisibleMs} ms`}`);
  }
  const consumer = deps.consumerOf(group);
  const redelivered = await deps.deliveries.settle(handle, (current) => consumer.nack(current, invisibleMs));
  if (redelivered) return { status: OK, receiptHandle: handle };
  return { status: OK, receiptHandle: await consumer.changeInvisibleDuration(handle, invisibleMs) };
};
