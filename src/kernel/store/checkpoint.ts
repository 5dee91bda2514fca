/**
 * Where recovery starts, and whether the last run ended cleanly.
 *
 * Layout of `checkpoint` (32 bytes, big-endian), replaced atomically (write a temp
 * file, fdatasync, rename):
 *   0  4  magic 0x52474350 ('RGCP')
 *   4  4  version (1)
 *   8  8  dispatchedOffset: consume queues and index hold every record below this
 *         commit log offset and were fdatasync'ed before this file was written
 *  16  8  commitLogFlushedOffset: the commit log was on disk up to here
 *  24  4  crc32 of bytes 0..23
 *  28  4  reserved (0)
 *
 * `abort` is an empty marker file present while the store is open; it survives a crash
 * and is removed by a clean close (RocketMQ's abort file).
 */
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { readInt64BE, writeInt64BE } from '../common/int64.js';
import { syncDir } from './mapped-file-queue.js';

export const CHECKPOINT_FILE = 'checkpoint';
export const ABORT_FILE = 'abort';
const MAGIC = 0x52474350;
const VERSION = 1;
const SIZE = 32;

export interface CheckpointData {
  dispatchedOffset: number;
  commitLogFlushedOffset: number;
}

export class Checkpoint {
  constructor(private readonly dir: string) {}

  async read(): Promise<CheckpointData | undefined> {
    let fh;
    try {
      fh = await open(join(this.dir, CHECKPOINT_FILE), 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.alloc(SIZE);
      const { bytesRead } = await fh.read(buf, 0, SIZE, 0);
      if (bytesRead !== SIZE || buf.readUInt32BE(0) !== MAGIC || buf.readInt32BE(4) !== VERSION) return undefined;
      if ((crc32(buf.subarray(0, 24)) >>> 0) !== buf.readUInt32BE(24)) return undefined;
      return { dispatchedOffset: readInt64BE(buf, 8), commitLogFlushedOffset: readInt64BE(buf, 16) };
    } finally {
      await fh.close();
    }
  }

  private writing: Promise<void> = Promise.resolve();

  /** writes are serialised: the periodic flush and close may both checkpoint at once */
  write(data: CheckpointData): Promise<void> {
    const next = this.writing.catch(() => undefined).then(() => this.writeNow(data));
    this.writing = next;
    return next;
  }

  private async writeNow(data: CheckpointData): Promise<void> {
    const buf = Buffer.alloc(SIZE);
    buf.writeUInt32BE(MAGIC, 0);
    buf.writeInt32BE(VERSION, 4);
    writeInt64BE(buf, data.dispatchedOffset, 8);
    writeInt64BE(buf, data.commitLogFlushedOffset, 16);
    buf.writeUInt32BE(crc32(buf.subarray(0, 24)) >>> 0, 24);
    const tmp = join(this.dir, `${CHECKPOINT_FILE}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.write(buf, 0, SIZE, 0);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, CHECKPOINT_FILE));
  }

  async abortMarkerExists(): Promise<boolean> {
    return stat(join(this.dir, ABORT_FILE)).then(
      () => true,
      () => false,
    );
  }

  async createAbortMarker(): Promise<void> {
    await writeFile(join(this.dir, ABORT_FILE), '');
    await syncDir(this.dir);
  }

  async removeAbortMarker(): Promise<void> {
    await rm(join(this.dir, ABORT_FILE), { force: true });
    await syncDir(this.dir);
  }
}
