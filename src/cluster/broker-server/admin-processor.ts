/**
 * Topic admin and message lookup (RocketMQ's AdminBrokerProcessor, QueryMessageProcessor):
 *
 *   UPDATE_AND_CREATE_TOPIC(17)  {topic, readQueueNums, writeQueueNums, perm, order?} (the kernel keeps
 *                                one queue count: the larger of the two)
 *   DELETE_TOPIC_IN_BROKER(215)  {topic} → our extension {existed}
 *   GET_ALL_TOPIC_CONFIG(21)     → TopicConfigSerializeWrapper {"dataVersion","topicConfigTable"}
 *   VIEW_MESSAGE_BY_ID(33)       {offset} (the commit log offset a RocketMQ offset msgId names)
 *                                → body: that stored record
 *   QUERY_MESSAGE(12)            {topic, key, maxNum, beginTimestamp, endTimestamp} → body: the stored
 *                                records whose KEYS (or UNIQ_KEY) hold `key`, stored in the time range;
 *                                header {indexLastUpdateTimestamp, indexLastUpdatePhyoffset}
 */
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { jsonBody } from '../protocol/fastjson.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { dataVersionJson, topicConfigJson } from '../protocol/route-data.js';
import { topicConfigOf } from './broker-registration.js';
import type { BrokerServerContext } from './context.js';
import { readRecord, recordsOf } from './record-bytes.js';

export function registerAdminProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  server.register(RequestCode.UPDATE_AND_CREATE_TOPIC, async (req) => {
    const h = new HeaderFields(req.extFields);
    const queueCount = Math.max(h.optInt('readQueueNums') ?? 0, h.optInt('writeQueueNums') ?? 0) || undefined;
    await broker.createTopic({ topic: h.str('topic'), queueCount, order: h.optBool('order') });
    ctx.topicsMayHaveChanged();
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.DELETE_TOPIC_IN_BROKER, async (req) => {
    const existed = await broker.deleteTopic(new HeaderFields(req.extFields).str('topic'));
    ctx.topicsMayHaveChanged();
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { existed } });
  });
  server.register(RequestCode.GET_ALL_TOPIC_CONFIG, (req) => {
    const table: Record<string, unknown> = {};
    for (const info of broker.topics.list()) table[info.topic] = topicConfigJson(topicConfigOf(info));
    const dataVersion = dataVersionJson({ stateVersion: 0, timestamp: 0, counter: broker.topics.dataVersion });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ dataVersion, topicConfigTable: table }) });
  });
  server.register(RequestCode.VIEW_MESSAGE_BY_ID, async (req) => {
    const offset = new HeaderFields(req.extFields).int('offset');
    const message = await broker.store.getMessageByCommitLogOffset(offset);
    const record = message ? await readRecord(broker, offset, message.storeSize) : undefined;
    if (!record) return createResponse(req, { code: ResponseCode.SYSTEM_ERROR, remark: `can not find message by the offset, ${offset}` });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: record });
  });
  server.register(RequestCode.QUERY_MESSAGE, async (req) => {
    const h = new HeaderFields(req.extFields);
    const begin = h.optInt('beginTimestamp') ?? 0;
    const end = h.optInt('endTimestamp') ?? Number.MAX_SAFE_INTEGER;
    const found = await broker.queryMessagesByKey({ topic: h.str('topic'), key: h.str('key'), max: Math.max(1, h.optInt('maxNum') ?? 32) });
    const inRange = found.filter((m) => m.storeTimestamp >= begin && m.storeTimestamp <= end);
    const header = { indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 };
    if (inRange.length === 0) return createResponse(req, { code: ResponseCode.QUERY_NOT_FOUND, header, remark: 'can not find message, maybe time range not correct' });
    return createResponse(req, { code: ResponseCode.SUCCESS, header, body: await recordsOf(broker, inRange) });
  });
}
