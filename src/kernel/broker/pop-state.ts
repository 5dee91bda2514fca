/**
 * The pop service's durable state: for each (group, popped topic, stored topic, queue)
 * the next queue offset to pop and the popped, not yet settled entries (queue offset,
 * commit log offset, delivery sequence, invisible-until). The group's committed offset
 * of a queue is its lowest un-settled offset (pop-service.ts).
 *
 * Why a journal and not RocketMQ's checkpoint records in a system topic: replaying
 * checkpoint and ack messages from the commit log needs a revive scan that re-reads the
 * log; a private journal is replayed in one pass at start, and its group commit (one
 * fdatasync per batch of pops and acks) is awaited before receive or ack answer, so
 * the pop state is durable in either flush mode. Layout under `<dataDir>/pop/`:
 *
 *   snapshot.json       {version: 1, journal: n, sequence, queues: [SnapshotQueue ...]},
 *                       written atomically (common/json-file.ts)
 *   journal-<n>.log     records appended since that snapshot, one JSON array a line:
 *     ["q", key, group, popTopic, storeTopic, queueId, next]   a queue first used
 *     ["n", key, next]                                         next offset to pop
 *     ["p", key, queueOffset, commitLogOffset, sequence, invisibleUntil]  popped / invisibility changed
 *     ["a", key, queueOffset]                                  settled (acked, nacked, revived)
 *
 * Every record sets a value, so replaying a record already in the snapshot is harmless.
 * A torn last line (crash mid-append) is cut off on load. Past `compactBytes` the
 * journal is folded into a new snapshot and a new journal is started.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonFile } from '../common/json-file.js';
import { KernelError, KernelErrorCode } from '../errors.js';

export interface PopEntry {
  queueOffset: number;
  commitLogOffset: number;
  sequence: number;
  invisibleUntil: number;
  /** being redelivered (revive or nack in progress): its handle is no longer accepted; not persisted */
  reviving?: boolean;
}

export interface PopQueueState {
  key: string;
  group: string;
  popTopic: string;
  storeTopic: string;
  queueId: number;
  next: number;
  /** by queue offset, in ascending order (offsets are popped in order; settled ones are deleted) */
  inflight: Map<number, PopEntry>;
}

interface SnapshotQueue {
  group: string;
  popTopic: string;
  storeTopic: string;
  queueId: number;
  next: number;
  inflight: Array<[number, number, number, number]>;
}

interface Snapshot {
  version: 1;
  journal: number;
  sequence: number;
  queues: SnapshotQueue[];
}

type JournalRecord =
  | ['q', string, string, string, string, number, number]
  | ['n', string, number]
  | ['p', string, number, number, number, number]
  | ['a', string, number];

export function popQueueKey(group: string, popTopic: string, storeTopic: string, queueId: number): string {
  return `${group}\u0001${popTopic}\u0001${storeTopic}\u0001${queueId}`;
}

export class PopStateStore {
  private readonly queues = new Map<string, PopQueueState>();
  private sequence = 0;
  private journalId = 0;
  private journalBytes = 0;
  private handle: fs.FileHandle | undefined;
  private lines: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private writing: Promise<void> | undefined;

  private constructor(private readonly dir: string, private readonly compactBytes: number) {}

  static async open(dir: string, compactBytes = 8 * 1024 * 1024): Promise<PopStateStore> {
    const state = new PopStateStore(dir, compactBytes);
    await fs.mkdir(dir, { recursive: true });
    const snapshot = await readJsonFile<Snapshot | undefined>(state.snapshotFile, undefined);
    if (snapshot) state.loadSnapshot(snapshot);
    await state.replayJournal();
    await state.removeStaleJournals();
    state.handle = await fs.open(state.journalFile(state.journalId), 'a');
    return state;
  }

  get(key: string): PopQueueState | undefined {
    return this.queues.get(key);
  }

  all(): IterableIterator<PopQueueState> {
    return this.queues.values();
  }

  /** a fresh delivery sequence: increasing, also across restarts */
  nextSequence(): number {
    this.sequence = Math.max(this.sequence + 1, Date.now() * 1_000);
    return this.sequence;
  }

  createQueue(q: Omit<PopQueueState, 'key' | 'inflight'>): PopQueueState {
    const key = popQueueKey(q.group, q.popTopic, q.storeTopic, q.queueId);
    const state: PopQueueState = { ...q, key, inflight: new Map() };
    this.queues.set(key, state);
    this.append(['q', key, q.group, q.popTopic, q.storeTopic, q.queueId, q.next]);
    return state;
  }

  setNext(q: PopQueueState, next: number): void {
    q.next = next;
    this.append(['n', q.key, next]);
  }

  put(q: PopQueueState, e: PopEntry): void {
    q.inflight.set(e.queueOffset, e);
    this.append(['p', q.key, e.queueOffset, e.commitLogOffset, e.sequence, e.invisibleUntil]);
  }

  remove(q: PopQueueState, queueOffset: number): void {
    if (q.inflight.delete(queueOffset)) this.append(['a', q.key, queueOffset]);
  }

  /** resolves once every change made so far is on disk (group commit) */
  sync(): Promise<void> {
    if (this.lines.length === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    await this.sync();
    await this.writing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private append(record: JournalRecord): void {
    if (!this.handle) throw new KernelError(KernelErrorCode.ServiceUnavailable, 'pop state is closed');
    this.lines.push(`${JSON.stringify(record)}\n`);
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.writeLoop().finally(() => {
      this.writing = undefined;
      if (this.waiters.length > 0) this.kick();
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.waiters.length > 0) {
      const text = this.lines.join('');
      const waiters = this.waiters;
      this.lines = [];
      this.waiters = [];
      try {
        if (text.length > 0) {
          await this.handle!.write(text);
          await this.handle!.datasync();
          this.journalBytes += Buffer.byteLength(text);
        }
        if (this.journalBytes > this.compactBytes && this.lines.length === 0) await this.compact();
        for (const w of waiters) w.resolve();
      } catch (err) {
        const failure = new KernelError(KernelErrorCode.StoreWriteFailed, 'could not persist the pop state', { cause: err });
        for (const w of waiters) w.reject(failure);
      }
    }
  }

  /** folds the journal into a new snapshot; runs with no record pending, so both agree */
  private async compact(): Promise<void> {
    const next = this.journalId + 1;
    await writeJsonFile(this.snapshotFile, this.snapshot(next));
    const old = this.handle!;
    this.handle = await fs.open(this.journalFile(next), 'a');
    const oldId = this.journalId;
    this.journalId = next;
    this.journalBytes = 0;
    await old.close();
    await fs.rm(this.journalFile(oldId), { force: true });
  }

  private snapshot(journal: number): Snapshot {
    const queues: SnapshotQueue[] = [];
    for (const q of this.queues.values()) {
      const inflight = [...q.inflight.values()]
        .sort((a, b) => a.queueOffset - b.queueOffset)
        .map((e): [number, number, number, number] => [e.queueOffset, e.commitLogOffset, e.sequence, e.invisibleUntil]);
      queues.push({ group: q.group, popTopic: q.popTopic, storeTopic: q.storeTopic, queueId: q.queueId, next: q.next, inflight });
    }
    return { version: 1, journal, sequence: this.sequence, queues };
  }

  private loadSnapshot(s: Snapshot): void {
    this.journalId = s.journal;
    this.sequence = s.sequence;
    for (const q of s.queues) {
      const key = popQueueKey(q.group, q.popTopic, q.storeTopic, q.queueId);
      const inflight = new Map<number, PopEntry>();
      for (const [queueOffset, commitLogOffset, sequence, invisibleUntil] of q.inflight) inflight.set(queueOffset, { queueOffset, commitLogOffset, sequence, invisibleUntil });
      this.queues.set(key, { key, group: q.group, popTopic: q.popTopic, storeTopic: q.storeTopic, queueId: q.queueId, next: q.next, inflight });
    }
  }

  private async replayJournal(): Promise<void> {
    const file = this.journalFile(this.journalId);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let good = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) break;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        break; // a torn tail: the rest was never acknowledged
      }
      this.apply(record);
      good += Buffer.byteLength(line) + 1;
    }
    if (good < Buffer.byteLength(text)) await fs.truncate(file, good);
    this.journalBytes = good;
  }

  private apply(r: JournalRecord): void {
    if (r[0] === 'q') {
      if (!this.queues.has(r[1])) this.queues.set(r[1], { key: r[1], group: r[2], popTopic: r[3], storeTopic: r[4], queueId: r[5], next: r[6], inflight: new Map() });
      return;
    }
    const q = this.queues.get(r[1]);
    if (!q) return;
    if (r[0] === 'n') q.next = r[2];
    else if (r[0] === 'p') {
      q.inflight.set(r[2], { queueOffset: r[2], commitLogOffset: r[3], sequence: r[4], invisibleUntil: r[5] });
      this.sequence = Math.max(this.sequence, r[4]);
    } else q.inflight.delete(r[2]);
  }

  private async removeStaleJournals(): Promise<void> {
    for (const name of await fs.readdir(this.dir)) {
      const m = /^journal-(\d+)\.log$/.exec(name);
      if (m && Number(m[1]) !== this.journalId) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  private get snapshotFile(): string {
    return path.join(this.dir, 'snapshot.json');
  }

  private journalFile(id: number): string {
    return path.join(this.dir, `journal-${id}.log`);
  }
}
