/**
 * MessageStore: the kernel's persistent store (RocketMQ's DefaultMessageStore), a facade
 * over the commit log (the only truth), the consume queues and the index derived from it,
 * the group commit, the flush and retention services, and recovery.
 *
 * Directory layout under `dataDir`:
 *   commitlog/<20-digit start offset>           commit-log.ts, mapped-file.ts
 *   consumequeue/<topic dir>/<queueId>/<20 digits>  consume-queue.ts, consume-queue-table.ts
 *   index/<20-digit sequence>                   index-file.ts
 *   checkpoint, abort                           checkpoint.ts
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KernelError, KernelErrorCode } from '../errors.js';
import type { Message, StoredMessage } from '../message/message.js';
import { parseMsgId } from '../message/msg-id.js';
import { isReservedProperty } from '../message/properties.js';
import { Checkpoint } from './checkpoint.js';
import { CommitLog, DEFAULT_SEGMENT_SIZE } from './commit-log.js';
import { DEFAULT_CQ_ENTRIES_PER_FILE } from './consume-queue.js';
import { ConsumeQueueTable } from './consume-queue-table.js';
import { ConsumeQueueDispatcher, DispatcherChain, IndexDispatcher } from './dispatcher.js';
import { FlushService, GroupCommit } from './flush-service.js';
import { DEFAULT_INDEX_MAX_ENTRIES, DEFAULT_INDEX_SLOT_COUNT } from './index-file.js';
import { IndexService } from './index-service.js';
import { MessageReader } from './message-reader.js';
import { MessageWriter } from './message-writer.js';
import { recover, type RecoveryReport } from './recovery.js';
import type { GetResult, PutResult } from './results.js';
import { DEFAULT_DISK_HIGH_WATER_RATIO, DEFAULT_FILE_RESERVED_MS, DEFAULT_RETENTION_CHECK_INTERVAL_MS, RetentionService, type RetentionReport } from './retention.js';
import { consoleStoreLogger } from './store-logger.js';
import { FlushMode, type DispatchRequest, type Dispatcher, type GetRequest, type PutOptions, type StoreOptions, type StoreStats } from './store-api.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
export const DEFAULT_FLUSH_INTERVAL_MS = 500;
export const DEFAULT_READ_CACHE_BYTES = 64 * 1024 * 1024;
const MIN_SEGMENT_SIZE = 4096;

export interface MessageStoreStats extends StoreStats {
  /** group-commit batches written, and fdatasyncs issued for them (sync mode) */
  batches: number;
  syncs: number;
  readCacheHits: number;
  consumeQueues: number;
}

interface Parts {
  dataDir: string;
  flushMode: FlushMode;
  log: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  chain: DispatcherChain;
  checkpoint: Checkpoint;
  groupCommit: GroupCommit;
  writer: MessageWriter;
  reader: MessageReader;
  flush: FlushService;
  retention: RetentionService;
  recovery: RecoveryReport;
}

/** data directories open in this process: two stores on one directory would destroy it */
const openDirs = new Set<string>();

export class MessageStore {
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly p: Parts) {}

  static async open(options: StoreOptions): Promise<MessageStore> {
    const dataDir = resolve(options.dataDir);
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT_SIZE) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `segmentSize must be an integer of at least ${MIN_SEGMENT_SIZE}`);
    }
    const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!(flushIntervalMs >= 1)) throw new KernelError(KernelErrorCode.InvalidArgument, 'flushIntervalMs must be at least 1');
    if (openDirs.has(dataDir)) throw new KernelError(KernelErrorCode.InvalidArgument, `a store is already open on ${dataDir}`);
    openDirs.add(dataDir);
    try {
      return await MessageStore.build(dataDir, segmentSize, options);
    } catch (err) {
      openDirs.delete(dataDir);
      throw err;
    }
  }

  private static async build(dataDir: string, segmentSize: number, o: StoreOptions): Promise<MessageStore> {
    const logger = o.logger ?? consoleStoreLogger;
    const flushMode = o.flushMode ?? FlushMode.Async;
    await mkdir(dataDir, { recursive: true });
    const log = new CommitLog(join(dataDir, 'commitlog'), segmentSize, o.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES);
    const queues = new ConsumeQueueTable(join(dataDir, 'consumequeue'), o.consumeQueueEntriesPerFile ?? DEFAULT_CQ_ENTRIES_PER_FILE, logger);
    const index = new IndexService(join(dataDir, 'index'), o.indexSlotCount ?? DEFAULT_INDEX_SLOT_COUNT, o.indexMaxEntries ?? DEFAULT_INDEX_MAX_ENTRIES, logger);
    const cqDispatcher = new ConsumeQueueDispatcher(queues, logger);
    const chain = new DispatcherChain([cqDispatcher, new IndexDispatcher(index)], o.tagsCodeOf, logger);
    for (const d of o.dispatchers ?? []) chain.add(d);
    const checkpoint = new Checkpoint(dataDir);
    const recovery = await recover({ log, queues, index, chain, cqDispatcher, checkpoint, logger });

    const holder: { writer?: MessageWriter } = {};
    const groupCommit = new GroupCommit(log, flushMode, () => holder.writer?.rollbackQueueOffsets(), logger);
    groupCommit.dispatchedOffset = log.writtenOffset;
    const writer = (holder.writer = new MessageWriter(log, queues, chain, groupCommit, {
      maxMessageSize: o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE, storeHost: o.storeHost ?? '127.0.0.1', storePort: o.storePort ?? 10911,
    }));
    const reader = new MessageReader(log, queues, o.isSystemProperty ?? isReservedProperty, logger);
    const flush = new FlushService({ log, groupCommit, queues, index, checkpoint, logger }, flushMode, o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    const retention = new RetentionService(dataDir, log, queues, index, {
      fileReservedMs: o.fileReservedMs ?? DEFAULT_FILE_RESERVED_MS,
      diskHighWaterRatio: o.diskHighWaterRatio ?? DEFAULT_DISK_HIGH_WATER_RATIO,
      intervalMs: o.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS,
    }, logger);
    reader.corruptRecords += recovery.corruptOffsets.length;
    await flush.flushAll(true);
    await checkpoint.createAbortMarker();
    await retention.refreshDiskUsage();
    flush.start();
    retention.start();
    return new MessageStore({ dataDir, flushMode, log, queues, index, chain, checkpoint, groupCommit, writer, reader, flush, retention, recovery });
  }

  private ensureOpen(): void {
    if (this.closed) throw new KernelError(KernelErrorCode.StoreClosed, 'the message store is closed');
  }

  /** What recovery found and did when this store was opened. */
  get recoveryReport(): RecoveryReport {
    return this.p.recovery;
  }

  put(message: Message, options: PutOptions): Promise<PutResult> {
    try {
      this.ensureOpen();
      return this.p.writer.put(message, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  putBatch(messages: Message[], options: PutOptions): Promise<PutResult[]> {
    try {
      this.ensureOpen();
      return this.p.writer.putBatch(messages, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async get(req: GetRequest): Promise<GetResult> {
    this.ensureOpen();
    return this.p.reader.get(req);
  }

  async getMessageByCommitLogOffset(offset: number): Promise<StoredMessage | undefined> {
    this.ensureOpen();
    return this.p.reader.readMessage(offset);
  }

  /** The message a RocketMQ offsetMsgId names, if this store holds it (a unique key is not an offset id: use queryByKey). */
  async viewMessage(msgId: string): Promise<StoredMessage | undefined> {
    this.ensureOpen();
    const parts = parseMsgId(msgId);
    if (!parts) return undefined;
    const msg = await this.p.reader.readMessage(parts.commitLogOffset);
    return msg && msg.offsetMsgId === msgId.toUpperCase() ? msg : undefined;
  }

  /** Messages of `topic` whose keys (or uniqueId) include `key`, newest first. */
  async queryByKey(topic: string, key: string, max: number): Promise<StoredMessage[]> {
    this.ensureOpen();
    return this.p.reader.queryByKey(this.p.index, topic, key, max);
  }

  minOffset(topic: string, queueId: number): number {
    return this.p.queues.find(topic, queueId)?.minOffset ?? 0;
  }

  /** The next queue offset to be written (RocketMQ's max offset). */
  maxOffset(topic: string, queueId: number): number {
    return this.p.queues.find(topic, queueId)?.maxOffset ?? 0;
  }

  /** Store time of the queue's newest message, 0 when it has none. */
  lastStoreTimestamp(topic: string, queueId: number): number {
    const cq = this.p.queues.find(topic, queueId);
    return cq ? this.p.reader.lastStoreTimestamp(cq) : 0;
  }

  /** First queue offset stored at or after `timestamp` (the max offset if none). */
  searchOffset(topic: string, queueId: number, timestamp: number): number {
    this.ensureOpen();
    const cq = this.p.queues.find(topic, queueId);
    return cq ? this.p.reader.searchOffset(cq, timestamp) : 0;
  }

  queueIds(topic: string): number[] {
    return this.p.queues.queueIds(topic);
  }

  topics(): string[] {
    return this.p.queues.topics();
  }

  /** Removes the topic's consume queues (its records stay in the log until retention). */
  async deleteTopic(topic: string): Promise<void> {
    this.ensureOpen();
    if (await this.p.queues.deleteTopic(topic)) await this.p.flush.flushAll(true);
  }

  addDispatcher(d: Dispatcher): void {
    this.p.chain.add(d);
  }

  /** Called for every record once it is readable; returns the unsubscribe function. */
  onDispatched(listener: (req: DispatchRequest) => void): () => void {
    return this.p.chain.onDispatched(listener);
  }

  get commitLogMaxOffset(): number {
    return this.p.log.writtenOffset;
  }

  get commitLogMinOffset(): number {
    return this.p.log.minOffset;
  }

  /** Raw log bytes from `offset`: whole records within one segment (replication). */
  async readCommitLog(offset: number, maxBytes: number): Promise<Buffer> {
    this.ensureOpen();
    return this.p.log.readWholeRecords(offset, maxBytes);
  }

  /** Appends a master's verified records at exactly `offset` and dispatches them; resolves to the new end. */
  appendRaw(offset: number, bytes: Buffer): Promise<number> {
    try {
      this.ensureOpen();
      return this.p.writer.appendRaw(offset, bytes);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * An empty store's log starts at `offset` (a segment start) instead of 0: a new replica
   * of a master whose first segments retention already deleted. Its first record goes there.
   */
  async startLogAt(offset: number): Promise<void> {
    this.ensureOpen();
    const { log, groupCommit } = this.p;
    if (log.assignOffset !== 0) throw new KernelError(KernelErrorCode.InvalidArgument, `the commit log is not empty (it ends at ${log.assignOffset})`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % log.segmentSize !== 0) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `a log can only start at a segment start, not at ${offset}`);
    }
    await log.truncate(0); // an empty first segment file, if one was made
    await log.truncate(offset);
    groupCommit.dispatchedOffset = offset;
  }

  /** Runs a retention pass now (it also runs every retentionCheckIntervalMs). */
  async runRetention(now?: number): Promise<RetentionReport> {
    this.ensureOpen();
    return this.p.retention.runOnce(now);
  }

  stats(): MessageStoreStats {
    const { log, queues, writer, reader, retention, groupCommit, flushMode } = this.p;
    let cqs = 0;
    for (const _ of queues.all()) cqs++;
    return {
      commitLogMinOffset: log.minOffset, commitLogMaxOffset: log.writtenOffset, commitLogBytesOnDisk: log.segments.bytesOnDisk(),
      diskTotalBytes: retention.disk.totalBytes, diskFreeBytes: retention.disk.freeBytes, putCount: writer.putCount,
      getCount: reader.getCount, corruptRecords: reader.corruptRecords, flushMode, batches: groupCommit.batches,
      syncs: groupCommit.syncs, readCacheHits: log.cache.hits, consumeQueues: cqs,
    };
  }

  /** Stops the services, flushes everything, writes the checkpoint and marks a clean shutdown. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const { groupCommit, flush, retention, checkpoint, log, queues, index } = this.p;
    try {
      await groupCommit.idle();
      await flush.stop();
      await retention.stop();
      await flush.flushAll(true);
      await index.close();
      await queues.close();
      await log.close();
      await checkpoint.removeAbortMarker();
    } finally {
      openDirs.delete(this.p.dataDir);
    }
  }
}
