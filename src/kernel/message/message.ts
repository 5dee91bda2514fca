/**
 * The kernel's message model (DESIGN.md §3 "Message").
 *
 * `Message` is what a producer hands in; `StoredMessage` adds what the broker sets.
 * Fields with shared meaning across protocols are first-class here; protocol-only
 * details travel as namespaced user properties (`mqtt.*`, `stomp.*`, `http.*`).
 * Reserved property names that back these fields live in properties.ts.
 */
export interface Message {
  topic: string;
  body: Buffer;
  /** one tag, the second path level of the cross-protocol contract */
  tag?: string;
  /** indexed for lookup */
  keys?: string[];
  /** user-defined properties; reserved names are refused */
  properties?: Record<string, string>;
  contentType?: string;
  /** message group: same key = same queue = FIFO */
  shardingKey?: string;
  /** RocketMQ delay level 1..18 */
  delayLevel?: number;
  /** epoch ms at which the message becomes visible */
  deliverAt?: number;
  /** epoch ms after which the message is not delivered (TTL) */
  expireAt?: number;
  /** JMS priority 0..9 */
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  /** full protocol path (MQTT topic, STOMP destination) when it has more than topic/tag */
  path?: string;
  /** producer-side unique id (RocketMQ UNIQ_KEY) */
  uniqueId?: string;
  bornTimestamp?: number;
  /** producer group, used for transaction check-back */
  producerGroup?: string;
  /** RocketMQ system properties that have no first-class field (retry origin, transaction state ...) */
  systemProperties?: Record<string, string>;
}

export interface StoredMessage extends Message {
  /**
   * the id consumers see: the message's unique key, which the first store sets to its
   * offset id and every retry or delayed copy keeps, so duplicates share it
   */
  msgId: string;
  /** store host + commit log offset of this very record (RocketMQ offsetMsgId) */
  offsetMsgId: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeSize: number;
  storeTimestamp: number;
  bornTimestamp: number;
  reconsumeTimes: number;
  sysFlag: number;
  flag: number;
  preparedTransactionOffset: number;
}

/** RocketMQ's sysFlag bits (MessageSysFlag). */
export const MessageSysFlag = {
  Compressed: 0x1,
  MultiTags: 0x2,
  TransactionNotType: 0x0,
  TransactionPreparedType: 0x4,
  TransactionCommitType: 0x8,
  TransactionRollbackType: 0xc,
  BornHostV6: 0x10,
  StoreHostV6: 0x20,
} as const;

export function transactionType(sysFlag: number): number {
  return sysFlag & 0xc;
}
