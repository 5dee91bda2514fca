/**
 * One segment file of a segmented log (RocketMQ's MappedFile, without mmap: Node has
 * none, so segments are read and written with positional I/O on a file handle).
 *
 * Layout: a segment is named by its start offset in the whole log, as 20 zero-padded
 * decimal digits (`00000000001073741824`), and covers [start, start + fileSize).
 * Files are not preallocated: a segment's length is the bytes written to it, so a
 * torn tail shows as a short file and truncation is an ftruncate. Whoever fills a
 * segment extends it to its full size (see commit-log.ts's BLANK end marker).
 *
 * A deleted segment is unlinked at once; its handle closes when the last reader that
 * acquired it releases it, so a read racing with retention still completes.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const SEGMENT_NAME_DIGITS = 20;

export function segmentFileName(startOffset: number): string {
  return String(startOffset).padStart(SEGMENT_NAME_DIGITS, '0');
}

export function parseSegmentFileName(name: string): number | undefined {
  return /^\d{20}$/.test(name) ? Number(name) : undefined;
}

export class MappedFile {
  readonly path: string;
  /** bytes present in the file (its length) */
  wrotePosition: number;
  /** bytes known to be on stable storage */
  flushedPosition: number;
  private handle: FileHandle | undefined;
  private opening: Promise<FileHandle> | undefined;
  /** a descriptor for the rare synchronous reads, when no handle is open yet */
  private syncFd: number | undefined;
  private refs = 0;
  private destroyed = false;

  constructor(dir: string, readonly fileFromOffset: number, readonly fileSize: number, length: number) {
    this.path = join(dir, segmentFileName(fileFromOffset));
    this.wrotePosition = length;
    this.flushedPosition = length;
  }

  /** Creates an empty segment file (fails if it exists). */
  static async create(dir: string, fileFromOffset: number, fileSize: number): Promise<MappedFile> {
    const file = new MappedFile(dir, fileFromOffset, fileSize, 0);
    file.handle = await open(file.path, 'wx+');
    return file;
  }

  get fileEndOffset(): number {
    return this.fileFromOffset + this.fileSize;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  private async fh(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    this.opening ??= open(this.path, 'r+').then((h) => (this.handle = h));
    return this.opening;
  }

  /** Writes all of `buf` at `position` (relative to the segment start). */
  async write(buf: Buffer, position: number): Promise<void> {
    const fh = await this.fh();
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
      if (bytesWritten <= 0) throw Object.assign(new Error(`short write to ${this.path}`), { code: 'EIO' });
      done += bytesWritten;
    }
    this.wrotePosition = Math.max(this.wrotePosition, position + buf.length);
  }

  /** Writes `buffers` back to back at `position` with as few writev calls as the OS allows. */
  async writev(buffers: Buffer[], position: number): Promise<void> {
    const fh = await this.fh();
    let total = 0;
    for (const b of buffers) total += b.length;
    let done = 0;
    let rest = buffers;
    for (;;) {
      const { bytesWritten } = await fh.writev(rest, position + done);
      done += bytesWritten;
      if (done >= total) break;
      if (bytesWritten <= 0) throw Object.assign(new Error(`short write to ${this.path}`), { code: 'EIO' });
      rest = skipBytes(buffers, done);
    }
    this.wrotePosition = Math.max(this.wrotePosition, position + total);
  }

  /** Reads up to `length` bytes at `position` into `into` (at `intoOffset`); returns bytes read. */
  async readInto(into: Buffer, intoOffset: number, length: number, position: number): Promise<number> {
    const fh = await this.fh();
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(into, intoOffset + done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    const n = await this.readInto(buf, 0, length, position);
    return n === length ? buf : buf.subarray(0, n);
  }

  /** Synchronous positional read, for rare lookups that must answer at once (searchOffset). */
  readSync(position: number, length: number): Buffer {
    const fd = this.handle?.fd ?? (this.syncFd ??= openSync(this.path, 'r'));
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  /** fdatasync; everything written before the call is durable after it. */
  async sync(): Promise<void> {
    if (this.flushedPosition === this.wrotePosition || this.destroyed) return;
    const upTo = this.wrotePosition;
    await (await this.fh()).datasync();
    this.flushedPosition = Math.max(this.flushedPosition, upTo);
  }

  /** Sets the file length durably (shrinks a torn tail, or extends a sealed segment with zeros). */
  async truncate(length: number): Promise<void> {
    const fh = await this.fh();
    await fh.truncate(length);
    await fh.datasync();
    this.wrotePosition = length;
    this.flushedPosition = length;
  }

  async lastModifiedMs(): Promise<number> {
    return (await (await this.fh()).stat()).mtimeMs;
  }

  /** Pins the segment for a read; false when it was deleted. */
  acquire(): boolean {
    if (this.destroyed) return false;
    this.refs++;
    return true;
  }

  release(): void {
    this.refs--;
    if (this.destroyed && this.refs === 0) void this.closeHandle();
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  /** Unlinks the file; the handle closes once no reader holds it. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    if (this.refs === 0) await this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    if (this.syncFd !== undefined) closeSync(this.syncFd);
    this.syncFd = undefined;
    const h = this.handle ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    this.handle = undefined;
    this.opening = undefined;
    await h?.close().catch(() => undefined);
  }
}

/** The tail of `buffers` after its first `n` bytes. */
function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
