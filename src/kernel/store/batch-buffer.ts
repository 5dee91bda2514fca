/**
 * The bytes of the group-commit batch being gathered: records are encoded straight into
 * a shared slab (no Buffer per record), so a batch is a few contiguous chunks (one per
 * segment touched, plus the 8-byte BLANK markers), each written with one writev.
 *
 * A slab is never reused: the read cache keeps the written chunks (slices of it) for
 * tail readers, so a slab lives as long as the cache holds a chunk of it. Slabs are
 * filled front to back; the next batch continues in the same slab, so memory is the
 * cached bytes plus at most one partly filled slab.
 */
import type { LogWrite } from './commit-log.js';

const SLAB_SIZE = 1024 * 1024;

export class BatchBuffer {
  /** the slab `reserve` points into */
  slab = Buffer.allocUnsafe(SLAB_SIZE);
  private used = 0;
  /** log offset of slab[chunkFrom]; -1 when no chunk is open */
  private chunkOffset = -1;
  private chunkFrom = 0;
  private writes: LogWrite[] = [];

  /**
   * Index into `slab` where the `size` bytes that go at log offset `offset` are to be
   * encoded. Consecutive reservations at consecutive offsets extend one chunk.
   */
  reserve(offset: number, size: number): number {
    const open = this.chunkOffset >= 0;
    if (!open || offset !== this.chunkOffset + this.used - this.chunkFrom || this.used + size > this.slab.length) {
      if (open) this.seal();
      if (this.used + size > this.slab.length) {
        this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, size));
        this.used = 0;
      }
      this.chunkOffset = offset;
      this.chunkFrom = this.used;
    }
    const at = this.used;
    this.used += size;
    return at;
  }

  /** Adds bytes that are not encoded here (a BLANK, replicated records), after what was reserved. */
  push(write: LogWrite): void {
    if (this.chunkOffset >= 0) this.seal();
    this.writes.push(write);
  }

  /** The batch's writes in offset order; the buffer starts the next batch. */
  take(): LogWrite[] {
    if (this.chunkOffset >= 0) this.seal();
    const out = this.writes;
    this.writes = [];
    return out;
  }

  /** Drops the gathered batch (its offsets are handed out again after a failure). */
  discard(): void {
    this.chunkOffset = -1;
    this.writes = [];
  }

  private seal(): void {
    this.writes.push({ offset: this.chunkOffset, bytes: this.slab.subarray(this.chunkFrom, this.used) });
    this.chunkOffset = -1;
  }
}
