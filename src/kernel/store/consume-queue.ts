/**
 * One consume queue: the ordered list of one (topic, queueId)'s messages, as pointers
 * into the commit log (RocketMQ's ConsumeQueue). Queue offset q is entry q.
 *
 * Layout: directory `consumequeue/<encoded topic>/<queueId>/`, segments of
 * `entriesPerFile` entries named by the 20-digit byte offset of their first entry
 * (q * 20). Each entry is 20 bytes, big-endian:
 *
 *   off size field
 *     0    8 commit log offset of the record
 *     8    4 record size (CQ_HOLE_SIZE: a hole, a message lost to corruption)
 *    12    8 tags code (the tag's hash, or what StoreOptions.tagsCodeOf says)
 *
 * A queue whose first messages are gone starts at a later q; the bytes before it in
 * its first segment are zero (size 0 = no entry). Entries are dispatched into an
 * in-memory tail and written in batches (flush service, or when the tail grows), so
 * dispatch costs no syscall; readers see the tail too.
 */
import { mkdir } from 'node:fs/promises';
import { readInt64BE, writeInt64BE } from '../common/int64.js';
import { GapPolicy, MappedFileQueue } from './mapped-file-queue.js';

export const CQ_UNIT_SIZE = 20;
export const CQ_HOLE_SIZE = 0x7fffffff;
export const DEFAULT_CQ_ENTRIES_PER_FILE = 300_000;
/** write the tail once it holds this many entries, without waiting for the flush tick */
export const CQ_WRITE_THRESHOLD = 8192;

export interface CqEntry {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

export const AppendOutcome = { Appended: 'appended', Duplicate: 'duplicate', Gap: 'gap' } as const;
export type AppendOutcome = (typeof AppendOutcome)[keyof typeof AppendOutcome];

export function readEntry(buf: Buffer, pos: number): CqEntry {
  return { commitLogOffset: readInt64BE(buf, pos), size: buf.readInt32BE(pos + 8), tagsCode: readInt64BE(buf, pos + 12) };
}

export class ConsumeQueue {
  private readonly files: MappedFileQueue;
  private minQ = 0;
  /** entries below this queue offset are in the files */
  private writtenQ = 0;
  private tail = Buffer.alloc(0);
  private tailCount = 0;
  private writing: Promise<void> | undefined;
  private deleted = false;
  private dirReady = false;
  /** next queue offset a put will take (ahead of maxOffset while puts are in flight) */
  nextPutOffset = 0;
  /** store time of the newest entry, when known */
  lastStoreTimestamp: number | undefined;

  constructor(readonly topic: string, readonly queueId: number, dir: string, readonly entriesPerFile: number) {
    this.files = new MappedFileQueue(dir, entriesPerFile * CQ_UNIT_SIZE);
  }

  get minOffset(): number {
    return this.minQ;
  }

  /** the next queue offset to be dispatched (RocketMQ's max offset) */
  get maxOffset(): number {
    return this.writtenQ + this.tailCount;
  }

  get pendingEntries(): number {
    return this.tailCount;
  }

  async load(): Promise<void> {
    await this.files.load(GapPolicy.DropAfter);
    this.dirReady = true;
    const last = this.files.last();
    if (!last) return;
    const whole = last.wrotePosition - (last.wrotePosition % CQ_UNIT_SIZE);
    if (whole !== last.wrotePosition) await last.truncate(whole);
    this.writtenQ = (last.fileFromOffset + whole) / CQ_UNIT_SIZE;
    while (this.writtenQ > 0 && this.files.findByOffset((this.writtenQ - 1) * CQ_UNIT_SIZE)) {
      const e = await this.entry(this.writtenQ - 1);
      if (e && e.size !== 0) break;
      this.writtenQ--;
    }
    await this.files.truncateFrom(this.writtenQ * CQ_UNIT_SIZE);
    this.minQ = await this.firstEntryAtOrAfter(this.files.minOffset() / CQ_UNIT_SIZE, (e) => e.size !== 0);
    this.nextPutOffset = this.maxOffset;
  }

  /**
   * Adds entry `queueOffset`. Idempotent: an offset already present is a Duplicate.
   * An offset past the end is a Gap, except that an empty queue may start there when
   * `mayStartLater` (its earlier messages are gone from the log).
   */
  append(queueOffset: number, commitLogOffset: number, size: number, tagsCode: number, mayStartLater = true): AppendOutcome {
    const max = this.maxOffset;
    if (queueOffset < max) return AppendOutcome.Duplicate;
    if (queueOffset > max) {
      if (!mayStartLater || max !== 0 || this.files.segments.length > 0) return AppendOutcome.Gap;
      this.minQ = this.writtenQ = queueOffset; // an empty queue starts where its first message is
    }
    this.push(commitLogOffset, size, tagsCode);
    if (this.nextPutOffset < this.maxOffset) this.nextPutOffset = this.maxOffset;
    return AppendOutcome.Appended;
  }

  /** Fills [maxOffset, upTo) with holes pointing at `commitLogOffset` (keeps offsets monotonic). */
  fillHoles(upTo: number, commitLogOffset: number): void {
    while (this.maxOffset < upTo) this.push(commitLogOffset, CQ_HOLE_SIZE, 0);
  }

  private push(commitLogOffset: number, size: number, tagsCode: number): void {
    const at = this.tailCount * CQ_UNIT_SIZE;
    if (at + CQ_UNIT_SIZE > this.tail.length) {
      const grown = Buffer.allocUnsafe(Math.max(64 * CQ_UNIT_SIZE, this.tail.length * 2));
      this.tail.copy(grown, 0, 0, at);
      this.tail = grown;
    }
    writeInt64BE(this.tail, commitLogOffset, at);
    this.tail.writeInt32BE(size, at + 8);
    writeInt64BE(this.tail, tagsCode, at + 12);
    this.tailCount++;
  }

  /** Writes the in-memory tail to the segment files (one write per segment touched). */
  async write(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.tailCount === 0 || this.deleted) return;
    this.writing = this.writeTail();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  private async writeTail(): Promise<void> {
    if (!this.dirReady) {
      await mkdir(this.files.dir, { recursive: true });
      this.dirReady = true;
    }
    const count = this.tailCount;
    const perFile = this.entriesPerFile;
    let q = this.writtenQ;
    let done = 0;
    while (done < count) {
      const fileStartQ = Math.floor(q / perFile) * perFile;
      const n = Math.min(count - done, fileStartQ + perFile - q);
      const file = await this.files.ensure(fileStartQ * CQ_UNIT_SIZE);
      await file.write(this.tail.subarray(done * CQ_UNIT_SIZE, (done + n) * CQ_UNIT_SIZE), (q - fileStartQ) * CQ_UNIT_SIZE);
      q += n;
      done += n;
    }
    this.tail.copy(this.tail, 0, count * CQ_UNIT_SIZE, this.tailCount * CQ_UNIT_SIZE);
    this.tailCount -= count;
    this.writtenQ += count;
    if (this.tail.length > 4 * CQ_WRITE_THRESHOLD * CQ_UNIT_SIZE && this.tailCount < 64) {
      this.tail = Buffer.from(this.tail.subarray(0, this.tailCount * CQ_UNIT_SIZE));
    }
  }

  async sync(): Promise<void> {
    await this.files.syncAll();
  }

  /** Entries [from, from + count) clipped to [minOffset, maxOffset), as raw 20-byte units. */
  async readEntries(from: number, count: number): Promise<Buffer> {
    return this.readRange(Math.max(from, this.minQ), Math.min(from + count, this.maxOffset));
  }

  async entry(q: number): Promise<CqEntry | undefined> {
    const low = this.files.isEmpty ? this.writtenQ : this.files.minOffset() / CQ_UNIT_SIZE;
    if (q < low || q >= this.maxOffset) return undefined;
    const buf = await this.readRange(q, q + 1);
    return buf.length === CQ_UNIT_SIZE ? readEntry(buf, 0) : undefined;
  }

  /** entry(q), read synchronously (searchOffset, lastStoreTimestamp). */
  entrySync(q: number): CqEntry | undefined {
    const low = this.files.isEmpty ? this.writtenQ : this.files.minOffset() / CQ_UNIT_SIZE;
    if (q < low || q >= this.maxOffset) return undefined;
    if (q >= this.writtenQ) return readEntry(this.tail, (q - this.writtenQ) * CQ_UNIT_SIZE);
    const file = this.files.findByOffset(q * CQ_UNIT_SIZE);
    if (!file || !file.acquire()) return undefined;
    try {
      const buf = file.readSync(q * CQ_UNIT_SIZE - file.fileFromOffset, CQ_UNIT_SIZE);
      return buf.length === CQ_UNIT_SIZE ? readEntry(buf, 0) : undefined;
    } finally {
      file.release();
    }
  }

  private async readRange(start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe((end - start) * CQ_UNIT_SIZE);
    let q = start;
    while (q < end) {
      if (q >= this.writtenQ) {
        // the tail, copied synchronously so a concurrent write cannot shift it under us
        const base = this.writtenQ;
        this.tail.copy(out, (q - start) * CQ_UNIT_SIZE, (q - base) * CQ_UNIT_SIZE, (end - base) * CQ_UNIT_SIZE);
        return out;
      }
      const file = this.files.findByOffset(q * CQ_UNIT_SIZE);
      if (!file || !file.acquire()) break;
      try {
        const n = Math.min(end, this.writtenQ, file.fileEndOffset / CQ_UNIT_SIZE) - q;
        const got = await file.readInto(out, (q - start) * CQ_UNIT_SIZE, n * CQ_UNIT_SIZE, q * CQ_UNIT_SIZE - file.fileFromOffset);
        q += Math.floor(got / CQ_UNIT_SIZE);
        if (got < n * CQ_UNIT_SIZE) break;
      } finally {
        file.release();
      }
    }
    return out.subarray(0, (q - start) * CQ_UNIT_SIZE);
  }

  /** First q in [from, maxOffset) whose entry satisfies `pred` (entries must be monotonic in it); maxOffset if none. */
  async firstEntryAtOrAfter(from: number, pred: (e: CqEntry) => boolean): Promise<number> {
    let lo = from;
    let hi = this.maxOffset;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = await this.entry(mid);
      if (e && pred(e)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drops entries pointing at or beyond `logEnd` (the commit log was cut there). */
  async truncateByCommitLogOffset(logEnd: number): Promise<number> {
    const keep = await this.firstEntryAtOrAfter(this.minQ, (e) => e.size !== 0 && e.commitLogOffset >= logEnd);
    if (keep >= this.maxOffset) return 0;
    const dropped = this.maxOffset - keep;
    while (this.writing) await this.writing;
    if (keep >= this.writtenQ) {
      this.tailCount = keep - this.writtenQ;
    } else {
      this.tailCount = 0;
      this.writtenQ = keep;
      await this.files.truncateFrom(keep * CQ_UNIT_SIZE);
    }
    this.minQ = Math.min(this.minQ, keep);
    this.nextPutOffset = this.maxOffset;
    this.lastStoreTimestamp = undefined;
    return dropped;
  }

  /** Retention: the commit log now starts at `logMin`; drop what only points below it. */
  async retain(logMin: number): Promise<void> {
    for (;;) {
      const segs = this.files.segments;
      const first = segs[0];
      if (segs.length < 2 || !first) break;
      const lastQ = first.fileEndOffset / CQ_UNIT_SIZE - 1;
      const e = await this.entry(lastQ);
      if (!e || e.commitLogOffset >= logMin) break;
      await this.files.deleteFirst();
    }
    const from = Math.max(this.minQ, this.files.minOffset(this.minQ * CQ_UNIT_SIZE) / CQ_UNIT_SIZE);
    this.minQ = await this.firstEntryAtOrAfter(from, (e) => e.size !== 0 && e.commitLogOffset >= logMin);
  }

  /** The log position after this queue's newest entry (where a rebuild of it resumes). */
  async resumeOffset(): Promise<number | undefined> {
    for (let q = this.maxOffset - 1; q >= this.minQ; q--) {
      const e = await this.entry(q);
      if (e && e.size !== 0 && e.size !== CQ_HOLE_SIZE) return e.commitLogOffset + e.size;
      if (e && e.size === CQ_HOLE_SIZE) return e.commitLogOffset;
    }
    return undefined;
  }

  bytesOnDisk(): number {
    return this.files.bytesOnDisk();
  }

  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.files.close();
  }

  async destroy(): Promise<void> {
    this.deleted = true;
    while (this.writing) await this.writing;
    await this.files.destroyAll();
  }
}
