/**
 * Consumer membership and orderly locks (RocketMQ's ClientManageProcessor,
 * ConsumerManageProcessor, AdminBrokerProcessor lock/unlock, SendMessageProcessor's
 * consumer send-back):
 *
 *   HEART_BEAT(34)                 body HeartbeatData → each ConsumerData joins its group; each
 *                                  ProducerData makes the client a target of transaction check-backs
 *   UNREGISTER_CLIENT(35)          {clientID, producerGroup?, consumerGroup?}
 *   GET_CONSUMER_LIST_BY_GROUP(38) {consumerGroup} → {"consumerIdList":[...]}; no member: SYSTEM_ERROR as RocketMQ
 *   LOCK_BATCH_MQ(41)              LockBatchRequestBody → {"lockOKMQSet":[...]}
 *   UNLOCK_BATCH_MQ(42)            UnlockBatchRequestBody
 *   CONSUMER_SEND_MSG_BACK(36)     {offset, group, delayLevel, originMsgId?, originTopic?, maxReconsumeTimes?}:
 *                                  delayLevel -1 = straight to the DLQ, 0 = the broker's backoff, n = level n
 *
 * A member that joins or leaves (unregister, closed connection) makes the broker send
 * NOTIFY_CONSUMER_IDS_CHANGED to the group's connected members. As RocketMQ's heartbeat
 * does, a clustering group's first heartbeat creates its retry topic `%RETRY%{group}`
 * (one queue), so every broker of a cluster has it from the start and the topic's queue
 * layout does not change when the first message fails somewhere.
 */
import { DEFAULT_DELAY_LEVELS_MS, delayOfLevel } from '../../kernel/broker/delay-levels.js';
import { retryTopic } from '../../kernel/broker/topic-names.js';
import { MessageModel } from '../../kernel/client/broker-api.js';
import { createResponse, type RemotingCommand } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { ResponseError, type RequestContext } from '../remoting/request-dispatcher.js';
import { decodeHeartbeat, decodeLockBatch, messageQueueJson, type MessageQueue } from '../protocol/consumer-bodies.js';
import { jsonBody, parseJsonObject } from '../protocol/fastjson.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { assertWritable, type BrokerServerContext } from './context.js';

export function registerConsumerProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  server.register(RequestCode.HEART_BEAT, (req, rc) => heartbeat(ctx, req, rc));
  server.register(RequestCode.UNREGISTER_CLIENT, (req) => {
    const h = new HeaderFields(req.extFields);
    const clientId = h.str('clientID');
    const group = h.optStr('consumerGroup');
    if (group) leave(ctx, group, clientId);
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (req) => {
    const group = new HeaderFields(req.extFields).str('consumerGroup');
    const ids = ctx.broker.consumers.memberIds(group);
    if (ids.length === 0) return createResponse(req, { code: ResponseCode.SYSTEM_ERROR, remark: `no consumer for this group, ${group}` });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ consumerIdList: ids }) });
  });
  server.register(RequestCode.LOCK_BATCH_MQ, (req) => {
    const body = decodeLock(req);
    const locked: MessageQueue[] = [];
    for (const [topic, queues] of byTopic(body.mqSet)) {
      const ok = new Set(ctx.broker.lockQueues({ group: body.consumerGroup, clientId: body.clientId, topic, queueIds: queues.map((q) => q.queueId) }));
      locked.push(...queues.filter((q) => ok.has(q.queueId)));
    }
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ lockOKMQSet: locked.map(messageQueueJson) }) });
  });
  server.register(RequestCode.UNLOCK_BATCH_MQ, (req) => {
    const body = decodeLock(req);
    for (const [topic, queues] of byTopic(body.mqSet)) {
      ctx.broker.unlockQueues({ group: body.consumerGroup, clientId: body.clientId, topic, queueIds: queues.map((q) => q.queueId) });
    }
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.CONSUMER_SEND_MSG_BACK, async (req) => {
    const h = new HeaderFields(req.extFields);
    assertWritable(ctx, 'send back');
    const delayLevel = h.optInt('delayLevel') ?? 0;
    const levels = ctx.broker.options.delayLevelsMs ?? DEFAULT_DELAY_LEVELS_MS;
    const result = await ctx.broker.sendBack({
      group: h.str('group'),
      commitLogOffset: h.int('offset'),
      maxReconsumeTimes: delayLevel < 0 ? 0 : h.optInt('maxReconsumeTimes'),
      delayMs: delayLevel > 0 ? delayOfLevel(delayLevel, levels) : undefined,
    });
    await ctx.replicated(result.commitLogOffset + 1);
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.onConnectionClose((connection) => {
    for (const { group, clientId } of ctx.connections.connectionClosed(connection)) leave(ctx, group, clientId, false);
  });
}

async function heartbeat(ctx: BrokerServerContext, req: RemotingCommand, rc: RequestContext): Promise<RemotingCommand> {
  let decoded;
  try {
    decoded = decodeHeartbeat(parseJsonObject(req.body, 'HeartbeatData'));
  } catch (err) {
    throw new ResponseError(ResponseCode.SYSTEM_ERROR, (err as Error).message);
  }
  for (const consumer of decoded.consumers) {
    const joined = !ctx.broker.consumers.isMember(consumer.group, consumer.clientId);
    await ctx.broker.heartbeat(consumer);
    if (consumer.messageModel === MessageModel.Clustering && !ctx.broker.topics.get(retryTopic(consumer.group))) {
      await ctx.broker.topics.create({ topic: retryTopic(consumer.group), queueCount: 1 });
      ctx.topicsMayHaveChanged();
    }
    ctx.connections.bind(rc.connection, consumer.clientId, consumer.group);
    if (joined) ctx.connections.notifyGroupChanged(consumer.group);
  }
  for (const group of decoded.producerGroups) ctx.producerSeen(rc.connection, decoded.clientId, group);
  return createResponse(req, { code: ResponseCode.SUCCESS });
}

function leave(ctx: BrokerServerContext, group: string, clientId: string, unbind = true): void {
  const wasMember = ctx.broker.consumers.isMember(group, clientId);
  ctx.broker.unregisterClient(group, clientId);
  if (unbind) ctx.connections.unbind(clientId, group);
  if (wasMember) ctx.connections.notifyGroupChanged(group);
}

function decodeLock(req: RemotingCommand) {
  try {
    return decodeLockBatch(parseJsonObject(req.body, 'LockBatchRequestBody'));
  } catch (err) {
    throw new ResponseError(ResponseCode.SYSTEM_ERROR, (err as Error).message);
  }
}

function byTopic(queues: MessageQueue[]): Map<string, MessageQueue[]> {
  const out = new Map<string, MessageQueue[]>();
  for (const q of queues) {
    const list = out.get(q.topic);
    if (list) list.push(q);
    else out.set(q.topic, [q]);
  }
  return out;
}
