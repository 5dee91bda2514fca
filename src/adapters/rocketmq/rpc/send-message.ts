/**
 * SendMessage: one or more messages of one topic, answered entry by entry (as the proxy).
 *   NORMAL, FIFO, DELAY, PRIORITY → the kernel producer (a message group is the sharding
 *                                   key: same group, same queue, FIFO)
 *   TRANSACTION                   → a half message of the topic's transaction group; the
 *                                   entry's transaction_id names it in EndTransaction
 * Each message is checked and mapped first (message-map.ts): bad input fails its entry
 * with RocketMQ's code and stores nothing of it. Entries of one request are stored in
 * order; a FIFO batch keeps its order on its queue.
 */
import type { SendResult } from '../../../kernel/index.js';
import { Code, OK, overallStatus, status } from '../errors.js';
import { MessageType, messageFromGrpc, type Inbound } from '../message-map.js';
import type { SendMessageRequest, SendResultEntry, Status } from '../proto.js';
import { transactionGroup } from '../transactions.js';
import { reportFailure, type CallContext, type RpcDeps, type UnaryHandler } from './context.js';

export interface SendMessageResponse {
  status: Status;
  entries: SendResultEntry[];
}

async function store(inbound: Inbound, ctx: CallContext, deps: RpcDeps): Promise<SendResultEntry> {
  const { message, type } = inbound;
  deps.auth.authorize(ctx.principal, 'publish', message.topic);
  ctx.session.publishing.add(message.topic);
  if (type === MessageType.Transaction) {
    const half = await deps.kernel.brokerApi.sendHalfMessage({ message, producerGroup: transactionGroup(message.topic), noAutoCreate: !deps.config.autoCreateTopics });
    deps.transactions.watch(message.topic);
    return { status: OK, messageId: half.msgId, transactionId: half.transactionId, offset: half.queueOffset };
  }
  const sent: SendResult = await deps.producer.send(message);
  return { status: OK, messageId: sent.msgId, transactionId: '', offset: sent.queueOffset };
}

export const sendMessage: UnaryHandler<SendMessageRequest, SendMessageResponse> = async (req, ctx, deps) => {
  const now = Date.now();
  const entries: SendResultEntry[] = [];
  for (const grpc of req.messages) {
    const messageId = grpc.systemProperties?.messageId ?? '';
    try {
      const inbound = messageFromGrpc(grpc, { maxMessageSize: deps.config.maxMessageSize, now, namespace: ctx.namespace });
      entries.push(await store(inbound, ctx, deps));
      deps.counters.messagesIn++;
    } catch (err) {
      entries.push({ status: reportFailure(deps, 'SendMessage', err), messageId, transactionId: '', offset: 0 });
    }
  }
  if (entries.length === 0) return { status: status(Code.BadRequest, 'a SendMessage request needs at least one message'), entries };
  return { status: overallStatus(entries.map((e) => e.status)), entries };
};
