/**
 * Offsets (RocketMQ's ConsumerManageProcessor and AdminBrokerProcessor):
 *
 *   QUERY_CONSUMER_OFFSET(14)   {consumerGroup, topic, queueId, setZeroIfNotFound?} → {offset}
 *        committed → SUCCESS; none → as RocketMQ: QUERY_NOT_FOUND, or 0 when the queue
 *        still starts at 0 (and setZeroIfNotFound is not false). With our extension
 *        `startPosition=true` (our client) a new group gets the kernel's start position
 *        from its consumeFrom instead (FIRST, LAST = since it subscribed, TIMESTAMP).
 *   UPDATE_CONSUMER_OFFSET(15)  {consumerGroup, topic, queueId, commitOffset} (usually one-way)
 *   GET_MAX_OFFSET(30) / GET_MIN_OFFSET(31)   {topic, queueId} → {offset}
 *   SEARCH_OFFSET_BY_TIMESTAMP(29)            {topic, queueId, timestamp} → {offset}
 * Our client adds `clientId` (broadcasting groups keep an offset per member).
 */
import { createResponse } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { HeaderFields } from '../protocol/header-fields.js';
import type { BrokerServerContext } from './context.js';

export function registerOffsetProcessors(server: RemotingServer, ctx: BrokerServerContext): void {
  const { broker } = ctx;
  server.register(RequestCode.QUERY_CONSUMER_OFFSET, (req) => {
    const h = new HeaderFields(req.extFields);
    const q = { group: h.str('consumerGroup'), topic: h.str('topic'), queueId: h.int('queueId'), clientId: h.optStr('clientId') };
    if (h.bool('startPosition', false)) return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: broker.queryOffset(q) } });
    const committed = broker.offsets.query(q.group, q.topic, q.queueId);
    if (committed !== undefined) return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: committed } });
    const startsAtZero = broker.store.minOffset(q.topic, q.queueId) <= 0 && broker.store.maxOffset(q.topic, q.queueId) > 0;
    if (h.optBool('setZeroIfNotFound') !== false && startsAtZero) {
      return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: 0 } });
    }
    return createResponse(req, { code: ResponseCode.QUERY_NOT_FOUND, remark: 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first' });
  });
  server.register(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
    const h = new HeaderFields(req.extFields);
    const commit = { group: h.str('consumerGroup'), topic: h.str('topic'), queueId: h.int('queueId'), offset: h.int('commitOffset'), clientId: h.optStr('clientId') };
    broker.commitOffset(commit);
    ctx.offsetCommitted?.(commit);
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.GET_MAX_OFFSET, (req) => {
    const h = new HeaderFields(req.extFields);
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: broker.store.maxOffset(h.str('topic'), h.int('queueId')) } });
  });
  server.register(RequestCode.GET_MIN_OFFSET, (req) => {
    const h = new HeaderFields(req.extFields);
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: broker.store.minOffset(h.str('topic'), h.int('queueId')) } });
  });
  server.register(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (req) => {
    const h = new HeaderFields(req.extFields);
    return createResponse(req, { code: ResponseCode.SUCCESS, header: { offset: broker.store.searchOffset(h.str('topic'), h.int('queueId'), h.int('timestamp')) } });
  });
}
