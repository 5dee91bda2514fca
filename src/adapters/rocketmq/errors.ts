/**
 * The RocketMQ adapter's error catalogue: every failure is answered with RocketMQ 5's
 * own status codes (definition.proto `Code`) in the response's `status`, as the proxy
 * does, so Apache's clients raise their usual exceptions (BadRequestException,
 * NotFoundException, PayloadTooLargeException ...). Kernel failures map by
 * KernelError.code; protocol-level faults throw RocketMqError directly.
 */
import { isKernelError, KernelErrorCode } from '../../kernel/index.js';
import type { Status } from './proto.js';

/** the subset of apache.rocketmq.v2.Code this adapter answers with (names as on the wire) */
export const Code = {
  Ok: 'OK',
  MultipleResults: 'MULTIPLE_RESULTS',
  BadRequest: 'BAD_REQUEST',
  IllegalAccessPoint: 'ILLEGAL_ACCESS_POINT',
  IllegalTopic: 'ILLEGAL_TOPIC',
  IllegalConsumerGroup: 'ILLEGAL_CONSUMER_GROUP',
  IllegalMessageTag: 'ILLEGAL_MESSAGE_TAG',
  IllegalMessageKey: 'ILLEGAL_MESSAGE_KEY',
  IllegalMessageGroup: 'ILLEGAL_MESSAGE_GROUP',
  IllegalMessagePropertyKey: 'ILLEGAL_MESSAGE_PROPERTY_KEY',
  InvalidTransactionId: 'INVALID_TRANSACTION_ID',
  IllegalMessageId: 'ILLEGAL_MESSAGE_ID',
  IllegalFilterExpression: 'ILLEGAL_FILTER_EXPRESSION',
  IllegalInvisibleTime: 'ILLEGAL_INVISIBLE_TIME',
  IllegalDeliveryTime: 'ILLEGAL_DELIVERY_TIME',
  InvalidReceiptHandle: 'INVALID_RECEIPT_HANDLE',
  MessagePropertyConflictWithType: 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
  UnrecognizedClientType: 'UNRECOGNIZED_CLIENT_TYPE',
  MessageCorrupted: 'MESSAGE_CORRUPTED',
  ClientIdRequired: 'CLIENT_ID_REQUIRED',
  IllegalPollingTime: 'ILLEGAL_POLLING_TIME',
  IllegalOffset: 'ILLEGAL_OFFSET',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  MessageNotFound: 'MESSAGE_NOT_FOUND',
  TopicNotFound: 'TOPIC_NOT_FOUND',
  ConsumerGroupNotFound: 'CONSUMER_GROUP_NOT_FOUND',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  MessageBodyTooLarge: 'MESSAGE_BODY_TOO_LARGE',
  MessageBodyEmpty: 'MESSAGE_BODY_EMPTY',
  TooManyRequests: 'TOO_MANY_REQUESTS',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
  NotImplemented: 'NOT_IMPLEMENTED',
  ProxyTimeout: 'PROXY_TIMEOUT',
  Unsupported: 'UNSUPPORTED',
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class RocketMqError extends Error {
  readonly code: Code;

  constructor(code: Code, message: string) {
    super(message);
    this.name = 'RocketMqError';
    this.code = code;
  }
}

/** the status a KernelError code is answered with */
export const KERNEL_CODES: Readonly<Record<KernelErrorCode, Code>> = {
  [KernelErrorCode.InvalidTopic]: Code.IllegalTopic,
  [KernelErrorCode.TopicNotFound]: Code.TopicNotFound,
  [KernelErrorCode.InvalidMessage]: Code.BadRequest,
  [KernelErrorCode.MessageTooLarge]: Code.MessageBodyTooLarge,
  [KernelErrorCode.InvalidProperty]: Code.IllegalMessagePropertyKey,
  [KernelErrorCode.InvalidQueue]: Code.BadRequest,
  [KernelErrorCode.InvalidFilter]: Code.IllegalFilterExpression,
  [KernelErrorCode.InvalidArgument]: Code.BadRequest,
  [KernelErrorCode.GroupNotFound]: Code.ConsumerGroupNotFound,
  [KernelErrorCode.InvalidReceiptHandle]: Code.InvalidReceiptHandle,
  [KernelErrorCode.TransactionNotFound]: Code.InvalidTransactionId,
  [KernelErrorCode.StoreWriteFailed]: Code.InternalServerError,
  [KernelErrorCode.StoreFull]: Code.InternalServerError,
  [KernelErrorCode.StoreClosed]: Code.InternalServerError,
  [KernelErrorCode.StoreCorrupt]: Code.InternalServerError,
  [KernelErrorCode.ServiceUnavailable]: Code.InternalServerError,
  [KernelErrorCode.Forbidden]: Code.Forbidden,
  [KernelErrorCode.Timeout]: Code.ProxyTimeout,
};

export const OK: Status = { code: Code.Ok, message: 'OK' };

export function status(code: Code, message: string): Status {
  return { code, message };
}

/** true when the failure is a bug or an outage rather than the client's input */
export function isInternal(err: unknown): boolean {
  return !(err instanceof RocketMqError) && !isKernelError(err);
}

/** any thrown value → the Status that answers it; anything unknown is an internal error */
export function toStatus(err: unknown): Status {
  if (err instanceof RocketMqError) return status(err.code, err.message);
  if (isKernelError(err)) return status(KERNEL_CODES[err.code], err.message);
  return status(Code.InternalServerError, 'internal error');
}

/** the response status of a call that settled several entries */
export function overallStatus(entries: readonly Status[]): Status {
  const failed = entries.filter((s) => s.code !== Code.Ok);
  if (failed.length === 0) return OK;
  if (failed.length === entries.length && failed.every((s) => s.code === failed[0]!.code)) return failed[0]!;
  return status(Code.MultipleResults, `${failed.length} of ${entries.length} entries failed; see each entry's status`);
}
