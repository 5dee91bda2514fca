/**
 * The append path: validate, encode (record-codec.ts), take the queue offset and the
 * commit log offset synchronously, stamp the record, and join the group commit
 * (flush-service.ts). When the batch is written the records are dispatched and the
 * callers answered. Also appends raw, already-stamped records (replication).
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import { validateMessage } from '../message/validate-message.js';
import type { Message } from '../message/message.js';
import { formatMsgId } from '../message/msg-id.js';
import {
  END_FILE_MIN_BLANK_LENGTH, MAX_PROPERTIES_BYTES, MAX_TOPIC_BYTES, MESSAGE_MAGIC_CODE, RECORD_FIXED_SIZE, RecordCheck,
  RecordOffset, checkRecord, encodeProperties, encodeRecord, recordSize, stampRecord,
} from '../message/record-codec.js';
import type { CommitLog, LogWrite } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import { LazyDispatchRequest, dispatchRequestFromRecord, type DispatcherChain } from './dispatcher.js';
import type { GroupCommit, Submission } from './flush-service.js';
import { readInt64BE } from '../common/int64.js';
import { PutStatus, type PutResult } from './results.js';
import type { PutOptions } from './store-api.js';

/** One encoded, placed message waiting for its group commit; it is its own log write. */
class StagedPut implements Submission, LogWrite {
  resolve: (r: PutResult) => void = noop;
  reject: (err: unknown) => void = noop;

  constructor(
    private readonly writer: MessageWriter,
    readonly offset: number,
    readonly bytes: Buffer,
    private readonly blank: LogWrite | undefined,
    private readonly req: LazyDispatchRequest,
    private readonly tag: string | undefined,
    readonly result: PutResult,
  ) {}

  pushWrites(out: LogWrite[]): void {
    if (this.blank) out.push(this.blank);
    out.push(this);
  }

  dispatch(): void {
    this.writer.dispatched(this.req, this.tag);
  }

  done(): void {
    this.dispatch();
    this.resolve(this.result);
  }

  fail(err: unknown): void {
    this.reject(err);
  }
}

const noop = (): void => undefined;

/** bytes the codec adds to the properties string (the `__CRC32#` trailer) */
const CRC_TRAILER_BYTES = recordSize(0, 0, 0) - RECORD_FIXED_SIZE;
const TOPIC_CACHE_LIMIT = 10_000;

export interface WriterConfig {
  maxMessageSize: number;
  storeHost: string;
  storePort: number;
}

interface Prepared {
  message: Message;
  properties: string;
}

export class MessageWriter {
  putCount = 0;
  private readonly topicBytes = new Map<string, number>();
  private readonly msgIdPrefix: string;

  constructor(
    private readonly log: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly chain: DispatcherChain,
    private readonly groupCommit: GroupCommit,
    private readonly config: WriterConfig,
  ) {
    this.msgIdPrefix = formatMsgId({ host: config.storeHost, port: config.storePort, commitLogOffset: 0 }).slice(0, 16);
  }

  /** msg-id.ts's format, with the host part computed once. */
  msgId(commitLogOffset: number): string {
    return this.msgIdPrefix + commitLogOffset.toString(16).toUpperCase().padStart(16, '0');
  }

  put(message: Message, options: PutOptions): Promise<PutResult> {
    checkQueueId(options.queueId);
    const staged = this.stage(this.prepare(message), options);
    return new Promise<PutResult>((resolve, reject) => {
      staged.resolve = resolve;
      staged.reject = reject;
      this.groupCommit.submit(staged);
    });
  }

  putBatch(messages: Message[], options: PutOptions): Promise<PutResult[]> {
    checkQueueId(options.queueId);
    if (messages.length === 0) return Promise.resolve([]);
    const prepared = messages.map((m) => this.prepare(m));
    const topic = messages[0]!.topic;
    if (messages.some((m) => m.topic !== topic)) throw new KernelError(KernelErrorCode.InvalidMessage, 'every message of a batch must have the same topic');
    const staged = prepared.map((p) => this.stage(p, options));
    return new Promise<PutResult[]>((resolve, reject) => {
      this.groupCommit.submit({
        pushWrites: (out) => {
          for (const s of staged) s.pushWrites(out);
        },
        done: () => {
          for (const s of staged) s.dispatch();
          resolve(staged.map((s) => s.result));
        },
        fail: reject,
      });
    });
  }

  /** Encodes and places one message (after a BLANK when it rolls the segment). */
  private stage(p: Prepared, options: PutOptions): StagedPut {
    const m = p.message;
    const now = Date.now();
    const sysFlag = options.sysFlag ?? 0;
    const prepared = options.preparedTransactionOffset ?? 0;
    const { buffer } = encodeRecord(m, {
      queueId: options.queueId, flag: options.flag ?? 0, sysFlag, bornTimestamp: m.bornTimestamp ?? now,
      bornHost: options.bornHost ?? '0.0.0.0', bornPort: options.bornPort ?? 0,
      storeHost: this.config.storeHost, storePort: this.config.storePort,
      reconsumeTimes: options.reconsumeTimes ?? 0, preparedTransactionOffset: prepared,
    }, p.properties);
    const cq = this.queues.getOrCreate(m.topic, options.queueId);
    const { offset, blank } = this.log.place(buffer.length);
    const queueOffset = cq.nextPutOffset++;
    stampRecord(buffer, queueOffset, offset, now);
    const req = new LazyDispatchRequest(m.topic, options.queueId, queueOffset, offset, buffer.length, now, sysFlag, prepared, m.keys ?? [], m.uniqueId, p.properties);
    const result: PutResult = {
      status: PutStatus.Ok, msgId: m.uniqueId || this.msgId(offset), topic: m.topic, queueId: options.queueId, queueOffset,
      commitLogOffset: offset, storeTimestamp: now, storeSize: buffer.length,
    };
    return new StagedPut(this, offset, buffer, blank, req, m.tag, result);
  }

  /** Runs the dispatchers for a written record and counts it. */
  dispatched(req: LazyDispatchRequest, tag: string | undefined): void {
    this.chain.dispatch(req, tag);
    this.putCount++;
  }

  /** Checks limits and content; returns the encoded properties string. */
  private prepare(m: Message): Prepared {
    const topicBytes = this.checkTopic(m.topic);
    validateMessage(m);
    const properties = encodeProperties(m);
    const propertiesBytes = Buffer.byteLength(properties);
    if (propertiesBytes + CRC_TRAILER_BYTES > MAX_PROPERTIES_BYTES) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message properties take ${propertiesBytes} bytes; at most ${MAX_PROPERTIES_BYTES - CRC_TRAILER_BYTES} are allowed`);
    }
    const size = m.body.length + propertiesBytes;
    if (size > this.config.maxMessageSize) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message is ${size} bytes (body ${m.body.length} + properties ${propertiesBytes}); the limit is ${this.config.maxMessageSize}`);
    }
    const stored = recordSize(m.body.length, topicBytes, propertiesBytes);
    if (stored > this.log.maxRecordSize) {
      throw new KernelError(KernelErrorCode.MessageTooLarge, `message needs ${stored} bytes in the commit log; a segment holds at most ${this.log.maxRecordSize}`);
    }
    return { message: m, properties };
  }

  private checkTopic(topic: unknown): number {
    if (typeof topic !== 'string') throw new KernelError(KernelErrorCode.InvalidTopic, 'topic must be a string');
    const known = this.topicBytes.get(topic);
    if (known !== undefined) return known;
    const bytes = Buffer.byteLength(topic);
    if (bytes === 0 || bytes > MAX_TOPIC_BYTES) throw new KernelError(KernelErrorCode.InvalidTopic, `topic must be 1 to ${MAX_TOPIC_BYTES} bytes of UTF-8, got ${bytes}`);
    if (Buffer.from(topic, 'utf8').toString('utf8') !== topic) throw new KernelError(KernelErrorCode.InvalidTopic, 'topic is not valid Unicode (lone surrogate)');
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
    return new Promise<number>((resolve, reject) => {
      this.groupCommit.submit({
        pushWrites: (out) => {
          for (const w of writes) out.push(w);
        },
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

