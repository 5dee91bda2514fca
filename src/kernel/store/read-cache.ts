/**
 * The recently written tail of the commit log, kept in memory for tail readers
 * (consumers that keep up read what was just written without a syscall).
 *
 * Holds the record buffers the group commit wrote, each the log bytes
 * [start, start + length), oldest first, at most `capacity` bytes in all.
 */
interface Chunk {
  start: number;
  buf: Buffer;
}

const EVICTED: Chunk = { start: -1, buf: Buffer.alloc(0) };

export class ReadCache {
  private chunks: Chunk[] = [];
  private head = 0;
  private bytes = 0;
  hits = 0;

  constructor(private readonly capacity: number) {}

  add(start: number, buf: Buffer): void {
    if (this.capacity <= 0 || buf.length > this.capacity) return;
    this.chunks.push({ start, buf });
    this.bytes += buf.length;
    while (this.bytes > this.capacity) {
      const old = this.chunks[this.head]!;
      this.bytes -= old.buf.length;
      this.chunks[this.head] = EVICTED;
      this.head++;
    }
    if (this.head > 256 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The bytes [start, start + length) if one cached buffer holds all of them. */
  get(start: number, length: number): Buffer | undefined {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    if (hi < lo || start < this.chunks[lo]!.start) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks[mid]!.start <= start) lo = mid;
      else hi = mid - 1;
    }
    const c = this.chunks[lo]!;
    const from = start - c.start;
    if (from + length > c.buf.length) return undefined;
    this.hits++;
    return c.buf.subarray(from, from + length);
  }

  /** Forgets every byte at or after `offset`. */
  truncate(offset: number): void {
    while (this.chunks.length > this.head) {
      const last = this.chunks[this.chunks.length - 1]!;
      if (last.start + last.buf.length <= offset) break;
      this.chunks.pop();
      this.bytes -= last.buf.length;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}
