/**
 * An ordered run of same-size segments (RocketMQ's MappedFileQueue): the commit log
 * and each consume queue are one. Segment k covers [start_k, start_k + fileSize) and
 * start_{k+1} = start_k + fileSize; segment names are their start offsets
 * (mapped-file.ts). Retention removes segments from the front, recovery truncates
 * from the back.
 */
import { mkdir, readdir, stat, open } from 'node:fs/promises';
import { KernelError, KernelErrorCode } from '../errors.js';
import { MappedFile, parseSegmentFileName } from './mapped-file.js';

export const GapPolicy = {
  /** a missing middle segment is corruption (the commit log: it is the only truth) */
  Throw: 'throw',
  /** drop every segment after a missing one (derived data that can be rebuilt) */
  DropAfter: 'drop-after',
} as const;
export type GapPolicy = (typeof GapPolicy)[keyof typeof GapPolicy];

export class MappedFileQueue {
  private files: MappedFile[] = [];

  constructor(readonly dir: string, readonly fileSize: number) {}

  async load(policy: GapPolicy): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const starts = (await readdir(this.dir))
      .map((name) => parseSegmentFileName(name))
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    const files: MappedFile[] = [];
    for (const start of starts) {
      const prev = files[files.length - 1];
      const file = new MappedFile(this.dir, start, this.fileSize, 0);
      if (start % this.fileSize !== 0 || (prev && prev.fileEndOffset !== start)) {
        if (policy === GapPolicy.Throw) {
          throw new KernelError(KernelErrorCode.StoreCorrupt, `segment ${file.path} does not follow the previous segment (size ${this.fileSize})`);
        }
        for (const s of starts.filter((x) => x >= start)) await new MappedFile(this.dir, s, this.fileSize, 0).destroy();
        break;
      }
      const length = (await stat(file.path)).size;
      if (length > this.fileSize) {
        throw new KernelError(KernelErrorCode.StoreCorrupt, `segment ${file.path} is ${length} bytes, larger than the segment size ${this.fileSize}`);
      }
      file.wrotePosition = length;
      file.flushedPosition = length;
      files.push(file);
    }
    this.files = files;
  }

  get segments(): readonly MappedFile[] {
    return this.files;
  }

  get isEmpty(): boolean {
    return this.files.length === 0;
  }

  first(): MappedFile | undefined {
    return this.files[0];
  }

  last(): MappedFile | undefined {
    return this.files[this.files.length - 1];
  }

  /** Start of the first segment, or `fallback` when there is none. */
  minOffset(fallback = 0): number {
    return this.files[0]?.fileFromOffset ?? fallback;
  }

  /** End of the bytes present in the last segment. */
  writtenEnd(fallback = 0): number {
    const last = this.last();
    return last ? last.fileFromOffset + last.wrotePosition : fallback;
  }

  /** The segment covering `offset`, if present. */
  findByOffset(offset: number): MappedFile | undefined {
    const first = this.files[0];
    if (!first || offset < first.fileFromOffset) return undefined;
    const file = this.files[Math.floor((offset - first.fileFromOffset) / this.fileSize)];
    return file && offset < file.fileEndOffset ? file : undefined;
  }

  /** The segment starting at `start`, created (empty) when it would be the next one. */
  async ensure(start: number): Promise<MappedFile> {
    const found = this.findByOffset(start);
    if (found) return found;
    const last = this.last();
    if (last && last.fileEndOffset !== start) {
      throw new KernelError(KernelErrorCode.StoreCorrupt, `cannot create segment at ${start}: the last segment ends at ${last.fileEndOffset}`);
    }
    const file = await MappedFile.create(this.dir, start, this.fileSize);
    this.files.push(file);
    await syncDir(this.dir);
    return file;
  }

  /** Removes every byte at or after `offset`. */
  async truncateFrom(offset: number): Promise<void> {
    for (let last = this.last(); last && last.fileFromOffset >= offset; last = this.last()) {
      this.files.pop();
      await last.destroy();
    }
    const last = this.last();
    if (last && last.fileFromOffset + last.wrotePosition > offset) {
      await last.truncate(offset - last.fileFromOffset);
    }
  }

  /** Deletes the first segment (retention). */
  async deleteFirst(): Promise<MappedFile | undefined> {
    const first = this.files.shift();
    await first?.destroy();
    return first;
  }

  async syncAll(fromOffset = 0): Promise<void> {
    for (const f of this.files) if (f.fileEndOffset > fromOffset) await f.sync();
  }

  async close(): Promise<void> {
    for (const f of this.files) await f.close();
  }

  async destroyAll(): Promise<void> {
    for (const f of this.files) await f.destroy();
    this.files = [];
  }

  bytesOnDisk(): number {
    return this.files.reduce((n, f) => n + f.wrotePosition, 0);
  }
}

/** Makes a created or removed directory entry durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the entry is then as durable as they make it
  } finally {
    await fh.close();
  }
}
