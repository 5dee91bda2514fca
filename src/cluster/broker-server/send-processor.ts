/**
 * SEND_MESSAGE(10), SEND_MESSAGE_V2(310), SEND_BATCH_MESSAGE(320) (RocketMQ's
 * SendMessageProcessor): header → kernel Message(s) → broker send → response header
 * SendMessageResponseHeader {msgId, queueId, queueOffset, transactionId?} plus RocketMQ's
 * MSG_REGION / TRACE_ON fields.
 *
 *   msgId        the offset id of the stored record (RocketMQ clients report it as
 *                offsetMsgId; their msgId is the UNIQ_KEY they set); a batch answers
 *                the ids comma-separated and the first queue offset
 *   queueId      -1 or absent in the request lets the broker choose
 *
 * Our extension fields for our own client: uniqMsgId (the kernel's msgId per message,
 * comma-separated), commitLogOffset and storeTimestamp (of the first message).
 *
 * A prepared transactional message (sysFlag 0x4) becomes a half message of the
 * producer group (transactionId answered); compressed bodies are stored inflated.
 * Batches also answer `kernelResults`: the kernel's SendResult of every message, as JSON.
 *
 * A slave refuses sends (SERVICE_NOT_AVAILABLE). A SYNC_MASTER answers once a slave holds
 * the message; when none does in time, FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE with
 * the same header (the message is stored on the master), as RocketMQ's handleHA.
 */
import type { Message } from '../../kernel/message/message.js';
import { formatMsgId } from '../../kernel/message/msg-id.js';
import type { SendResult } from '../../kernel/client/broker-api.js';
import { createResponse, type RemotingCommand } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { decodeMessageBatch } from '../protocol/message-batch.js';
import { readSendHeader, type SendMessageHeader } from '../protocol/send-header.js';
import { SysFlag, fromWire, plainBody, transactionTypeOf } from '../protocol/wire-message.js';
import { assertWritable, type BrokerServerContext } from './context.js';

export function registerSendProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  server.register(RequestCode.SEND_MESSAGE, (req) => send(ctx, req, readSendHeader(req.extFields, false)));
  server.register(RequestCode.SEND_MESSAGE_V2, (req) => send(ctx, req, readSendHeader(req.extFields, true)));
  // RocketMQ clients send batches with V2 field names; V1 names are accepted too
  server.register(RequestCode.SEND_BATCH_MESSAGE, (req) => sendBatch(ctx, req, readSendHeader(req.extFields, req.extFields.b !== undefined)));
}

function toMessage(h: SendMessageHeader, body: Buffer, properties: string, sysFlag: number): Message {
  return fromWire({ topic: h.topic, body: plainBody(body, sysFlag), properties, bornTimestamp: h.bornTimestamp });
}

async function send(ctx: BrokerServerContext, req: RemotingCommand, h: SendMessageHeader): Promise<RemotingCommand> {
  assertWritable(ctx, 'send');
  const message = toMessage(h, req.body ?? Buffer.alloc(0), h.properties, h.sysFlag);
  const queueId = h.queueId >= 0 ? h.queueId : undefined;
  const before = ctx.broker.topics.dataVersion;
  let result: SendResult;
  let transactionId: string | undefined;
  if (transactionTypeOf(h.sysFlag) === SysFlag.TransactionPrepared) {
    const half = await ctx.broker.transactions.sendHalf({ message: { ...message, producerGroup: message.producerGroup ?? h.producerGroup }, producerGroup: h.producerGroup });
    result = half;
    transactionId = half.transactionId;
  } else {
    result = await ctx.broker.send({ message, queueId });
  }
  if (ctx.broker.topics.dataVersion !== before) ctx.topicsMayHaveChanged();
  return createResponse(req, {
    ...await replicationOutcome(ctx, result.commitLogOffset + 1),
    header: {
      msgId: offsetMsgId(ctx, result),
      queueId: result.queueId,
      queueOffset: result.queueOffset,
      transactionId,
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
      uniqMsgId: result.msgId,
      commitLogOffset: result.commitLogOffset,
      storeTimestamp: result.storeTimestamp,
    },
  });
}

async function sendBatch(ctx: BrokerServerContext, req: RemotingCommand, h: SendMessageHeader): Promise<RemotingCommand> {
  assertWritable(ctx, 'send');
  let entries;
  try {
    entries = decodeMessageBatch(req.body ?? Buffer.alloc(0));
  } catch (err) {
    throw new ResponseError(ResponseCode.MESSAGE_ILLEGAL, `bad batch body: ${(err as Error).message}`);
  }
  if (entries.length === 0) throw new ResponseError(ResponseCode.MESSAGE_ILLEGAL, 'the batch holds no message');
  if (transactionTypeOf(h.sysFlag) !== 0) throw new ResponseError(ResponseCode.MESSAGE_ILLEGAL, 'a batch cannot hold transactional messages');
  const messages = entries.map((e) => toMessage(h, e.body, e.properties, h.sysFlag));
  const before = ctx.broker.topics.dataVersion;
  const results = await ctx.broker.sendBatch({ topic: h.topic, queueId: h.queueId >= 0 ? h.queueId : undefined, messages });
  if (ctx.broker.topics.dataVersion !== before) ctx.topicsMayHaveChanged();
  const first = results[0]!;
  const end = Math.max(...results.map((r) => r.commitLogOffset)) + 1;
  return createResponse(req, {
    ...await replicationOutcome(ctx, end),
    header: {
      msgId: results.map((r) => offsetMsgId(ctx, r)).join(','),
      queueId: first.queueId,
      queueOffset: first.queueOffset,
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
      uniqMsgId: results.map((r) => r.msgId).join(','),
      commitLogOffset: first.commitLogOffset,
      storeTimestamp: first.storeTimestamp,
      kernelResults: JSON.stringify(results),
    },
  });
}

/** SUCCESS once replicated as the broker's role asks; the ResponseError's code otherwise (the message is stored) */
async function replicationOutcome(ctx: BrokerServerContext, end: number): Promise<{ code: number; remark?: string }> {
  try {
    await ctx.replicated(end);
    return { code: ResponseCode.SUCCESS };
  } catch (err) {
    if (err instanceof ResponseError) return { code: err.responseCode, remark: err.message };
    throw err;
  }
}

/** RocketMQ's offset message id: store host + port + commit log offset */
function offsetMsgId(ctx: BrokerServerContext, r: SendResult): string {
  const o = ctx.broker.options;
  return formatMsgId({ host: o.storeHost ?? '127.0.0.1', port: o.storePort ?? 10911, commitLogOffset: r.commitLogOffset });
}
