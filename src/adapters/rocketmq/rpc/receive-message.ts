/**
 * ReceiveMessage: pop with long polling, answered as a server stream the way the proxy
 * writes it (ReceiveMessageResponseStreamWriter): first a status (OK, or MESSAGE_NOT_FOUND
 * when the wait ended empty), then one response per message (receipt handle, MD5 body
 * digest, queue id and offset, delivery attempt, invisible duration), and last the
 * delivery timestamp, then the end of the stream.
 *
 * The queue id of the request is not used: as in the proxy, a receive pops every queue of
 * the topic on this broker (and the group's retry queue). With auto_renew (PushConsumer)
 * the messages stay invisible while the client holds them (deliveries.ts); otherwise
 * (SimpleConsumer) for the requested invisible duration. A FIFO group (orderly in the
 * kernel) gets its next batch only once the previous one is settled. The wait ends before
 * the client's deadline; if the client went away meanwhile, what was popped is made
 * visible again.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import { FilterType, type FilterSpec, type ReceivedMessage } from '../../../kernel/index.js';
import { Code, OK, RocketMqError, status } from '../errors.js';
import { kernelName, messageToGrpc } from '../message-map.js';
import { durationMs, toTimestamp, type Duration, type FilterExpression, type ReceiveMessageRequest, type ReceiveMessageResponse } from '../proto.js';
import { callContext, groupName, reportFailure, type CallContext, type RpcDeps } from './context.js';

export const MAX_BATCH_SIZE = 1_024;
export const MAX_INVISIBLE_MS = 12 * 3_600_000;

export interface ReceivePlan {
  group: string;
  topic: string;
  filter: FilterSpec;
  maxMessages: number;
  invisibleMs: number;
  autoRenew: boolean;
  waitMs: number;
}

export function filterOf(expression: FilterExpression | undefined): FilterSpec {
  const text = expression?.expression?.trim() ?? '';
  switch (expression?.type ?? 'TAG') {
    case 'TAG':
    case 'FILTER_TYPE_UNSPECIFIED':
      return { type: FilterType.Tag, expression: text === '' ? '*' : text };
    case 'SQL':
      if (text === '') throw new RocketMqError(Code.IllegalFilterExpression, 'SQL filter expression is empty');
      return { type: FilterType.Sql92, expression: text };
    default:
      throw new RocketMqError(Code.IllegalFilterExpression, `unknown filter type ${JSON.stringify(expression?.type)}`);
  }
}

/** the requested batch size, 1 to MAX_BATCH_SIZE (ReceiveMessage and PullMessage) */
export function batchSizeOf(batchSize: number | undefined): number {
  const n = batchSize ?? 0;
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE) {
    throw new RocketMqError(Code.BadRequest, `batch size must be 1 to ${MAX_BATCH_SIZE}, got ${n}`);
  }
  return n;
}

/** how long a long-polling call may wait: the requested timeout, ending before the client's deadline */
export function pollingWaitMs(timeout: Duration | undefined, ctx: CallContext, deps: RpcDeps, now = Date.now()): number {
  const polling = durationMs(timeout) ?? 0;
  if (polling < 0) throw new RocketMqError(Code.IllegalPollingTime, 'long polling timeout must not be negative');
  return Math.max(0, Math.min(polling, ctx.deadline - now - deps.config.longPollingMarginMs));
}

export function receivePlan(req: ReceiveMessageRequest, ctx: CallContext, deps: RpcDeps, now = Date.now()): ReceivePlan {
  const group = groupName(req.group, ctx.namespace);
  const topic = kernelName(req.messageQueue?.topic, ctx.namespace);
  if (topic === '') throw new RocketMqError(Code.IllegalTopic, 'topic is required');
  const maxMessages = batchSizeOf(req.batchSize);
  const autoRenew = req.autoRenew === true;
  const invisibleMs = autoRenew ? deps.config.autoRenewInvisibleMs : durationMs(req.invisibleDuration);
  if (invisibleMs === undefined || invisibleMs < 1 || invisibleMs > MAX_INVISIBLE_MS) {
    throw new RocketMqError(Code.IllegalInvisibleTime, `invisible duration must be 1 ms to 12 h, got ${invisibleMs === undefined ? 'none' : `${invisibleMs} ms`}`);
  }
  const waitMs = pollingWaitMs(req.longPollingTimeout, ctx, deps, now);
  return { group, topic, filter: filterOf(req.filterExpression), maxMessages, invisibleMs, autoRenew, waitMs };
}

async function receive(call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>, deps: RpcDeps, gone: () => boolean): Promise<void> {
  const ctx = callContext(deps, call.metadata, call.getDeadline());
  const plan = receivePlan(call.request, ctx, deps);
  deps.auth.authorize(ctx.principal, 'subscribe', plan.topic);
  ctx.session.group ??= plan.group;
  const consumer = deps.consumerOf(plan.group);
  const deadline = Date.now() + plan.waitMs;
  // FIFO: the next messages only once the previous ones are settled
  const ready = !(plan.autoRenew && ctx.session.fifo) || await deps.deliveries.waitIdle(plan.group, plan.topic, deadline, gone);
  const waitMs = Math.max(0, deadline - Date.now());
  const messages: ReceivedMessage[] = ready
    ? await consumer.receive({ topic: plan.topic, filter: plan.filter, maxMessages: plan.maxMessages, invisibleMs: plan.invisibleMs, waitMs })
    : [];
  if (gone()) {
    await Promise.all(messages.map((m) => consumer.nack(m.receiptHandle, 0).catch(() => undefined)));
    return;
  }
  if (messages.length === 0) {
    call.write({ status: status(Code.MessageNotFound, 'no new message') });
    return;
  }
  call.write({ status: OK });
  const storeHost = deps.kernel.brokerApi.brokerName;
  for (const m of messages) {
    if (plan.autoRenew) {
      deps.deliveries.add({ handle: m.receiptHandle, group: plan.group, topic: plan.topic, clientId: ctx.clientId, commitLogOffset: m.commitLogOffset, invisibleUntil: m.invisibleUntil });
    }
    call.write({ message: messageToGrpc(m, { namespace: ctx.namespace, storeHost, receiptHandle: m.receiptHandle, invisibleMs: plan.invisibleMs }) });
  }
  deps.counters.messagesOut += messages.length;
}

export function receiveMessage(deps: RpcDeps) {
  return (call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>): void => {
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    void receive(call, deps, () => cancelled)
      .catch((err: unknown) => {
        if (!cancelled) call.write({ status: reportFailure(deps, 'ReceiveMessage', err) });
      })
      .finally(() => {
        if (cancelled) return;
        call.write({ deliveryTimestamp: toTimestamp(Date.now()) });
        call.end();
      });
  };
}
