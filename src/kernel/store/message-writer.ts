/**
 * The append path: validate, take the commit log offset and the queue offset
 * synchronously, encode the stamped record straight into the group commit's batch
 * buffer (record-codec.ts, batch-buffer.ts) and join the group commit (flush-service.ts).
 * When the batch is written the records are dispatched and the callers answered. Also appends raw, already-stamped records (replication).
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import { validateMessage } from '../message/validate-message.js';
import type { Message } from '../message/message.js';
import { formatMsgId } from '../message/msg-id.js';
import {
  END_FILE_MIN_BLANK_LENGTH, MAX_PROPERTIES_BYTES, MAX_TOPIC_BYTES, MESSAGE_MAGIC_CODE, RECORD_FIXED_SIZE, RecordCheck,
  RecordOffset, checkRecord, encodeProperties, recordSize, writeRecord, type RecordHeader,
} from '../message/record-codec.js';
import type { CommitLog, LogWrite } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import { LazyDispatchRequest, dispatchRequestFromRecord, type DispatcherChain } from './dispatcher.js';
import type { GroupCommit, Waiter } from './flush-service.js';
import { readInt64BE } from '../common/int64.js';
import { PutStatus, type PutResult } from './results.js';
import type { PutOptions } from './store-api.js';

/** One placed message waiting for its group commit: dispatched, then answered, once written. */
class StagedPut implements Waiter {
  resolve: (r: PutResult) => void = noop;
  reject: (err: unknown) => void = noop;
  /** answered once written, before the sync-mode fdatasync (see noWait) */
  noWait = false;

  constructor(
    private readonly writer: MessageWriter,
    private readonly req: LazyDispatchRequest,
    private readonly tag: string | undefined,
    readonly result: PutResult,
  ) {}

  dispatch(): void {
    this.writer.dispatched(this.req, this.tag);
  }

  done(): void {
    this.dispatch();
    this.resolve(this.result);
  }

  written(): void {
    if (this.noWait) this.resolve(this.result);
  }

  fail(err: unknown): void {
    this.reject(err);
  }
}

/** The messages of one putBatch: one waiter, one answer. */
class StagedBatch implements Waiter {
  resolve: (r: PutResult[]) => void = noop;
  reject: (err: unknown) => void = noop;
  noWait = false;

  constructor(private readonly staged: StagedPut[]) {}

  done(): void {
    for (const s of this.staged) s.dispatch();
    this.resolve(this.staged.map((s) => s.result));
  }

  written(): void {
    if (this.noWait) this.resolve(this.staged.map((s) => s.result));
  }

  fail(err: unknown): void {
    this.reject(err);
  }
}

const noop = (): void => undefined;

/**
 * RocketMQ's WAIT system property (MessageConst.PROPERTY_WAIT_STORE_MSG_OK) set to
 * "false": in sync flush mode the put is answered once written, without waiting for the
 * fdatasync (a JMS NON_PERSISTENT message); it becomes readable after the sync as usual.
 */
function noWait(message: Message): boolean {
  return message.systemProperties?.WAIT === 'false';
}

// a promise's resolvers, taken without a closure per promise (the hot path makes one per put)
let takenResolve: (value: never) => void = noop;
let takenReject: (err: unknown) => void = noop;
function takeResolvers(resolve: (value: never) => void, reject: (err: unknown) => void): void {
  takenResolve = resolve;
  takenReject = reject;
}

/** bytes the codec adds to the properties string (the `__CRC32#` trailer) */
const CRC_TRAILER_BYTES = recordSize(0, 0, 0) - RECORD_FIXED_SIZE;
const TOPIC_CACHE_LIMIT = 10_000;
const NO_KEYS: string[] = Object.freeze([]) as unknown as string[];

export interface WriterConfig {
  maxMessageSize: number;
  storeHost: string;
  storePort: number;
}

/** A message checked and ready to be placed. */
interface Prepared {
  message: Message;
  topic: Buffer;
  properties: string;
  propertiesBytes: number;
}

export class MessageWriter {
  putCount = 0;
  /** topic → its UTF-8 bytes, once checked */
  private readonly topicBytes = new Map<string, Buffer>();
  private readonly msgIdPrefix: string;
  /** reused for every record: writeRecord reads it synchronously */
  private readonly header: RecordHeader;

  constructor(
    private readonly log: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly chain: DispatcherChain,
    private readonly groupCommit: GroupCommit,
    private readonly config: WriterConfig,
  ) {
    this.msgIdPrefix = formatMsgId({ host: config.storeHost, port: config.storePort, commitLogOffset: 0 }).slice(0, 16);
    this.header = {
      queueId: 0, flag: 0, queueOffset: 0, physicalOffset: 0, sysFlag: 0, bornTimestamp: 0, bornHost: '0.0.0.0', bornPort: 0,
      storeTimestamp: 0, storeHost: config.storeHost, storePort: config.storePort, reconsumeTimes: 0, preparedTransactionOffset: 0,
    };
  }

  /** msg-id.ts's format, with the host part computed once. */
  msgId(commitLogOffset: number): string {
    return this.msgIdPrefix + commitLogOffset.toString(16).toUpperCase().padStart(16, '0');
  }

  put(message: Message, options: PutOptions): Promise<PutResult> {
    checkQueueId(options.queueId);
    const staged = this.stage(this.prepare(message), options);
    const promise = new Promise<PutResult>(takeResolvers);
    staged.resolve = takenResolve as (r: PutResult) => void;
    staged.reject = takenReject;
    staged.noWait = noWait(message);
    this.groupCommit.submit(staged);
    return promise;
  }

  putBatch(messages: Message[], options: PutOptions): Promise<PutResult[]> {
    checkQueueId(options.queueId);
    if (messages.length === 0) return Promise.resolve([]);
    const prepared = messages.map((m) => this.prepare(m));
    const topic = messages[0]!.topic;
    if (messages.some((m) => m.topic !== topic)) throw new KernelError(KernelErrorCode.InvalidMessage, 'every message of a batch must have the same topic');
    const batch = new StagedBatch(prepared.map((p) => this.stage(p, options)));
    const promise = new Promise<PutResult[]>(takeResolvers);
    batch.resolve = takenResolve as (r: PutResult[]) => void;
    batch.reject = takenReject;
    batch.noWait = messages.every(noWait);
    this.groupCommit.submit(batch);
    return promise;
  }

  /**
   * Places one message (after a BLANK when it rolls the segment), takes its queue offset
   * and encodes the complete, stamped record straight into the batch buffer.
   */
  private stage(p: Prepared, options: PutOptions): StagedPut {
    const { message: m, topic, properties, propertiesBytes } = p;
    const now = Date.now();
    const queueId = options.queueId;
    const size = recordSize(m.body.length, topic.length, propertiesBytes);
    const cq = this.queues.getOrCreate(m.topic, queueId);
    const buffer = this.groupCommit.buffer;
    const offset = this.log.place(size, buffer);
    const at = buffer.reserve(offset, size);
    const queueOffset = cq.nextPutOffset++;
    const h = this.header;
    h.queueId = queueId;
    h.flag = options.flag ?? 0;
    h.queueOffset = queueOffset;
    h.physicalOffset = offset;
    h.sysFlag = options.sysFlag ?? 0;
    h.bornTimestamp = m.bornTimestamp ?? now;
    h.bornHost = options.bornHost ?? '0.0.0.0';
    h.bornPort = options.bornPort ?? 0;
    h.storeTimestamp = now;
    h.reconsumeTimes = options.reconsumeTimes ?? 0;
    h.preparedTransactionOffset = options.preparedTransactionOffset ?? 0;
    writeRecord(buffer.slab, at, m.body, topic, properties, propertiesBytes, h);
    const req = new LazyDispatchRequest(m.topic, queueId, queueOffset, offset, size, now, h.sysFlag, h.preparedTransactionOffset, m.keys ?? NO_KEYS, m.uniqueId, properties);
    const result: PutResult = {
      status: PutStatus.Ok, msgId: m.uniqueId || this.msgId(offset), topic: m.topic, queueId, queueOffset,
      commitLogOffset: offset, storeTimestamp: now, storeSize: size,
    };
    return new StagedPut(this, req, m.tag, result);
  }

  /** Runs the dispatchers for a written record and counts it. */
  dispatched(req: LazyDispatchRequest, tag: string | undefined): void {
    this.chain.dispatch(req, tag);
    this.putCount++;
  }

  /** Checks limits and content; encodes the properties string. */
  private prepare(m: Message): Prepared {
    const topic = this.checkTopic(m.topic);
    validateMessage(m);
    const properties = encodeProperties(m);
    const propertiesBytes = properties.length === 0 ? 0 : Buffer.byteLength(properties);
    if (propertiesBytes + CRC_TRAILER_BYTES > MAX_PROPERTIES_BYTES) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message properties take ${propertiesBytes} bytes; at most ${MAX_PROPERTIES_BYTES - CRC_TRAILER_BYTES} are allowed`);
    }
    const size = m.body.length + propertiesBytes;
    if (size > this.config.maxMessageSize) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message is ${size} bytes (body ${m.body.length} + properties ${propertiesBytes}); the limit is ${this.config.maxMessageSize}`);
    }
    const stored = recordSize(m.body.length, topic.length, propertiesBytes);
    if (stored > this.log.maxRecordSize) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message needs ${stored} bytes in the commit log; a segment holds at most ${this.log.maxRecordSize}`);
    }
    return { message: m, topic, properties, propertiesBytes };
  }

  /** The topic's UTF-8 bytes, after checking it (once per topic). */
  private checkTopic(topic: unknown): Buffer {
    if (typeof topic !== 'string') throw new KernelError(KernelErrorCode.InvalidTopic, 'topic must be a string');
    const known = this.topicBytes.get(topic);
    if (known !== undefined) return known;
    const bytes = Buffer.from(topic, 'utf8');
    if (bytes.length === 0 || bytes.length > MAX_TOPIC_BYTES) throw new KernelError(KernelErrorCode.InvalidTopic, `topic must be 1 to ${MAX_TOPIC_BYTES} bytes of UTF-8, got ${bytes.length}`);
    if (bytes.toString('utf8') !== topic) throw new KernelError(KernelErrorCode.InvalidTopic, 'topic is not valid Unicode (lone surrogate)');
    if (this.topicBytes.size >= TOPIC_CACHE_LIMIT) this.topicBytes.clear();
    this.topicBytes.set(topic, bytes);
    return bytes;
  }

  /**
   * Appends records already stamped elsewhere (a master's log), at exactly `offset`,
   * which must be this log's end. Whole records only: a partial record at the end of
   * `bytes` is left for the next call. Resolves to the new end of the log.
   */
  appendRaw(offset: number, bytes: Buffer): Promise<number> {
    if (offset !== this.log.assignOffset) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `appendRaw at ${offset}, but the commit log ends at ${this.log.assignOffset}`);
    }
    const segmentSize = this.log.segmentSize;
    const writes: LogWrite[] = [];
    const staged: Array<{ req: LazyDispatchRequest; tag: string | undefined }> = [];
    let pos = 0;
    while (bytes.length - pos >= END_FILE_MIN_BLANK_LENGTH) {
      const at = offset + pos;
      const size = bytes.readInt32BE(pos);
      if (bytes.readInt32BE(pos + 4) === MESSAGE_MAGIC_CODE && size > bytes.length - pos && size <= this.log.maxRecordSize) break;
      const check = checkRecord(bytes, pos, bytes.length - pos);
      const segmentLeft = segmentSize - (at % segmentSize);
      if (check.status === RecordCheck.Blank) {
        if (check.size !== segmentLeft) throw corrupt(at, 'end marker does not reach the segment end (different segment size?)');
        writes.push({ offset: at, bytes: Buffer.from(bytes.subarray(pos, pos + END_FILE_MIN_BLANK_LENGTH)), blankLength: check.size });
        pos += check.size;
        continue;
      }
      if (check.status !== RecordCheck.Ok) throw corrupt(at, check.reason ?? check.status);
      if (readInt64BE(bytes, pos + RecordOffset.PhysicalOffset) !== at) throw corrupt(at, 'record carries another physical offset');
      if (check.size + END_FILE_MIN_BLANK_LENGTH > segmentLeft) throw corrupt(at, 'record would span segments (different segment size?)');
      const record = Buffer.from(bytes.subarray(pos, pos + check.size));
      writes.push({ offset: at, bytes: record });
      staged.push(dispatchRequestFromRecord(record, 0, check.size));
      pos += check.size;
    }
    const end = offset + pos;
    if (writes.length === 0) return Promise.resolve(offset);
    this.log.assignOffset = end;
    for (const w of writes) this.groupCommit.buffer.push(w);
    return new Promise<number>((resolve, reject) => {
      this.groupCommit.submit({
        done: () => {
          for (const { req, tag } of staged) this.chain.dispatch(req, tag);
          resolve(end);
        },
        fail: reject,
      });
    });
  }

  /** After a failed batch: queue offsets handed out but never written are handed out again. */
  rollbackQueueOffsets(): void {
    for (const cq of this.queues.all()) cq.nextPutOffset = cq.maxOffset;
  }
}

function corrupt(offset: number, reason: string): KernelError {
  return new KernelError(KernelErrorCode.StoreCorrupt, `appendRaw: bad record at ${offset}: ${reason}`);
}

function checkQueueId(queueId: unknown): void {
  if (typeof queueId !== 'number' || !Number.isInteger(queueId) || queueId < 0 || queueId > 0x7fffffff) {
    throw new KernelError(KernelErrorCode.InvalidQueue, `queueId must be an integer from 0 to 2147483647, got ${String(queueId)}`);
  }
}

