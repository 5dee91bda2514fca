/**
 * JSON bodies of the consumer-facing requests, fastjson field names:
 *
 * HEART_BEAT — HeartbeatData
 *   {"clientID","consumerDataSet":[ConsumerData],"heartbeatFingerprint":0,
 *    "producerDataSet":[{"groupName"}],"withoutSub":false}
 *   ConsumerData {"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET"|"CONSUME_FROM_FIRST_OFFSET"|"CONSUME_FROM_TIMESTAMP"|...,
 *     "consumeType":"CONSUME_PASSIVELY"|"CONSUME_ACTIVELY","groupName","messageModel":"CLUSTERING"|"BROADCASTING",
 *     "subscriptionDataSet":[SubscriptionData],"unitMode":false}
 *   SubscriptionData {"classFilterMode":false,"codeSet":[],"expressionType":"TAG"|"SQL92","subString","subVersion",
 *     "tagsSet":[],"topic"}
 *   Our own clients add to ConsumerData "consumeTimestamp", "orderly" and "protocol";
 *   RocketMQ brokers ignore fields they do not know.
 *
 * LOCK_BATCH_MQ / UNLOCK_BATCH_MQ — {"clientId","consumerGroup","mqSet":[MessageQueue],"onlyThisBroker"}
 *   answered (lock) by {"lockOKMQSet":[MessageQueue]}; MessageQueue {"brokerName","queueId","topic"}
 * GET_CONSUMER_LIST_BY_GROUP — answered by {"consumerIdList":[clientId]}
 */
import { ConsumeFrom, FilterType, MessageModel, type HeartbeatRequest, type Subscription } from '../../kernel/client/broker-api.js';

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface LockBatchBody {
  consumerGroup: string;
  clientId: string;
  onlyThisBroker: boolean;
  mqSet: MessageQueue[];
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** RocketMQ ConsumeFromWhere → kernel start position */
export function consumeFromOf(where: string): ConsumeFrom {
  switch (where) {
    case 'CONSUME_FROM_FIRST_OFFSET':
    case 'CONSUME_FROM_MIN_OFFSET':
      return ConsumeFrom.First;
    case 'CONSUME_FROM_TIMESTAMP':
      return ConsumeFrom.Timestamp;
    default:
      return ConsumeFrom.Last;
  }
}

export function consumeFromWhereOf(from: ConsumeFrom): string {
  return from === ConsumeFrom.First ? 'CONSUME_FROM_FIRST_OFFSET' : from === ConsumeFrom.Timestamp ? 'CONSUME_FROM_TIMESTAMP' : 'CONSUME_FROM_LAST_OFFSET';
}

export interface DecodedHeartbeat {
  clientId: string;
  consumers: HeartbeatRequest[];
  producerGroups: string[];
}

export function decodeHeartbeat(o: Record<string, unknown>): DecodedHeartbeat {
  const clientId = str(o.clientID);
  if (!clientId) throw new Error('HeartbeatData has no clientID');
  const consumers = arr(o.consumerDataSet).map((raw): HeartbeatRequest => {
    const c = obj(raw);
    const group = str(c.groupName);
    if (!group) throw new Error('ConsumerData has no groupName');
    const subscriptions = arr(c.subscriptionDataSet).map((s): Subscription => {
      const sd = obj(s);
      const type = str(sd.expressionType, FilterType.Tag) === FilterType.Sql92 ? FilterType.Sql92 : FilterType.Tag;
      return { topic: str(sd.topic), filter: { type, expression: str(sd.subString, '*') || '*' } };
    });
    const req: HeartbeatRequest = {
      clientId,
      group,
      messageModel: str(c.messageModel) === MessageModel.Broadcasting ? MessageModel.Broadcasting : MessageModel.Clustering,
      consumeFrom: consumeFromOf(str(c.consumeFromWhere)),
      subscriptions,
      protocol: str(c.protocol, 'rocketmq'),
    };
    if (typeof c.consumeTimestamp === 'number') req.consumeTimestamp = c.consumeTimestamp;
    if (c.orderly === true) req.orderly = true;
    return req;
  });
  const producerGroups = arr(o.producerDataSet).map((p) => str(obj(p).groupName)).filter((g) => g.length > 0);
  return { clientId, consumers, producerGroups };
}

export function encodeHeartbeat(clientId: string, consumers: HeartbeatRequest[], producerGroups: string[] = []): Record<string, unknown> {
  return {
    clientID: clientId,
    consumerDataSet: consumers.map((c) => ({
      consumeFromWhere: consumeFromWhereOf(c.consumeFrom),
      ...(c.consumeTimestamp !== undefined ? { consumeTimestamp: c.consumeTimestamp } : {}),
      consumeType: 'CONSUME_PASSIVELY',
      groupName: c.group,
      messageModel: c.messageModel,
      ...(c.orderly ? { orderly: true } : {}),
      ...(c.protocol ? { protocol: c.protocol } : {}),
      subscriptionDataSet: c.subscriptions.map((s) => ({
        classFilterMode: false, codeSet: [], expressionType: s.filter.type, subString: s.filter.expression,
        subVersion: Date.now(), tagsSet: [], topic: s.topic,
      })),
      unitMode: false,
    })),
    heartbeatFingerprint: 0,
    producerDataSet: producerGroups.map((groupName) => ({ groupName })),
    withoutSub: false,
  };
}

export function toMessageQueue(v: unknown): MessageQueue {
  const o = obj(v);
  return { topic: str(o.topic), brokerName: str(o.brokerName), queueId: typeof o.queueId === 'number' ? o.queueId : Number(o.queueId ?? -1) };
}

export function decodeLockBatch(o: Record<string, unknown>): LockBatchBody {
  return {
    consumerGroup: str(o.consumerGroup),
    clientId: str(o.clientId),
    onlyThisBroker: o.onlyThisBroker === true,
    mqSet: arr(o.mqSet).map(toMessageQueue),
  };
}

export function messageQueueJson(q: MessageQueue): Record<string, unknown> {
  return { brokerName: q.brokerName, queueId: q.queueId, topic: q.topic };
}
