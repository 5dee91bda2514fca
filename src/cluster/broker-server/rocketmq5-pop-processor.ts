/**
 * RocketMQ 5's pop consumption over remoting (its PopMessageProcessor, AckMessageProcessor
 * and ChangeInvisibleTimeProcessor), on the kernel's pop service, on a master only:
 *
 *   POP_MESSAGE(200050)  PopMessageRequestHeader {consumerGroup, topic, queueId (-1: any),
 *                        maxMsgNums, invisibleTime, pollTime, bornTime, initMode (0 MIN,
 *                        1 MAX), expType?, exp?, order?} → PopMessageResponseHeader {popTime,
 *                        invisibleTime, reviveQid, restNum, startOffsetInfo, msgOffsetInfo},
 *                        body: the stored records; nothing within pollTime: POLLING_NOT_FOUND
 *                        as RocketMQ answers it (PULL_NOT_FOUND)
 *   ACK_MESSAGE(200051)  AckMessageRequestHeader {consumerGroup, topic, queueId, extraInfo, offset}
 *   CHANGE_MESSAGE_INVISIBLETIME(200053)  ChangeInvisibleTimeRequestHeader {consumerGroup,
 *                        topic, queueId, extraInfo, offset, invisibleTime} →
 *                        ChangeInvisibleTimeResponseHeader {popTime, invisibleTime, reviveQid}
 *
 * `startOffsetInfo` and `msgOffsetInfo` are ExtraInfoUtil's: per `retryFlag queueId`
 * (retry flag 0 for the topic, 1 for the group's retry topic) the first queue offset, and
 * the queue offsets of the messages, entries joined by ';'. From them the client builds
 * each message's handle (extraInfo); pop-handle-table.ts maps it to the kernel's handle.
 * The kernel pops from every queue of the topic (and the group's retry queue), so a
 * request's queueId is not a restriction here. `order` is served as a plain pop.
 */
import type { Broker } from '../../kernel/broker/broker.js';
import { decodeReceiptHandle } from '../../kernel/broker/receipt-handle.js';
import { ConsumeFrom, FilterType, type FilterSpec, type PoppedMessage } from '../../kernel/client/broker-api.js';
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { assertWritable, type BrokerServerContext } from './context.js';
import { PopHandleTable, popHandleKey } from './pop-handle-table.js';
import { readRecord } from './record-bytes.js';

const RETRY_PREFIX = '%RETRY%';
const MAX_POP = 32;

/** ExtraInfoUtil.getRetry: 0 a topic, 1 a retry topic, 2 a V2 pop retry topic (with '+') */
export function retryFlagOf(storeTopic: string): string {
  if (!storeTopic.startsWith(RETRY_PREFIX)) return '0';
  return storeTopic.includes('+') ? '2' : '1';
}

interface ClientHandle {
  popTime: number;
  retryFlag: string;
  queueId: number;
  queueOffset: number;
}

/** the parts of a client's extraInfo this broker needs (ExtraInfoUtil's field order) */
function parseExtraInfo(extraInfo: string, h: HeaderFields): ClientHandle {
  const f = extraInfo.split(' ');
  const num = (i: number, fallback?: number): number => {
    const n = f[i] !== undefined ? Number(f[i]) : fallback;
    if (n === undefined || !Number.isSafeInteger(n)) throw new ResponseError(ResponseCode.INVALID_PARAMETER, `extraInfo ${JSON.stringify(extraInfo)} is not a pop handle`);
    return n;
  };
  if (f.length < 7) throw new ResponseError(ResponseCode.INVALID_PARAMETER, `extraInfo ${JSON.stringify(extraInfo)} is not a pop handle`);
  return { popTime: num(1), retryFlag: f[4]!, queueId: num(6), queueOffset: num(7, h.optInt('offset')) };
}

function filterOf(h: HeaderFields): FilterSpec | undefined {
  const exp = h.optStr('exp');
  if (!exp || exp === '*') return undefined;
  return { type: h.optStr('expType') === FilterType.Sql92 ? FilterType.Sql92 : FilterType.Tag, expression: exp };
}

function restNum(broker: Broker, group: string, topic: string): number {
  let rest = 0;
  for (const lag of broker.groupLag(group)) if (lag.topic === topic) rest += Math.max(0, lag.lag);
  return rest;
}

export function registerRocketMq5PopProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  const handles = new PopHandleTable();

  server.register(RequestCode.POP_MESSAGE, async (req) => {
    assertWritable(ctx, 'pop', false);
    const h = new HeaderFields(req.extFields);
    const group = h.str('consumerGroup');
    const topic = h.str('topic');
    const invisibleMs = h.int('invisibleTime');
    const popTime = Date.now();
    const result = await broker.pop.pop({
      group, topic, maxMessages: Math.max(1, Math.min(h.optInt('maxMsgNums') ?? MAX_POP, MAX_POP)), invisibleMs,
      waitMs: Math.max(0, h.optInt('pollTime') ?? 0), filter: filterOf(h),
      consumeFrom: h.optInt('initMode') === 0 ? ConsumeFrom.First : ConsumeFrom.Last,
    });
    // controller mode: answer only past the high-water mark, as KERNEL_POP does
    if (ctx.readConfirmed && result.messages.length > 0) await ctx.readConfirmed(Math.max(...result.messages.map((m) => m.commitLogOffset + m.storeSize)));
    const records: Buffer[] = [];
    const byQueue = new Map<string, { retryFlag: string; queueId: number; offsets: number[] }>();
    for (const m of result.messages) {
      const record = await readRecord(broker, m.commitLogOffset, m.storeSize);
      if (!record) continue; // deleted by retention meanwhile: revived as any other
      records.push(record);
      const retryFlag = retryFlagOf(storeTopicOf(m));
      const queueKey = `${retryFlag} ${m.queueId}`;
      let q = byQueue.get(queueKey);
      if (!q) byQueue.set(queueKey, (q = { retryFlag, queueId: m.queueId, offsets: [] }));
      q.offsets.push(m.queueOffset);
      handles.put(popHandleKey(group, retryFlag, m.queueId, m.queueOffset, popTime), { receiptHandle: m.receiptHandle, invisibleUntil: m.invisibleUntil });
    }
    const header = {
      popTime, invisibleTime: invisibleMs, reviveQid: 0, restNum: restNum(broker, group, topic),
      ...(records.length > 0 ? {
        startOffsetInfo: [...byQueue.values()].map((q) => `${q.retryFlag} ${q.queueId} ${Math.min(...q.offsets)}`).join(';'),
        msgOffsetInfo: [...byQueue.values()].map((q) => `${q.retryFlag} ${q.queueId} ${q.offsets.join(',')}`).join(';'),
      } : {}),
    };
    if (records.length === 0) return createResponse(req, { code: ResponseCode.PULL_NOT_FOUND, header, remark: 'no message' });
    return createResponse(req, { code: ResponseCode.SUCCESS, header, body: Buffer.concat(records) });
  });

  server.register(RequestCode.ACK_MESSAGE, async (req) => {
    assertWritable(ctx, 'ack', false);
    const h = new HeaderFields(req.extFields);
    const group = h.str('consumerGroup');
    const c = parseExtraInfo(h.str('extraInfo'), h);
    const key = popHandleKey(group, c.retryFlag, c.queueId, c.queueOffset, c.popTime);
    const delivery = handles.get(key);
    // unknown (acked already, or issued before a restart): its message comes again if unacked, as after a lost ack
    if (!delivery) return createResponse(req, { code: ResponseCode.SUCCESS, remark: 'no pending delivery under this handle' });
    await broker.pop.ack({ group, receiptHandle: delivery.receiptHandle });
    handles.delete(key);
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });

  server.register(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, async (req) => {
    assertWritable(ctx, 'change invisible time', false);
    const h = new HeaderFields(req.extFields);
    const group = h.str('consumerGroup');
    const invisibleMs = h.int('invisibleTime');
    const c = parseExtraInfo(h.str('extraInfo'), h);
    const key = popHandleKey(group, c.retryFlag, c.queueId, c.queueOffset, c.popTime);
    const delivery = handles.get(key);
    if (!delivery) throw new ResponseError(ResponseCode.NO_MESSAGE, 'no pending delivery under this handle (acked, redelivered, or issued before a restart)');
    const changed = await broker.pop.changeInvisibleTime({ group, receiptHandle: delivery.receiptHandle, invisibleMs });
    const popTime = changed.invisibleUntil - invisibleMs;
    handles.delete(key);
    handles.put(popHandleKey(group, c.retryFlag, c.queueId, c.queueOffset, popTime), changed);
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { popTime, invisibleTime: invisibleMs, reviveQid: 0 } });
  });
}

/** the topic the popped record is stored under (the group's retry topic for a redelivery) */
function storeTopicOf(m: PoppedMessage): string {
  return decodeReceiptHandle(m.receiptHandle).storeTopic;
}
