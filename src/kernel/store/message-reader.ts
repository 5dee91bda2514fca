/**
 * The read path: consume-queue entries → tag pre-filter → commit log reads (neighbouring
 * records coalesced into one positional read, the recent tail from the read cache) →
 * CRC check → decode → message filter. Reads are bounded by maxMessages and maxBytes,
 * never by the backlog. Statuses follow RocketMQ's GetMessageStatus.
 */
import { KernelError, KernelErrorCode } from '../errors.js';
import type { StoredMessage } from '../message/message.js';
import { RecordCheck, RecordOffset, checkRecord, decodeRecord } from '../message/record-codec.js';
import type { CommitLog } from './commit-log.js';
import { CQ_HOLE_SIZE, CQ_UNIT_SIZE, readEntry, type ConsumeQueue } from './consume-queue.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexService } from './index-service.js';
import { readInt64BE } from '../common/int64.js';
import { GetStatus, type GetResult } from './results.js';
import type { StoreLogger } from './store-logger.js';
import type { GetRequest } from './store-api.js';

export const DEFAULT_GET_MAX_BYTES = 4 * 1024 * 1024;
/** with a filter, look at this many entries at least (RocketMQ's 16000-byte scan) */
const MIN_FILTER_SCAN = 800;
const ENTRY_CHUNK = 1024;
/** neighbouring records at most this far apart are read with one positional read */
const COALESCE_GAP = 64 * 1024;
const MAX_RUN = 1024 * 1024;
const REPORTED_LIMIT = 1024;

interface Candidate {
  queueOffset: number;
  commitLogOffset: number;
  size: number;
}

export class MessageReader {
  getCount = 0;
  corruptRecords = 0;
  private readonly reported = new Set<number>();

  constructor(
    private readonly log: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly isSystem: (name: string) => boolean,
    private readonly logger: StoreLogger,
  ) {}

  async get(req: GetRequest): Promise<GetResult> {
    if (!Number.isInteger(req.maxMessages) || req.maxMessages < 1) {
      throw new KernelError(KernelErrorCode.InvalidArgument, `maxMessages must be a positive integer, got ${req.maxMessages}`);
    }
    if (!Number.isInteger(req.offset)) throw new KernelError(KernelErrorCode.InvalidArgument, `offset must be an integer, got ${req.offset}`);
    this.getCount++;
    const cq = this.queues.find(req.topic, req.queueId);
    if (!cq) return result(GetStatus.NoMatchedLogicQueue, 0, 0, 0);
    const min = cq.minOffset;
    const max = cq.maxOffset;
    const offset = req.offset;
    if (max === 0) return result(GetStatus.NoMessageInQueue, 0, min, max);
    if (offset < min) return result(GetStatus.OffsetTooSmall, min, min, max);
    if (offset === max) return result(GetStatus.OffsetOverflowOne, offset, min, max);
    if (offset > max) return result(GetStatus.OffsetOverflowBadly, min === 0 ? min : max, min, max);

    const { candidates, next } = await this.collect(cq, req);
    const out = result(GetStatus.NoMatchedMessage, next, min, max);
    const corrupt: number[] = [];
    for (const { c, buf, pos } of await this.load(candidates)) {
      if (!this.isSound(buf, pos, c.commitLogOffset, c.size)) {
        corrupt.push(c.commitLogOffset);
        continue;
      }
      const msg = decodeRecord(buf, pos, this.isSystem);
      if (!req.filter || req.filter.matchesMessage(msg)) out.messages.push(msg);
    }
    if (out.messages.length > 0) out.status = GetStatus.Found;
    if (corrupt.length > 0) out.corruptOffsets = corrupt;
    return out;
  }

  /**
   * The candidates' record bytes, in candidate order: from the read cache when it has
   * them, else neighbouring records with one positional read. Records removed by
   * retention meanwhile are left out.
   */
  private async load(candidates: Candidate[]): Promise<Array<{ c: Candidate; buf: Buffer; pos: number }>> {
    const loaded: Array<{ c: Candidate; buf: Buffer; pos: number } | undefined> = candidates.map((c) => {
      const cached = this.log.cachedRecord(c.commitLogOffset, c.size);
      return cached ? { c, buf: cached, pos: 0 } : undefined;
    });
    const missing = candidates.filter((_, k) => loaded[k] === undefined);
    if (missing.length > 0) {
      const slot = new Map<Candidate, number>();
      candidates.forEach((c, k) => slot.set(c, k));
      for (const run of coalesce(missing, this.log.segmentSize)) {
        const first = run[0]!;
        const last = run[run.length - 1]!;
        const buf = await this.log.read(first.commitLogOffset, last.commitLogOffset + last.size - first.commitLogOffset);
        if (!buf) continue;
        for (const c of run) loaded[slot.get(c)!] = { c, buf, pos: c.commitLogOffset - first.commitLogOffset };
      }
    }
    return loaded.filter((x): x is { c: Candidate; buf: Buffer; pos: number } => x !== undefined);
  }

  /** Walks entries from req.offset: skips holes, gone records and tag mismatches. */
  private async collect(cq: ConsumeQueue, req: GetRequest): Promise<{ candidates: Candidate[]; next: number }> {
    const maxBytes = req.maxBytes ?? DEFAULT_GET_MAX_BYTES;
    const scanLimit = req.filter ? Math.max(req.maxMessages, MIN_FILTER_SCAN) : req.maxMessages;
    const logMin = this.log.minOffset;
    const candidates: Candidate[] = [];
    let bytes = 0;
    let q = req.offset;
    const end = Math.min(cq.maxOffset, req.offset + scanLimit);
    while (q < end && candidates.length < req.maxMessages && bytes < maxBytes) {
      const entries = await cq.readEntries(q, Math.min(ENTRY_CHUNK, end - q));
      if (entries.length === 0) break;
      let pos = 0;
      for (; pos < entries.length && candidates.length < req.maxMessages && bytes < maxBytes; pos += CQ_UNIT_SIZE, q++) {
        const e = readEntry(entries, pos);
        if (e.size === 0 || e.size === CQ_HOLE_SIZE || e.commitLogOffset < logMin) continue;
        if (req.filter && !req.filter.matchesTagsCode(e.tagsCode)) continue;
        candidates.push({ queueOffset: q, commitLogOffset: e.commitLogOffset, size: e.size });
        bytes += e.size;
      }
    }
    return { candidates, next: q };
  }

  /** The record at `pos` is whole, passes its CRCs and is the one the entry points at. */
  private isSound(buf: Buffer, pos: number, offset: number, size: number): boolean {
    const check = checkRecord(buf, pos, Math.min(size, buf.length - pos));
    const ok = check.status === RecordCheck.Ok && check.size === size && readInt64BE(buf, pos + RecordOffset.PhysicalOffset) === offset;
    if (!ok) this.report(offset, check.reason ?? `unexpected ${check.status} record`);
    return ok;
  }

  private report(offset: number, reason: string): void {
    this.corruptRecords++;
    if (this.reported.has(offset)) return;
    if (this.reported.size >= REPORTED_LIMIT) this.reported.clear();
    this.reported.add(offset);
    this.logger.warn({ commitLogOffset: offset, reason }, 'skipping a corrupt commit log record');
  }

  /** The message stored at `offset` (a record start), if it is there and sound. */
  async readMessage(offset: number): Promise<StoredMessage | undefined> {
    if (!Number.isInteger(offset) || offset < this.log.minOffset || offset >= this.log.writtenOffset) return undefined;
    const buf = await this.log.readRecordAt(offset);
    if (!buf || checkRecord(buf, 0, buf.length).status !== RecordCheck.Ok) return undefined;
    if (readInt64BE(buf, RecordOffset.PhysicalOffset) !== offset) return undefined;
    return decodeRecord(buf, 0, this.isSystem);
  }

  /** Store time of the record at `commitLogOffset`, read synchronously; undefined if unreadable. */
  storeTimestampAt(commitLogOffset: number): number | undefined {
    const head = this.log.readSync(commitLogOffset, RecordOffset.StoreTimestamp + 8);
    return head ? readInt64BE(head, RecordOffset.StoreTimestamp) : undefined;
  }

  /**
   * First queue offset whose message was stored at or after `timestamp` (maxOffset if
   * none): a binary search over the queue, about 2·log2(n) small synchronous reads that
   * the page cache usually serves (RocketMQ reads its mapped files the same way).
   */
  searchOffset(cq: ConsumeQueue, timestamp: number): number {
    let lo = cq.minOffset;
    let hi = cq.maxOffset;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = cq.entrySync(mid);
      const t = e && e.size !== 0 ? this.storeTimestampAt(e.commitLogOffset) : undefined;
      if (t !== undefined && t >= timestamp) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Store time of the queue's newest message (kept by dispatch; read once after a restart). */
  lastStoreTimestamp(cq: ConsumeQueue): number {
    if (cq.lastStoreTimestamp !== undefined) return cq.lastStoreTimestamp;
    for (let q = cq.maxOffset - 1; q >= cq.minOffset; q--) {
      const e = cq.entrySync(q);
      if (!e || e.size === 0 || e.size === CQ_HOLE_SIZE) continue;
      const t = this.storeTimestampAt(e.commitLogOffset);
      if (t !== undefined) return (cq.lastStoreTimestamp = t);
      break;
    }
    return 0;
  }

  /** Messages of `topic` with key (or uniqueId) `key`, newest first, at most `max`. */
  async queryByKey(index: IndexService, topic: string, key: string, max: number): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    if (max <= 0) return out;
    for (const offset of await index.query(topic, key, max * 4 + 32)) {
      const msg = await this.readMessage(offset);
      if (msg && msg.topic === topic && (msg.uniqueId === key || (msg.keys?.includes(key) ?? false))) out.push(msg);
      if (out.length >= max) break;
    }
    return out;
  }
}

function result(status: GetStatus, nextBeginOffset: number, minOffset: number, maxOffset: number): GetResult {
  return { status, messages: [], nextBeginOffset, minOffset, maxOffset };
}

/** Groups candidates (in log order) into runs readable with one positional read. */
function coalesce(candidates: Candidate[], segmentSize: number): Candidate[][] {
  const runs: Candidate[][] = [];
  let run: Candidate[] = [];
  let runStart = 0;
  let runEnd = 0;
  for (const c of candidates) {
    const sameSegment = Math.floor(c.commitLogOffset / segmentSize) === Math.floor(runStart / segmentSize);
    const fits = c.commitLogOffset >= runEnd && c.commitLogOffset - runEnd <= COALESCE_GAP && c.commitLogOffset + c.size - runStart <= MAX_RUN;
    if (run.length > 0 && sameSegment && fits) {
      run.push(c);
    } else {
      if (run.length > 0) runs.push(run);
      run = [c];
      runStart = c.commitLogOffset;
    }
    runEnd = c.commitLogOffset + c.size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
