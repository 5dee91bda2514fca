/**
 * The kernel's client API: the only module adapters import (DESIGN.md §2).
 */
export { KernelError, KernelErrorCode, isKernelError } from './errors.js';
export type { Message, StoredMessage } from './message/message.js';
export { PropertyName, isReservedProperty } from './message/properties.js';
export { ConsumeStatus } from './client/client-types.js';
export type {
  Admin, ConsumeContext, KernelClient, MessageListener, Producer, ProducerOptions, PullConsumer,
  PushConsumer, PushConsumerOptions, Subscribe,
} from './client/client-types.js';
export { ConsumeFrom, FilterType, MessageModel } from './client/broker-api.js';
export type {
  BrokerApi, FilterSpec, GroupInfo, GroupMember, PullResult, QueueLag, QueueStats, SendResult, TopicInfo, TopicStats,
} from './client/broker-api.js';
export { GetStatus } from './store/results.js';
export { FlushMode } from './store/store-api.js';
