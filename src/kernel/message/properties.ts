/**
 * Reserved property names. Where RocketMQ has a name (MessageConst) we use it, so
 * stored records read the same to RocketMQ clients. User properties may not use
 * these names, nor the `__` prefix.
 */
export const PropertyName = {
  Tags: 'TAGS',
  Keys: 'KEYS',
  DelayLevel: 'DELAY',
  ShardingKey: '__SHARDINGKEY',
  UniqueKey: 'UNIQ_KEY',
  ProducerGroup: 'PGROUP',
  TransactionPrepared: 'TRAN_MSG',
  RealTopic: 'REAL_TOPIC',
  RealQueueId: 'REAL_QID',
  RetryTopic: 'RETRY_TOPIC',
  OriginMessageId: 'ORIGIN_MESSAGE_ID',
  ReconsumeTime: 'RECONSUME_TIME',
  MaxReconsumeTimes: 'MAX_RECONSUME_TIMES',
  TransactionCheckTimes: 'TRANSACTION_CHECK_TIMES',
  TimerDeliverMs: 'TIMER_DELIVER_MS',
  CorrelationId: 'CORRELATION_ID',
  Crc32: '__CRC32#',
  // ours, no RocketMQ equivalent
  ContentType: 'CONTENT_TYPE',
  ExpireAt: 'EXPIRE_AT',
  Priority: 'PRIORITY',
  ReplyTo: 'REPLY_TO',
  Path: 'PATH',
} as const;
export type PropertyName = (typeof PropertyName)[keyof typeof PropertyName];

/** RocketMQ MessageConst names that stay in systemProperties when we meet them. */
const ROCKETMQ_SYSTEM_NAMES = [
  'WAIT', 'BUYER_ID', 'MIN_OFFSET', 'MAX_OFFSET', 'TRANSFER_FLAG', 'CORRECTION_FLAG',
  'MQ2_FLAG', 'MSG_REGION', 'TRACE_ON', 'CONSUME_START_TIME', 'TRAN_PREPARED_QUEUE_OFFSET',
  'CHECK_IMMUNITY_TIME_IN_SECONDS', 'INSTANCE_ID', 'REPLY_TO_CLIENT', 'TTL', 'ARRIVE_TIME',
  'MSG_TYPE', 'CLUSTER', 'TIMER_DELAY_SEC', 'TIMER_DELAY_MS', 'TIMER_OUT_MS', 'TIMER_ENQUEUE_MS',
  'TIMER_DEQUEUE_MS', 'TIMER_ROLL_TIMES', 'TIMER_DEL_UNIQKEY', 'POP_CK', 'POP_CK_OFFSET',
  '1ST_POP_TIME', 'INNER_NUM', 'INNER_BASE', 'DLQ_ORIGIN_TOPIC', 'DLQ_ORIGIN_MESSAGE_ID',
  // ours: where a dead letter was first stored and when it died (broker/retry.ts)
  'DLQ_ORIGIN_QUEUE', 'DLQ_FAILED_AT',
];

const RESERVED = new Set<string>([...Object.values(PropertyName), ...ROCKETMQ_SYSTEM_NAMES]);

export function isReservedProperty(name: string): boolean {
  return RESERVED.has(name) || name.startsWith('__');
}

/** RocketMQ separates keys with a space (MessageConst.KEY_SEPARATOR). */
export const KEY_SEPARATOR = ' ';
/** name/value and property separators of the stored properties string. */
export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';
