/**
 * The epoch file of a broker in controller mode (RocketMQ 5's EpochFileCache): which
 * master epoch wrote which stretch of the commit log, as `<epoch, startOffset>` entries
 * in ascending order. An epoch's stretch ends where the next entry starts (the last one:
 * at the log's end). A new master appends `<its epoch, its log end>` before it takes a
 * write; a slave adopts its master's entries as its log reaches them.
 *
 * `truncationPoint` compares two replicas' entries: the stretch they share ends at the
 * last epoch both know, at the nearer of its two ends. Whatever a returning replica holds
 * past that point was written by a master that lost its role: it is cut away.
 *
 * Kept as JSON in `<dataDir>/epoch.json`, replaced atomically (write + rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class EpochFile {
  private entries: EpochEntry[];

  private constructor(private readonly file: string, entries: EpochEntry[]) {
    this.entries = entries;
  }

  static open(dataDir: string): EpochFile {
    const file = path.join(dataDir, 'epoch.json');
    let entries: EpochEntry[] = [];
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: EpochEntry[] };
      entries = (parsed.entries ?? []).filter((e) => Number.isInteger(e.epoch) && Number.isInteger(e.startOffset));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`epoch file ${file} is unreadable: ${(err as Error).message}`);
    }
    return new EpochFile(file, entries);
  }

  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  get lastEpoch(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? 0;
  }

  /** a new master's epoch, starting at its log end; refuses to go back */
  append(epoch: number, startOffset: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last && (epoch < last.epoch || startOffset < last.startOffset)) {
      throw new Error(`epoch <${epoch}, ${startOffset}> would go back behind <${last.epoch}, ${last.startOffset}>`);
    }
    if (last && last.epoch === epoch) return;
    if (last && last.startOffset === startOffset) this.entries[this.entries.length - 1] = { epoch, startOffset };
    else this.entries.push({ epoch, startOffset });
    this.save();
  }

  /** a slave: adopts the master's entries that start at or before its log end */
  adopt(master: EpochEntry[], logEnd: number): void {
    const next = master.filter((e) => e.startOffset <= logEnd).map((e) => ({ ...e }));
    if (next.length === 0 || JSON.stringify(next) === JSON.stringify(this.entries)) return;
    if (next.length < this.entries.length && next[next.length - 1]!.epoch < this.lastEpoch) return; // never forget newer epochs here
    this.entries = next;
    this.save();
  }

  /** drops what starts at or after `offset` (the log was truncated there) */
  truncateFrom(offset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < offset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.save();
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ entries: this.entries }));
    renameSync(tmp, this.file);
  }
}

/**
 * Where a replica with `local` entries and log end `localEnd` must cut its log to follow
 * a master with `remote` entries (the master's last epoch is still open). Returns
 * `localEnd` when nothing diverges. Without a common epoch the replica keeps only what
 * precedes the master's first epoch (history from before controller mode).
 */
export function truncationPoint(local: EpochEntry[], localEnd: number, remote: EpochEntry[]): number {
  if (remote.length === 0) return localEnd;
  const remoteEpochs = new Map(remote.map((e, i) => [e.epoch, i]));
  for (let i = local.length - 1; i >= 0; i--) {
    const j = remoteEpochs.get(local[i]!.epoch);
    if (j === undefined) continue;
    const localStretchEnd = local[i + 1]?.startOffset ?? localEnd;
    const remoteStretchEnd = remote[j + 1]?.startOffset ?? Number.POSITIVE_INFINITY;
    return Math.min(localEnd, localStretchEnd, remoteStretchEnd);
  }
  return Math.min(localEnd, remote[0]!.startOffset);
}
