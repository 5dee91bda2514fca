/**
 * Request and response codes, RocketMQ's numbers (remoting/protocol/RequestCode.java,
 * ResponseCode.java, RemotingSysResponseCode.java; checked against apache/rocketmq
 * 5.3.x, where every number below has been stable since 4.x, pop/ack since 5.0).
 */
export const RequestCode = {
  SEND_MESSAGE: 10,
  PULL_MESSAGE: 11,
  QUERY_MESSAGE: 12,
  QUERY_CONSUMER_OFFSET: 14,
  UPDATE_CONSUMER_OFFSET: 15,
  UPDATE_AND_CREATE_TOPIC: 17,
  GET_ALL_TOPIC_CONFIG: 21,
  UPDATE_BROKER_CONFIG: 25,
  GET_BROKER_CONFIG: 26,
  GET_BROKER_RUNTIME_INFO: 28,
  SEARCH_OFFSET_BY_TIMESTAMP: 29,
  GET_MAX_OFFSET: 30,
  GET_MIN_OFFSET: 31,
  GET_EARLIEST_MSG_STORETIME: 32,
  VIEW_MESSAGE_BY_ID: 33,
  HEART_BEAT: 34,
  UNREGISTER_CLIENT: 35,
  CONSUMER_SEND_MSG_BACK: 36,
  END_TRANSACTION: 37,
  GET_CONSUMER_LIST_BY_GROUP: 38,
  CHECK_TRANSACTION_STATE: 39,
  NOTIFY_CONSUMER_IDS_CHANGED: 40,
  LOCK_BATCH_MQ: 41,
  UNLOCK_BATCH_MQ: 42,
  GET_ALL_CONSUMER_OFFSET: 43,
  CHECK_CLIENT_CONFIG: 46,
  REGISTER_BROKER: 103,
  UNREGISTER_BROKER: 104,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: 200,
  GET_ALL_SUBSCRIPTIONGROUP_CONFIG: 201,
  GET_TOPIC_STATS_INFO: 202,
  GET_CONSUMER_CONNECTION_LIST: 203,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_SUBSCRIPTIONGROUP: 207,
  GET_CONSUME_STATS: 208,
  DELETE_TOPIC_IN_BROKER: 215,
  DELETE_TOPIC_IN_NAMESRV: 216,
  GET_KVLIST_BY_NAMESPACE: 219,
  RESET_CONSUMER_CLIENT_OFFSET: 220,
  GET_CONSUMER_STATUS_FROM_CLIENT: 221,
  GET_TOPICS_BY_CLUSTER: 224,
  QUERY_TOPIC_CONSUME_BY_WHO: 300,
  GET_CONSUMER_RUNNING_INFO: 307,
  CONSUME_MESSAGE_DIRECTLY: 309,
  SEND_MESSAGE_V2: 310,
  SEND_BATCH_MESSAGE: 320,
  QUERY_CONSUME_QUEUE: 321,
  QUERY_DATA_VERSION: 322,
  SEND_REPLY_MESSAGE: 324,
  SEND_REPLY_MESSAGE_V2: 325,
  PUSH_REPLY_MESSAGE_TO_CLIENT: 326,
  GET_TOPIC_CONFIG: 351,
  GET_SUBSCRIPTIONGROUP_CONFIG: 352,
  QUERY_ASSIGNMENT: 400,
  BROKER_HEARTBEAT: 904,
  POP_MESSAGE: 200050,
  ACK_MESSAGE: 200051,
  PEEK_MESSAGE: 200052,
  CHANGE_MESSAGE_INVISIBLETIME: 200053,
  NOTIFICATION: 200054,
  POLLING_INFO: 200055,
  BATCH_ACK_MESSAGE: 200151,
} as const;
export type RequestCode = (typeof RequestCode)[keyof typeof RequestCode];

/**
 * Our own request codes, in a range of their own (9000-9099) that RocketMQ does not use:
 * the kernel operations RocketMQ 4 has no request for, or whose RocketMQ request cannot
 * carry the kernel's answer. Only our RemoteBrokerApi and our brokers speak them; a stock
 * RocketMQ broker answers them with REQUEST_CODE_NOT_SUPPORTED. Request and response
 * bodies are JSON unless noted; the formats live in protocol/kernel-bodies.ts, the
 * broker side in broker-server/kernel-*-processor.ts.
 *
 *   KERNEL_POP(9001)                 pop with our receipt handles; body: envelope of handles + stored records
 *   KERNEL_POP_WAIT(9002)            long-poll for an arrival on a topic (and its retry queue) without popping
 *   KERNEL_ACK(9003) / KERNEL_CHANGE_INVISIBLE(9004) / KERNEL_NACK(9005)   settle by receipt handle
 *   KERNEL_SEND_BACK(9006)           sendBack with a delay in ms and a result (CONSUMER_SEND_MSG_BACK has neither)
 *   KERNEL_END_TRANSACTION(9007)     endTransaction with its result (END_TRANSACTION answers nothing)
 *   KERNEL_POLL_TRANSACTION_CHECKS(9008)  long-poll for check-backs of a producer group
 *   KERNEL_REDRIVE_DLQ(9009), KERNEL_RESET_OFFSET(9010), KERNEL_GROUP_LAG(9011),
 *   KERNEL_TOPIC_STATS(9012), KERNEL_GROUP_INFO(9013), KERNEL_DELETE_GROUP(9014),
 *   KERNEL_VIEW_MESSAGE(9015), KERNEL_TOPIC_INFO(9016)    admin and lookup
 *   KERNEL_SLAVE_OFFSETS(9020)       a slave hands the master the offsets consumers committed to it
 *                                    while the master was away (replication/slave-sync.ts)
 *   KERNEL_REPLICA_APPEND(9021)      a slave hands a master that restarted behind it the records it lost
 *                                    (replication/master-catch-up.ts)
 */
export const KernelRequestCode = {
  KERNEL_POP: 9001,
  KERNEL_POP_WAIT: 9002,
  KERNEL_ACK: 9003,
  KERNEL_CHANGE_INVISIBLE: 9004,
  KERNEL_NACK: 9005,
  KERNEL_SEND_BACK: 9006,
  KERNEL_END_TRANSACTION: 9007,
  KERNEL_POLL_TRANSACTION_CHECKS: 9008,
  KERNEL_REDRIVE_DLQ: 9009,
  KERNEL_RESET_OFFSET: 9010,
  KERNEL_GROUP_LAG: 9011,
  KERNEL_TOPIC_STATS: 9012,
  KERNEL_GROUP_INFO: 9013,
  KERNEL_DELETE_GROUP: 9014,
  KERNEL_VIEW_MESSAGE: 9015,
  KERNEL_TOPIC_INFO: 9016,
  KERNEL_SLAVE_OFFSETS: 9020,
  KERNEL_REPLICA_APPEND: 9021,
} as const;
export type KernelRequestCode = (typeof KernelRequestCode)[keyof typeof KernelRequestCode];

export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  TRANSACTION_FAILED: 4,
  FLUSH_DISK_TIMEOUT: 10,
  SLAVE_NOT_AVAILABLE: 11,
  FLUSH_SLAVE_TIMEOUT: 12,
  MESSAGE_ILLEGAL: 13,
  SERVICE_NOT_AVAILABLE: 14,
  VERSION_NOT_SUPPORTED: 15,
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  TOPIC_EXIST_ALREADY: 18,
  PULL_NOT_FOUND: 19,
  PULL_RETRY_IMMEDIATELY: 20,
  PULL_OFFSET_MOVED: 21,
  QUERY_NOT_FOUND: 22,
  SUBSCRIPTION_PARSE_FAILED: 23,
  SUBSCRIPTION_NOT_EXIST: 24,
  SUBSCRIPTION_NOT_LATEST: 25,
  SUBSCRIPTION_GROUP_NOT_EXIST: 26,
  FILTER_DATA_NOT_EXIST: 27,
  FILTER_DATA_NOT_LATEST: 28,
  INVALID_PARAMETER: 29,
  TRANSACTION_SHOULD_COMMIT: 200,
  TRANSACTION_SHOULD_ROLLBACK: 201,
  TRANSACTION_STATE_UNKNOW: 202,
  TRANSACTION_STATE_GROUP_WRONG: 203,
  NO_BUYER_ID: 204,
  NOT_IN_CURRENT_UNIT: 205,
  CONSUMER_NOT_ONLINE: 206,
  CONSUME_MSG_TIMEOUT: 207,
  NO_MESSAGE: 208,
  POLLING_FULL: 209,
  POLLING_TIMEOUT: 210,
  BROKER_NOT_EXIST: 211,
  BROKER_DISPATCH_NOT_COMPLETE: 212,
  BROADCAST_CONSUMPTION: 213,
  FLOW_CONTROL: 215,
  NOT_LEADER_FOR_QUEUE: 501,
  ILLEGAL_OPERATION: 604,
  GO_AWAY: 1500,
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

const REQUEST_NAMES = new Map<number, string>([...Object.entries(RequestCode), ...Object.entries(KernelRequestCode)].map(([k, v]) => [v, k]));
const RESPONSE_NAMES = new Map<number, string>(Object.entries(ResponseCode).map(([k, v]) => [v, k]));

/** For logs and remarks: `PULL_MESSAGE(11)` or `code 4711`. */
export function requestCodeName(code: number): string {
  const name = REQUEST_NAMES.get(code);
  return name ? `${name}(${code})` : `code ${code}`;
}

export function responseCodeName(code: number): string {
  const name = RESPONSE_NAMES.get(code);
  return name ? `${name}(${code})` : `code ${code}`;
}
