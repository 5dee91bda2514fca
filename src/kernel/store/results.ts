/**
 * Expected outcomes of store operations, as values (RocketMQ's PutMessageStatus and
 * GetMessageStatus). Faults that are not expected outcomes throw KernelError.
 */
import type { StoredMessage } from '../message/message.js';

export const PutStatus = {
  Ok: 'PUT_OK',
  FlushDiskTimeout: 'FLUSH_DISK_TIMEOUT',
  MessageIllegal: 'MESSAGE_ILLEGAL',
  PropertiesSizeExceeded: 'PROPERTIES_SIZE_EXCEEDED',
  ServiceNotAvailable: 'SERVICE_NOT_AVAILABLE',
  OsPageCacheBusy: 'OS_PAGECACHE_BUSY',
  UnknownError: 'UNKNOWN_ERROR',
} as const;
export type PutStatus = (typeof PutStatus)[keyof typeof PutStatus];

export interface PutResult {
  status: PutStatus;
  msgId: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  storeTimestamp: number;
  storeSize: number;
}

export const GetStatus = {
  Found: 'FOUND',
  NoMatchedMessage: 'NO_MATCHED_MESSAGE',
  MessageWasRemoving: 'MESSAGE_WAS_REMOVING',
  OffsetFoundNull: 'OFFSET_FOUND_NULL',
  OffsetOverflowBadly: 'OFFSET_OVERFLOW_BADLY',
  OffsetOverflowOne: 'OFFSET_OVERFLOW_ONE',
  OffsetTooSmall: 'OFFSET_TOO_SMALL',
  NoMatchedLogicQueue: 'NO_MATCHED_LOGIC_QUEUE',
  NoMessageInQueue: 'NO_MESSAGE_IN_QUEUE',
} as const;
export type GetStatus = (typeof GetStatus)[keyof typeof GetStatus];

export interface GetResult {
  status: GetStatus;
  messages: StoredMessage[];
  /** where the next read of this queue should start */
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** records skipped because their CRC failed (commit log offsets) */
  corruptOffsets?: number[];
}
