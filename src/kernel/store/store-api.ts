/**
 * Types shared by the store's parts and its users (the broker). The store is
 * src/kernel/store/message-store.ts (MessageStore.open(options)).
 */
import type { StoredMessage } from '../message/message.js';
import type { StoreLogger } from './store-logger.js';

export const FlushMode = { Async: 'async', Sync: 'sync' } as const;
export type FlushMode = (typeof FlushMode)[keyof typeof FlushMode];

export interface StoreOptions {
  dataDir: string;
  /** commit log segment size, default 1 GiB */
  segmentSize?: number;
  flushMode?: FlushMode;
  /** async mode: flush interval, default 500 ms */
  flushIntervalMs?: number;
  /** largest message body + properties accepted, default 4 MiB */
  maxMessageSize?: number;
  /** written into every record and into message ids */
  storeHost?: string;
  storePort?: number;
  /** entries per consume queue segment, default 300,000 (6 MB files) */
  consumeQueueEntriesPerFile?: number;
  /** bytes of recently written commit log kept in memory for tail readers, default 64 MiB */
  readCacheBytes?: number;
  /** retention */
  fileReservedMs?: number;
  /** fraction of the disk in use at which the oldest segments are deleted, default 0.90 */
  diskHighWaterRatio?: number;
  retentionCheckIntervalMs?: number;
  /** index: hash slots and entries per index file */
  indexSlotCount?: number;
  indexMaxEntries?: number;
  /** consume-queue tag code of a dispatched record; default the tag's hash */
  tagsCodeOf?: (req: DispatchRequest) => number;
  /** property names that are system properties (not user properties) when decoding */
  isSystemProperty?: (name: string) => boolean;
  /** dispatchers that must also see the recovery replay (addDispatcher comes too late for it) */
  dispatchers?: Dispatcher[];
  /** where warnings (corrupt records, torn tail, failed flushes) go; a pino logger fits */
  logger?: StoreLogger;
}

export interface PutOptions {
  queueId: number;
  sysFlag?: number;
  flag?: number;
  reconsumeTimes?: number;
  preparedTransactionOffset?: number;
  bornHost?: string;
  bornPort?: number;
}

/** What the dispatchers receive for each record appended to (or replayed from) the log. */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  size: number;
  tagsCode: number;
  storeTimestamp: number;
  sysFlag: number;
  preparedTransactionOffset: number;
  keys: string[];
  uniqueId?: string;
  properties: Map<string, string>;
}

/** A consumer of the commit log's records (consume queues, index, broker services). */
export interface Dispatcher {
  readonly name: string;
  dispatch(req: DispatchRequest): void;
}

/** Pre-filter on the consume queue's tag code, then confirmation on the decoded message. */
export interface StoreFilter {
  matchesTagsCode(tagsCode: number): boolean;
  matchesMessage(message: StoredMessage): boolean;
}

export interface GetRequest {
  topic: string;
  queueId: number;
  offset: number;
  maxMessages: number;
  filter?: StoreFilter;
  /** stop once this many body bytes are gathered, default 4 MiB */
  maxBytes?: number;
}

export interface StoreStats {
  commitLogMinOffset: number;
  commitLogMaxOffset: number;
  commitLogBytesOnDisk: number;
  diskTotalBytes: number;
  diskFreeBytes: number;
  putCount: number;
  getCount: number;
  corruptRecords: number;
  flushMode: FlushMode;
}
