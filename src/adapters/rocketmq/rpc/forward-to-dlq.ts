/**
 * ForwardMessageToDeadLetterQueue: the client gives up on a message (FIFO consumption out
 * of attempts, or a corrupted message): it goes to the group's dead-letter queue
 * `%DLQ%{group}` at once, then its delivery is settled. Only messages this node delivered
 * under auto-renew are known by commit log offset; for any other handle (e.g. after a
 * restart of this node) the message is redelivered through the retry queue instead, which
 * leads it to the dead-letter queue after the group's maximum attempts.
 */
import { Code, OK, RocketMqError } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { ForwardMessageToDeadLetterQueueRequest, Status } from '../proto.js';
import { groupName, type UnaryHandler } from './context.js';

export interface ForwardMessageToDeadLetterQueueResponse {
  status: Status;
}

/** redelivery this long after a forward is refused by the kernel, so a failed forward is retried */
const HOLD_MS = 60_000;

export const forwardMessageToDeadLetterQueue: UnaryHandler<ForwardMessageToDeadLetterQueueRequest, ForwardMessageToDeadLetterQueueResponse> = async (req, ctx, deps) => {
  const group = groupName(req.group, ctx.namespace);
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  const handle = req.receiptHandle ?? '';
  if (!handle) throw new RocketMqError(Code.InvalidReceiptHandle, 'receipt handle is required');
  const consumer = deps.consumerOf(group);
  const forwarded = await deps.deliveries.settle(handle, async (current, delivery) => {
    // hold the message (and prove the handle current) while its copy goes to the DLQ
    const held = await consumer.changeInvisibleDuration(current, HOLD_MS);
    await deps.kernel.brokerApi.sendBack({ group, commitLogOffset: delivery.commitLogOffset, maxReconsumeTimes: 0 });
    await consumer.ack(held);
  });
  if (!forwarded) {
    deps.logger.warn({ group, topic, messageId: req.messageId }, 'forward to DLQ of a delivery this node does not hold: redelivering through the retry queue');
    await consumer.nack(handle, 0);
  }
  return { status: OK };
};
