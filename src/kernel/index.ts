/**
 * The kernel's client API: the only module adapters import (DESIGN.md §2).
 */
export { KernelError, KernelErrorCode, isKernelError } from './errors.js';
export type { Message, StoredMessage } from './message/message.js';
export { PropertyName, isReservedProperty } from './message/properties.js';
export { ConsumeStatus } from './client/client-types.js';
export type {
  Admin, ConsumeContext, KernelClient, LocalTransactionExecutor, MessageListener, Producer, ProducerOptions, PullConsumer,
  PushConsumer, PushConsumerOptions, ReceivedMessage, ReceiveOptions, SimpleConsumer, SimpleConsumerOptions, Subscribe,
  TransactionSendResult,
} from './client/client-types.js';
export { ConsumeFrom, FilterType, MessageModel, TransactionResolution } from './client/broker-api.js';
export type {
  BrokerApi, FilterSpec, GroupInfo, GroupMember, PoppedMessage, PullResult, QueueLag, QueueStats, RedriveDlqRequest,
  RedriveDlqResult, SendResult, TopicInfo, TopicStats, TransactionCheck,
} from './client/broker-api.js';
export { GetStatus } from './store/results.js';
export { FlushMode } from './store/store-api.js';
