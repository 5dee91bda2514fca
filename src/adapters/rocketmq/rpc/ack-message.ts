/**
 * AckMessage: settles received messages by receipt handle, answered entry by entry. A
 * handle that is stale (acked already, redelivered, or replaced by ChangeInvisibleDuration)
 * is INVALID_RECEIPT_HANDLE for its entry only.
 */
import { Code, RocketMqError, OK, overallStatus } from '../errors.js';
import { kernelName } from '../message-map.js';
import type { AckMessageRequest, Status } from '../proto.js';
import { groupName, reportFailure, type RpcDeps, type UnaryHandler } from './context.js';

export interface AckMessageResultEntry {
  messageId: string;
  receiptHandle: string;
  status: Status;
}

export interface AckMessageResponse {
  status: Status;
  entries: AckMessageResultEntry[];
}

/** the handle's receipt, through the auto-renew table when the message is held there */
export async function ackHandle(deps: RpcDeps, group: string, handle: string): Promise<void> {
  if (!handle) throw new RocketMqError(Code.InvalidReceiptHandle, 'receipt handle is required');
  const consumer = deps.consumerOf(group);
  const held = await deps.deliveries.settle(handle, (current) => consumer.ack(current));
  if (!held) await consumer.ack(handle);
}

export const ackMessage: UnaryHandler<AckMessageRequest, AckMessageResponse> = async (req, ctx, deps) => {
  const group = groupName(req.group, ctx.namespace);
  const topic = kernelName(req.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  deps.auth.authorize(ctx.principal, 'subscribe', topic);
  if (req.entries.length === 0) throw new RocketMqError(Code.BadRequest, 'an AckMessage request needs at least one entry');
  const entries = await Promise.all(req.entries.map(async (e): Promise<AckMessageResultEntry> => {
    const receiptHandle = e.receiptHandle ?? '';
    try {
      await ackHandle(deps, group, receiptHandle);
      return { messageId: e.messageId ?? '', receiptHandle, status: OK };
    } catch (err) {
      return { messageId: e.messageId ?? '', receiptHandle, status: reportFailure(deps, 'AckMessage', err) };
    }
  }));
  return { status: overallStatus(entries.map((e) => e.status)), entries };
};
