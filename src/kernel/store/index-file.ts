/**
 * One index file: a hash table on disk from a key's hash to commit log offsets
 * (RocketMQ's IndexFile). Keys are `topic#key` for each message key and its uniqueId.
 *
 * Layout (big-endian), file size 40 + slotCount * 4 + maxEntries * 20, created sparse:
 *   header   40 bytes: beginTimestamp 8 | endTimestamp 8 | beginPhyOffset 8 |
 *                      endPhyOffset 8 | hashSlotCount 4 (slots in use) | indexCount 4
 *   slots    slotCount * 4: index number of the newest entry whose keyHash % slotCount
 *            is this slot, 0 = none
 *   entries  maxEntries * 20: keyHash 4 | phyOffset 8 | timeDiff 4 (seconds since
 *            beginTimestamp) | prevIndex 4 (older entry of the same slot, 0 = none)
 * Entry numbers start at 1 (indexCount starts at 1), as in RocketMQ.
 *
 * The file being filled keeps its slot table in memory and appends entries (header and
 * new entries are written by the flush service). Its slot table goes to disk when it is
 * sealed (full) or closed cleanly; after a crash it is rebuilt from the entries.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { tagHash } from '../message/record-codec.js';
import { readInt64BE, writeInt64BE } from '../common/int64.js';

export const INDEX_HEADER_SIZE = 40;
export const INDEX_SLOT_SIZE = 4;
export const INDEX_ENTRY_SIZE = 20;
export const DEFAULT_INDEX_SLOT_COUNT = 5_000_000;
export const DEFAULT_INDEX_MAX_ENTRIES = 20_000_000;
const REBUILD_CHUNK_ENTRIES = 65536;

/** RocketMQ's indexKeyHashMethod: |String.hashCode()|, MIN_VALUE maps to 0. */
export function indexKeyHash(key: string): number {
  const h = tagHash(key);
  return h === -2147483648 ? 0 : Math.abs(h);
}

export class IndexFile {
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  private usedSlots = 0;
  indexCount = 1;
  /** entries below this number are in the file */
  private writtenCount = 1;
  private pending = Buffer.alloc(0);
  /** the slot table, while this file is being filled */
  private slots: Buffer | undefined;
  private handle: FileHandle | undefined;
  private onDisk = false;

  constructor(readonly path: string, readonly slotCount: number, readonly maxEntries: number) {}

  get fileSize(): number {
    return INDEX_HEADER_SIZE + this.slotCount * INDEX_SLOT_SIZE + this.maxEntries * INDEX_ENTRY_SIZE;
  }

  get isFull(): boolean {
    return this.indexCount >= this.maxEntries;
  }

  /** its slot table is on disk and no longer in memory */
  get isSealed(): boolean {
    return this.slots === undefined;
  }

  get entryCount(): number {
    return this.indexCount - 1;
  }

  private entryPos(i: number): number {
    return INDEX_HEADER_SIZE + this.slotCount * INDEX_SLOT_SIZE + i * INDEX_ENTRY_SIZE;
  }

  /** A new, empty file (created on disk at its first flush). */
  static fresh(path: string, slotCount: number, maxEntries: number): IndexFile {
    const f = new IndexFile(path, slotCount, maxEntries);
    f.slots = Buffer.alloc(slotCount * INDEX_SLOT_SIZE);
    return f;
  }

  /** Opens an existing file; `active` loads (trustSlots) or rebuilds its slot table. */
  static async load(path: string, slotCount: number, maxEntries: number, active: boolean, trustSlots: boolean): Promise<IndexFile> {
    const f = new IndexFile(path, slotCount, maxEntries);
    f.handle = await open(path, 'r+');
    f.onDisk = true;
    const size = (await f.handle.stat()).size;
    if (size !== f.fileSize) {
      await f.handle.close();
      throw new Error(`index file ${path} is ${size} bytes, expected ${f.fileSize} for ${slotCount} slots and ${maxEntries} entries`);
    }
    const h = Buffer.alloc(INDEX_HEADER_SIZE);
    await f.handle.read(h, 0, INDEX_HEADER_SIZE, 0);
    f.beginTimestamp = readInt64BE(h, 0);
    f.endTimestamp = readInt64BE(h, 8);
    f.beginPhyOffset = readInt64BE(h, 16);
    f.endPhyOffset = readInt64BE(h, 24);
    f.usedSlots = h.readInt32BE(32);
    f.indexCount = Math.min(Math.max(1, h.readInt32BE(36)), maxEntries);
    f.writtenCount = f.indexCount;
    if (active) {
      f.slots = Buffer.alloc(slotCount * INDEX_SLOT_SIZE);
      if (trustSlots) await f.handle.read(f.slots, 0, f.slots.length, INDEX_HEADER_SIZE);
      else await f.rebuildSlots();
    }
    return f;
  }

  private async rebuildSlots(): Promise<void> {
    const slots = this.slots!;
    slots.fill(0);
    const chunk = Buffer.allocUnsafe(REBUILD_CHUNK_ENTRIES * INDEX_ENTRY_SIZE);
    for (let i = 1; i < this.indexCount; i += REBUILD_CHUNK_ENTRIES) {
      const n = Math.min(REBUILD_CHUNK_ENTRIES, this.indexCount - i);
      await this.handle!.read(chunk, 0, n * INDEX_ENTRY_SIZE, this.entryPos(i));
      for (let k = 0; k < n; k++) slots.writeInt32BE(i + k, (chunk.readInt32BE(k * INDEX_ENTRY_SIZE) % this.slotCount) * INDEX_SLOT_SIZE);
    }
    this.usedSlots = 0;
    for (let s = 0; s < this.slotCount; s++) if (slots.readInt32BE(s * INDEX_SLOT_SIZE) !== 0) this.usedSlots++;
  }

  /** Adds an entry; false when the file is full. */
  put(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    if (this.isFull || !this.slots) return false;
    if (this.indexCount === 1) {
      this.beginTimestamp = storeTimestamp;
      this.beginPhyOffset = phyOffset;
    }
    const slotPos = (keyHash % this.slotCount) * INDEX_SLOT_SIZE;
    const prev = this.slots.readInt32BE(slotPos);
    if (prev === 0) this.usedSlots++;
    const at = (this.indexCount - this.writtenCount) * INDEX_ENTRY_SIZE;
    if (at + INDEX_ENTRY_SIZE > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(1024 * INDEX_ENTRY_SIZE, this.pending.length * 2));
      this.pending.copy(grown, 0, 0, at);
      this.pending = grown;
    }
    const timeDiff = Math.max(0, Math.min(0x7fffffff, Math.floor((storeTimestamp - this.beginTimestamp) / 1000)));
    this.pending.writeInt32BE(keyHash, at);
    writeInt64BE(this.pending, phyOffset, at + 4);
    this.pending.writeInt32BE(timeDiff, at + 12);
    this.pending.writeInt32BE(prev, at + 16);
    this.slots.writeInt32BE(this.indexCount, slotPos);
    this.indexCount++;
    this.endTimestamp = storeTimestamp;
    this.endPhyOffset = phyOffset;
    return true;
  }

  get pendingEntries(): number {
    return this.indexCount - this.writtenCount;
  }

  private async fh(): Promise<FileHandle> {
    if (!this.handle && this.onDisk) this.handle = await open(this.path, 'r+');
    if (!this.handle) {
      this.handle = await open(this.path, 'wx+');
      await this.handle.truncate(this.fileSize);
      this.onDisk = true;
    }
    return this.handle;
  }

  /** Writes new entries and the header; with `withSlots` also the slot table; then fdatasync. */
  async flush(withSlots: boolean): Promise<void> {
    const fh = await this.fh();
    // The header is taken together with `upTo`, before any await: entries put while this
    // flush writes are not in it, so its endPhyOffset must not name them either (recovery
    // trusts endPhyOffset and skips replaying everything up to it).
    const upTo = this.indexCount;
    const header = this.header(upTo);
    const n = upTo - this.writtenCount;
    if (n > 0) await fh.write(this.pending, 0, n * INDEX_ENTRY_SIZE, this.entryPos(this.writtenCount));
    if (withSlots && this.slots) await fh.write(this.slots, 0, this.slots.length, INDEX_HEADER_SIZE);
    await fh.write(header, 0, INDEX_HEADER_SIZE, 0);
    await fh.datasync();
    this.pending.copy(this.pending, 0, n * INDEX_ENTRY_SIZE, (this.indexCount - this.writtenCount) * INDEX_ENTRY_SIZE);
    this.writtenCount = upTo;
  }

  private header(indexCount: number): Buffer {
    const h = Buffer.alloc(INDEX_HEADER_SIZE);
    writeInt64BE(h, this.beginTimestamp, 0);
    writeInt64BE(h, this.endTimestamp, 8);
    writeInt64BE(h, this.beginPhyOffset, 16);
    writeInt64BE(h, this.endPhyOffset, 24);
    h.writeInt32BE(this.usedSlots, 32);
    h.writeInt32BE(indexCount, 36);
    return h;
  }

  /** Writes everything including the slot table, then frees the in-memory table. */
  async seal(): Promise<void> {
    await this.flush(true);
    this.slots = undefined;
    this.pending = Buffer.alloc(0);
  }

  /** Commit log offsets of entries whose hash is `keyHash`, newest first, at most `max`. */
  async lookup(keyHash: number, max: number, out: number[]): Promise<void> {
    const slotPos = (keyHash % this.slotCount) * INDEX_SLOT_SIZE;
    let i = this.slots ? this.slots.readInt32BE(slotPos) : await this.readInt32(INDEX_HEADER_SIZE + slotPos);
    let hops = 0;
    while (i > 0 && i < this.indexCount && out.length < max && hops++ < this.maxEntries) {
      const e = await this.readEntry(i);
      if (!e) break;
      if (e.readInt32BE(0) === keyHash) out.push(readInt64BE(e, 4));
      const prev = e.readInt32BE(16);
      if (prev >= i) break;
      i = prev;
    }
  }

  private async readEntry(i: number): Promise<Buffer | undefined> {
    if (i >= this.writtenCount) {
      const at = (i - this.writtenCount) * INDEX_ENTRY_SIZE;
      return Buffer.from(this.pending.subarray(at, at + INDEX_ENTRY_SIZE));
    }
    const buf = Buffer.alloc(INDEX_ENTRY_SIZE);
    const { bytesRead } = await (await this.fh()).read(buf, 0, INDEX_ENTRY_SIZE, this.entryPos(i));
    return bytesRead === INDEX_ENTRY_SIZE ? buf : undefined;
  }

  private async readInt32(pos: number): Promise<number> {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await (await this.fh()).read(buf, 0, 4, pos);
    return bytesRead === 4 ? buf.readInt32BE(0) : 0;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
