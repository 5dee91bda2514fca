/**
 * The commit log: every message of the broker, appended to segments of `segmentSize`
 * bytes (mapped-file-queue.ts), each record in the stored layout of
 * ../message/record-codec.ts. It is the only truth; consume queues and the index are
 * derived from it (dispatcher.ts) and rebuilt from it on recovery.
 *
 * Layout: a record never spans two segments. When the next record (plus the 8-byte
 * end marker) does not fit in what is left of the current segment, a BLANK record
 * (TOTALSIZE = bytes left, MAGICCODE = BLANK_MAGIC_CODE) is written there and the
 * segment file is extended with zeros to its full size; the record starts the next
 * segment. So every sealed segment is exactly `segmentSize` bytes and ends in a BLANK.
 *
 * Offsets are handed out synchronously (`place`), bytes reach the file later in
 * group-committed batches (`write`, driven by flush-service.ts). A failed batch is
 * cut back off the file so what was stored before it stays intact.
 */
import { END_FILE_MIN_BLANK_LENGTH, MESSAGE_MAGIC_CODE, RecordCheck, RecordOffset, checkRecord, writeBlank } from '../message/record-codec.js';
import { KernelError, KernelErrorCode } from '../errors.js';
import { readInt64BE } from '../common/int64.js';
import { GapPolicy, MappedFileQueue } from './mapped-file-queue.js';
import type { MappedFile } from './mapped-file.js';
import { ReadCache } from './read-cache.js';

export const DEFAULT_SEGMENT_SIZE = 1024 * 1024 * 1024;
const SCAN_CHUNK = 4 * 1024 * 1024;
const FIRST_READ = 4096;

/** Bytes to put at `offset`; a BLANK carries its 8-byte header and covers `blankLength`. */
export interface LogWrite {
  offset: number;
  bytes: Buffer;
  blankLength?: number;
}

export interface ScanVisitor {
  record(buf: Buffer, pos: number, offset: number, size: number): void;
  corrupt(offset: number, size: number, reason: string): void;
}

export interface ScanResult {
  /** offset after the last sound record: the log's end */
  end: number;
  /** why the scan stopped before the end of the data, if it did */
  tornReason?: string;
}

export class CommitLog {
  readonly segments: MappedFileQueue;
  readonly cache: ReadCache;
  /** bytes up to here are in the segment files */
  writtenOffset = 0;
  /** bytes up to here are on stable storage */
  flushedOffset = 0;
  /** next offset to hand out (written + queued for the group commit) */
  assignOffset = 0;

  constructor(dir: string, readonly segmentSize: number, readCacheBytes: number) {
    this.segments = new MappedFileQueue(dir, segmentSize);
    this.cache = new ReadCache(readCacheBytes);
  }

  async load(): Promise<void> {
    await this.segments.load(GapPolicy.Throw);
    this.setEnd(this.segments.writtenEnd());
  }

  get minOffset(): number {
    return this.segments.minOffset(this.writtenOffset);
  }

  /** Largest record a segment can take. */
  get maxRecordSize(): number {
    return this.segmentSize - END_FILE_MIN_BLANK_LENGTH;
  }

  /**
   * Hands out the offset of a record of `size` bytes. When it does not fit in what is
   * left of the segment, the BLANK that seals the segment goes to `before` first.
   */
  place(size: number, before: { push(w: LogWrite): void }): number {
    const inSegment = this.assignOffset % this.segmentSize;
    if (inSegment + size + END_FILE_MIN_BLANK_LENGTH > this.segmentSize) {
      const blankLength = this.segmentSize - inSegment;
      const bytes = Buffer.alloc(END_FILE_MIN_BLANK_LENGTH);
      writeBlank(bytes, 0, blankLength);
      before.push({ offset: this.assignOffset, bytes, blankLength });
      this.assignOffset += blankLength;
    }
    const offset = this.assignOffset;
    this.assignOffset += size;
    return offset;
  }

  /** Writes contiguous LogWrites starting at `writtenOffset`: one writev per segment touched. */
  async write(writes: readonly LogWrite[]): Promise<void> {
    const startEnd = this.writtenOffset;
    try {
      let i = 0;
      while (i < writes.length) {
        const first = writes[i]!;
        if (first.offset !== this.writtenOffset) throw new Error(`write at ${first.offset} but the log ends at ${this.writtenOffset}`);
        const segStart = first.offset - (first.offset % this.segmentSize);
        const parts: Buffer[] = [];
        const from = i;
        let end = first.offset;
        let sealed = false;
        for (; i < writes.length && writes[i]!.offset < segStart + this.segmentSize; i++) {
          const w = writes[i]!;
          parts.push(w.bytes);
          end = w.offset + (w.blankLength ?? w.bytes.length);
          if (w.blankLength !== undefined) sealed = true;
        }
        const segment = await this.segments.ensure(segStart);
        await segment.writev(parts, first.offset - segStart);
        if (sealed) await segment.truncate(this.segmentSize);
        for (let k = from; k < i; k++) {
          const w = writes[k]!;
          if (w.blankLength === undefined) this.cache.add(w.offset, w.bytes);
        }
        this.writtenOffset = end;
      }
    } catch (err) {
      await this.rollbackTo(startEnd).catch(() => undefined);
      throw toWriteError(err, startEnd);
    }
  }

  private async rollbackTo(offset: number): Promise<void> {
    this.cache.truncate(offset);
    this.writtenOffset = offset;
    await this.segments.truncateFrom(offset);
  }

  /** fdatasync of every segment written since the last flush. */
  async flush(): Promise<void> {
    const upTo = this.writtenOffset;
    if (upTo === this.flushedOffset) return;
    await this.segments.syncAll(this.flushedOffset);
    this.flushedOffset = Math.max(this.flushedOffset, upTo);
  }

  /** Cuts written bytes back to `offset` after a failed batch; offsets handed out since stay as they are. */
  async cutBack(offset: number): Promise<void> {
    await this.rollbackTo(offset);
    this.flushedOffset = Math.min(this.flushedOffset, offset);
  }

  /** Cuts the log at `offset` (recovery, or a replica catching up from a different history). */
  async truncate(offset: number): Promise<void> {
    await this.rollbackTo(offset);
    this.setEnd(offset);
  }

  private setEnd(offset: number): void {
    this.writtenOffset = offset;
    this.flushedOffset = offset;
    this.assignOffset = offset;
  }

  /** Reads [offset, offset + length), which must lie in one segment and below the written end. */
  async read(offset: number, length: number): Promise<Buffer | undefined> {
    if (offset < this.minOffset || offset + length > this.writtenOffset) return undefined;
    const cached = this.cache.get(offset, length);
    if (cached) return cached;
    const segment = this.segments.findByOffset(offset);
    if (!segment || offset + length > segment.fileEndOffset || !segment.acquire()) return undefined;
    try {
      const buf = await segment.read(offset - segment.fileFromOffset, length);
      return buf.length === length ? buf : undefined;
    } finally {
      segment.release();
    }
  }

  /** The record at `offset` of `size` bytes if the read cache holds it (the recent tail). */
  cachedRecord(offset: number, size: number): Buffer | undefined {
    return offset >= this.minOffset && offset + size <= this.writtenOffset ? this.cache.get(offset, size) : undefined;
  }

  /** read(), synchronously (rare lookups that must answer at once). */
  readSync(offset: number, length: number): Buffer | undefined {
    if (offset < this.minOffset || offset + length > this.writtenOffset) return undefined;
    const cached = this.cache.get(offset, length);
    if (cached) return cached;
    const segment = this.segments.findByOffset(offset);
    if (!segment || offset + length > segment.fileEndOffset || !segment.acquire()) return undefined;
    try {
      const buf = segment.readSync(offset - segment.fileFromOffset, length);
      return buf.length === length ? buf : undefined;
    } finally {
      segment.release();
    }
  }

  /** Reads the whole record (or BLANK) starting at `offset`; undefined if there is none. */
  async readRecordAt(offset: number): Promise<Buffer | undefined> {
    const segment = this.segments.findByOffset(offset);
    if (!segment) return undefined;
    const room = Math.min(segment.fileEndOffset, this.writtenOffset) - offset;
    if (room < END_FILE_MIN_BLANK_LENGTH) return undefined;
    const head = await this.read(offset, Math.min(FIRST_READ, room));
    if (!head) return undefined;
    const size = head.readInt32BE(0);
    if (size < END_FILE_MIN_BLANK_LENGTH || size > room) return undefined;
    if (size <= head.length) return head.subarray(0, size);
    return this.read(offset, size);
  }

  /**
   * Reads whole records (a BLANK counts as one) from `offset`, within one segment and
   * below the written end, at most `maxBytes` unless the first record alone is larger.
   */
  async readWholeRecords(offset: number, maxBytes: number): Promise<Buffer> {
    const segment = this.segments.findByOffset(offset);
    if (!segment || offset >= this.writtenOffset) return Buffer.alloc(0);
    const limit = Math.min(segment.fileEndOffset, this.writtenOffset) - offset;
    const buf = await this.read(offset, Math.min(limit, Math.max(maxBytes, END_FILE_MIN_BLANK_LENGTH)));
    if (!buf) return Buffer.alloc(0);
    let pos = 0;
    while (pos + END_FILE_MIN_BLANK_LENGTH <= buf.length) {
      const size = buf.readInt32BE(pos);
      if (size < END_FILE_MIN_BLANK_LENGTH || pos + size > buf.length) break;
      pos += size;
    }
    if (pos > 0) return buf.subarray(0, pos);
    const first = await this.readRecordAt(offset);
    return first ?? Buffer.alloc(0);
  }

  /**
   * Walks records from `from` (a record boundary) to the end of the data, checking each
   * (checkRecord): sound records go to `visitor.record`, CORRUPT ones (sound framing,
   * bad CRC) to `visitor.corrupt` and are stepped over; a TORN one ends the scan.
   */
  async scan(from: number, visitor: ScanVisitor): Promise<ScanResult> {
    let segment = this.segments.findByOffset(from);
    let offset = from;
    let buf = Buffer.allocUnsafe(SCAN_CHUNK);
    while (segment) {
      const fileLength = segment.wrotePosition;
      let pos = offset - segment.fileFromOffset;
      let bufStart = pos;
      let bufLength = 0;
      const refill = async (need: number): Promise<void> => {
        const length = Math.min(Math.max(SCAN_CHUNK, need), fileLength - pos);
        if (buf.length < length) buf = Buffer.allocUnsafe(length);
        bufStart = pos;
        bufLength = await segment!.readInto(buf, 0, length, pos);
      };
      for (;;) {
        if (pos >= fileLength) {
          const next = this.segments.findByOffset(segment.fileEndOffset);
          return next ? { end: segment.fileFromOffset + pos, tornReason: 'segment ends without an end marker' } : { end: segment.fileFromOffset + pos };
        }
        let avail = bufStart + bufLength - pos;
        if (avail < END_FILE_MIN_BLANK_LENGTH) {
          await refill(END_FILE_MIN_BLANK_LENGTH);
          avail = bufLength;
        } else {
          const p = pos - bufStart;
          const size = buf.readInt32BE(p);
          if (buf.readInt32BE(p + 4) === MESSAGE_MAGIC_CODE && size > avail && size <= fileLength - pos) {
            await refill(size);
            avail = bufLength;
          }
        }
        const p = pos - bufStart;
        const here = segment.fileFromOffset + pos;
        const check = checkRecord(buf, p, Math.min(avail, fileLength - pos));
        if (check.status === RecordCheck.Torn) return { end: here, tornReason: check.reason ?? 'torn record' };
        if (check.status === RecordCheck.Blank) {
          if (here + check.size !== segment.fileEndOffset) return { end: here, tornReason: 'end marker does not reach the segment end' };
          break;
        }
        if (check.status === RecordCheck.Corrupt) {
          visitor.corrupt(here, check.size, check.reason ?? 'corrupt record');
        } else if (readInt64BE(buf, p + RecordOffset.PhysicalOffset) !== here) {
          return { end: here, tornReason: 'record carries another physical offset' };
        } else {
          visitor.record(buf, p, here, check.size);
        }
        pos += check.size;
      }
      offset = segment.fileEndOffset;
      const next = this.segments.findByOffset(offset);
      if (!next) return { end: offset };
      segment = next;
    }
    return { end: Math.max(from, this.segments.writtenEnd(from)) };
  }

  /** Segments that are neither the last nor holding the write position: retention candidates. */
  sealedSegments(): MappedFile[] {
    const all = this.segments.segments;
    return all.slice(0, Math.max(0, all.length - 1)).filter((s) => s.fileEndOffset <= this.writtenOffset);
  }

  async close(): Promise<void> {
    await this.segments.close();
    this.cache.clear();
  }
}

function toWriteError(err: unknown, offset: number): KernelError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  const detail = err instanceof Error ? err.message : String(err);
  return new KernelError(
    full ? KernelErrorCode.StoreFull : KernelErrorCode.StoreWriteFailed,
    `commit log write at offset ${offset} failed${full ? ' (disk full)' : ''}: ${detail}; the log was cut back to ${offset}`,
    { cause: err },
  );
}
