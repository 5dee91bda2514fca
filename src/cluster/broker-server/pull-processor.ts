/**
 * PULL_MESSAGE(11) (RocketMQ's PullMessageProcessor).
 *
 * Request header PullMessageRequestHeader: consumerGroup, topic, queueId, queueOffset,
 * maxMsgNums, sysFlag, commitOffset, suspendTimeoutMillis, subscription?, subVersion,
 * expressionType? (TAG | SQL92). sysFlag bits (PullSysFlag): 0x1 commit `commitOffset`
 * first, 0x2 may suspend (long polling up to suspendTimeoutMillis), 0x4 the
 * subscription travels in this request (else the one from the group's heartbeat).
 *
 * Response header PullMessageResponseHeader: suggestWhichBrokerId (0), nextBeginOffset,
 * minOffset, maxOffset; body on SUCCESS: the stored records' bytes, concatenated.
 * Codes as RocketMQ maps GetMessageStatus:
 *   FOUND → SUCCESS; NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING → PULL_RETRY_IMMEDIATELY;
 *   OFFSET_FOUND_NULL, OFFSET_OVERFLOW_ONE → PULL_NOT_FOUND;
 *   NO_MATCHED_LOGIC_QUEUE, NO_MESSAGE_IN_QUEUE → PULL_OFFSET_MOVED (PULL_NOT_FOUND at offset 0);
 *   OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL, an admin offset reset → PULL_OFFSET_MOVED.
 * Our extension field `getStatus` carries the kernel status (and `resetTo` a reset).
 */
import { FilterType, type FilterSpec } from '../../kernel/client/broker-api.js';
import { GetStatus } from '../../kernel/store/results.js';
import { createResponse, type RemotingCommand } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import { ResponseError } from '../remoting/request-dispatcher.js';
import { HeaderFields } from '../protocol/header-fields.js';
import type { BrokerServerContext } from './context.js';
import { recordsOf } from './record-bytes.js';
import { pullBelowHighWaterMark } from '../replication/visible-pull.js';

export const PullSysFlag = { CommitOffset: 0x1, Suspend: 0x2, Subscription: 0x4, ClassFilter: 0x8, LitePull: 0x10 } as const;

export function registerPullProcessor(server: RemotingServer, ctx: BrokerServerContext): void {
  server.register(RequestCode.PULL_MESSAGE, (req) => pull(ctx, req));
}

async function pull(ctx: BrokerServerContext, req: RemotingCommand): Promise<RemotingCommand> {
  const h = new HeaderFields(req.extFields);
  const group = h.str('consumerGroup');
  const topic = h.str('topic');
  const queueId = h.int('queueId');
  const queueOffset = h.int('queueOffset');
  const maxMsgNums = h.int('maxMsgNums');
  const sysFlag = h.int('sysFlag');
  const broker = ctx.broker;

  const info = broker.topics.get(topic);
  if (!info) throw new ResponseError(ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist, apply first please!`);
  if (queueId < 0 || queueId >= info.queueCount) {
    throw new ResponseError(ResponseCode.SYSTEM_ERROR, `queueId[${queueId}] is illegal, topic:[${topic}] topicConfig.readQueueNums:[${info.queueCount}]`);
  }
  const commitOffset = h.optInt('commitOffset') ?? -1;
  if ((sysFlag & PullSysFlag.CommitOffset) !== 0 && commitOffset >= 0) {
    broker.commitOffset({ group, topic, queueId, offset: commitOffset, clientId: h.optStr('clientId') });
  }
  const request = {
    group, topic, queueId, offset: queueOffset, maxMessages: maxMsgNums,
    filter: filterOf(ctx, h, group, topic, sysFlag),
    suspendMs: (sysFlag & PullSysFlag.Suspend) !== 0 ? h.optInt('suspendTimeoutMillis') ?? 0 : 0,
  };
  // controller mode: only what every in-sync replica holds (the high-water mark)
  const result = ctx.visibleEnd ? await pullBelowHighWaterMark(broker, request, ctx.visibleEnd) : await broker.pull(request);

  const header = {
    suggestWhichBrokerId: 0,
    nextBeginOffset: result.resetTo ?? result.nextBeginOffset,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
    getStatus: result.status,
    resetTo: result.resetTo,
  };
  if (result.messages.length > 0 && result.resetTo === undefined) {
    return createResponse(req, { code: ResponseCode.SUCCESS, header, body: await recordsOf(broker, result.messages) });
  }
  const code = result.resetTo !== undefined ? ResponseCode.PULL_OFFSET_MOVED : responseCodeOf(result.status, queueOffset);
  return createResponse(req, { code, header, remark: code === ResponseCode.PULL_OFFSET_MOVED ? `offset ${queueOffset} moved to ${header.nextBeginOffset}` : undefined });
}

/** the subscription of the request, or the group's from its members' heartbeats */
function filterOf(ctx: BrokerServerContext, h: HeaderFields, group: string, topic: string, sysFlag: number): FilterSpec | undefined {
  if ((sysFlag & PullSysFlag.Subscription) !== 0) {
    const expression = h.optStr('subscription') || '*';
    const type = h.optStr('expressionType') === FilterType.Sql92 ? FilterType.Sql92 : FilterType.Tag;
    return { type, expression };
  }
  for (const member of ctx.broker.consumers.members(group)) {
    const sub = member.subscriptions.find((s) => s.topic === topic);
    if (sub) return sub.filter;
  }
  return undefined;
}

function responseCodeOf(status: GetStatus, requestOffset: number): number {
  switch (status) {
    case GetStatus.OffsetFoundNull:
    case GetStatus.OffsetOverflowOne:
      return ResponseCode.PULL_NOT_FOUND;
    case GetStatus.Found: // found, yet nothing to hand out (all expired): go on at once
    case GetStatus.MessageWasRemoving:
    case GetStatus.NoMatchedMessage:
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case GetStatus.NoMatchedLogicQueue:
    case GetStatus.NoMessageInQueue:
      return requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case GetStatus.OffsetOverflowBadly:
    case GetStatus.OffsetTooSmall:
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}
