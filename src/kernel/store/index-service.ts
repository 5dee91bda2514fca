/**
 * The message index: `topic#key` and `topic#uniqueId` → commit log offsets, over a run
 * of index files (index-file.ts) in `index/`, named by a 20-digit sequence number.
 * Lookups return candidates; the caller confirms each on the decoded record, since
 * distinct keys can share a hash.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { IndexFile, indexKeyHash } from './index-file.js';
import type { StoreLogger } from './store-logger.js';
import type { DispatchRequest } from './store-api.js';

const FLUSH_THRESHOLD_ENTRIES = 65536;

export function indexKey(topic: string, key: string): string {
  return `${topic}#${key}`;
}

export class IndexService {
  private files: IndexFile[] = [];
  private nextSeq = 0;
  /** records at or below this commit log offset are already indexed (replay skips them) */
  private indexedUpTo = -1;
  private flushing: Promise<void> | undefined;

  constructor(private readonly dir: string, private readonly slotCount: number, private readonly maxEntries: number, private readonly logger: StoreLogger) {}

  async load(cleanShutdown: boolean): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => /^\d{20}$/.test(n)).sort();
    for (let k = 0; k < names.length; k++) {
      const path = join(this.dir, names[k]!);
      const active = k === names.length - 1;
      try {
        this.files.push(await IndexFile.load(path, this.slotCount, this.maxEntries, active, cleanShutdown));
      } catch (err) {
        this.logger.warn({ err, path }, 'dropping an unreadable index file; lookups of its messages will miss');
        await unlink(path).catch(() => undefined);
      }
    }
    this.nextSeq = names.length > 0 ? Number(names[names.length - 1]) + 1 : 0;
    // the newest record is indexed again: its entries may straddle a file roll whose new file
    // never reached the disk (a second entry for the same offset is harmless: lookups dedupe)
    const last = this.files[this.files.length - 1];
    if (last && last.entryCount > 0) this.indexedUpTo = last.endPhyOffset - 1;
  }

  /** The commit log was cut at `logEnd`: records from there on must be indexed again. */
  truncate(logEnd: number): void {
    this.indexedUpTo = Math.min(this.indexedUpTo, logEnd - 1);
  }

  /** The built-in index dispatcher: keys and uniqueId of one record. */
  buildIndex(req: DispatchRequest): void {
    if (req.commitLogOffset <= this.indexedUpTo) return;
    if (req.keys.length === 0 && req.uniqueId === undefined) return;
    if (req.uniqueId !== undefined) this.put(indexKey(req.topic, req.uniqueId), req);
    for (const key of req.keys) if (key !== req.uniqueId) this.put(indexKey(req.topic, key), req);
    this.indexedUpTo = req.commitLogOffset;
  }

  private put(key: string, req: DispatchRequest): void {
    let active = this.files[this.files.length - 1];
    if (!active || active.isFull) {
      active = IndexFile.fresh(join(this.dir, String(this.nextSeq++).padStart(20, '0')), this.slotCount, this.maxEntries);
      this.files.push(active);
    }
    active.put(indexKeyHash(key), req.commitLogOffset, req.storeTimestamp);
    if (active.pendingEntries >= FLUSH_THRESHOLD_ENTRIES) {
      void this.flush().catch((err: unknown) => this.logger.error({ err }, 'index flush failed; will retry'));
    }
  }

  /** Writes new entries (sealing full files) and fdatasyncs. */
  async flush(withActiveSlots = false): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushFiles(withActiveSlots);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async flushFiles(withActiveSlots: boolean): Promise<void> {
    const files = this.files;
    for (let k = 0; k < files.length; k++) {
      const f = files[k]!;
      const active = k === files.length - 1;
      if (!active) {
        if (!f.isSealed) await f.seal();
      } else if (f.pendingEntries > 0 || withActiveSlots) await f.flush(withActiveSlots);
    }
  }

  /** Commit log offsets indexed under `topic#key`, newest first, without duplicates. */
  async query(topic: string, key: string, maxCandidates: number): Promise<number[]> {
    const hash = indexKeyHash(indexKey(topic, key));
    const found: number[] = [];
    for (let k = this.files.length - 1; k >= 0 && found.length < maxCandidates; k--) {
      await this.files[k]!.lookup(hash, maxCandidates, found);
    }
    return [...new Set(found)];
  }

  /** Retention: deletes index files whose every entry points below `logMin`. */
  async retain(logMin: number): Promise<void> {
    while (this.flushing) await this.flushing;
    while (this.files.length > 1 && this.files[0]!.endPhyOffset < logMin && this.files[0]!.isSealed) {
      const f = this.files.shift()!;
      await f.close();
      await unlink(f.path).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.flush(true);
    for (const f of this.files) await f.close();
  }
}
