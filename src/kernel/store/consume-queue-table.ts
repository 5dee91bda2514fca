/**
 * Every consume queue of the store, by topic and queue id, and their directories.
 *
 * Layout: `consumequeue/<topic dir>/<queueId>/` (consume-queue.ts). The topic dir is the
 * topic's UTF-8 bytes with [a-z0-9_-] kept and every other byte written `%XX` (upper-case
 * hex), so any topic is one safe path component, never `.` or `..`, and two topics
 * cannot meet even on a case-insensitive file system. A name that would pass 255 bytes
 * is `~` followed by the lower-case hex of all its bytes (at most 255 for 127 bytes).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsumeQueue, CQ_WRITE_THRESHOLD } from './consume-queue.js';
import type { StoreLogger } from './store-logger.js';

const MAX_NAME = 255;

export function topicDirName(topic: string): string {
  const bytes = Buffer.from(topic, 'utf8');
  let out = '';
  for (const b of bytes) {
    const keep = (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2d;
    out += keep ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length <= MAX_NAME ? out : `~${bytes.toString('hex')}`;
}

export function topicFromDirName(name: string): string | undefined {
  if (name.startsWith('~')) return /^~([0-9a-f]{2})+$/.test(name) ? Buffer.from(name.slice(1), 'hex').toString('utf8') : undefined;
  if (!/^([a-z0-9_-]|%[0-9A-F]{2})+$/.test(name)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '%') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export class ConsumeQueueTable {
  private readonly topicMap = new Map<string, Map<number, ConsumeQueue>>();
  private readonly dirty = new Set<ConsumeQueue>();
  private readonly unsynced = new Set<ConsumeQueue>();

  constructor(readonly rootDir: string, readonly entriesPerFile: number, private readonly logger: StoreLogger) {}

  /** Loads every queue; returns those whose files were unusable (emptied, to be rebuilt from the log). */
  async load(): Promise<ConsumeQueue[]> {
    const broken: ConsumeQueue[] = [];
    const names = await readdir(this.rootDir).catch(() => [] as string[]);
    for (const name of names) {
      const topic = topicFromDirName(name);
      if (topic === undefined || topicDirName(topic) !== name) {
        this.logger.warn({ dir: join(this.rootDir, name) }, 'ignoring a consume-queue directory whose name is not an encoded topic');
        continue;
      }
      for (const qName of await readdir(join(this.rootDir, name)).catch(() => [] as string[])) {
        if (!/^(0|[1-9]\d{0,9})$/.test(qName)) continue;
        const cq = this.create(topic, Number(qName));
        try {
          await cq.load();
        } catch (err) {
          this.logger.warn({ err, topic, queueId: cq.queueId }, 'consume queue files unusable; rebuilding the queue from the commit log');
          await rm(join(this.rootDir, name, qName), { recursive: true, force: true });
          broken.push(this.create(topic, cq.queueId));
        }
      }
    }
    return broken;
  }

  private create(topic: string, queueId: number): ConsumeQueue {
    let queues = this.topicMap.get(topic);
    if (!queues) this.topicMap.set(topic, (queues = new Map()));
    const cq = new ConsumeQueue(topic, queueId, join(this.rootDir, topicDirName(topic), String(queueId)), this.entriesPerFile);
    queues.set(queueId, cq);
    return cq;
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.topicMap.get(topic)?.get(queueId);
  }

  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    return this.find(topic, queueId) ?? this.create(topic, queueId);
  }

  get isEmpty(): boolean {
    return this.topicMap.size === 0;
  }

  topics(): string[] {
    return [...this.topicMap.keys()];
  }

  queueIds(topic: string): number[] {
    return [...(this.topicMap.get(topic)?.keys() ?? [])].sort((a, b) => a - b);
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const queues of this.topicMap.values()) yield* queues.values();
  }

  /** Notes that `cq` has unwritten entries; writes them now when the tail is long. */
  touched(cq: ConsumeQueue): void {
    this.dirty.add(cq);
    if (cq.pendingEntries >= CQ_WRITE_THRESHOLD) void this.writeOne(cq);
  }

  private async writeOne(cq: ConsumeQueue): Promise<void> {
    try {
      await cq.write();
      this.unsynced.add(cq);
    } catch (err) {
      this.logger.error({ err, topic: cq.topic, queueId: cq.queueId }, 'consume queue write failed; will retry');
    }
  }

  /** Writes every tail, then fdatasyncs every queue written since the last flush. */
  async flush(): Promise<void> {
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const cq of dirty) {
      await cq.write().catch((err: unknown) => {
        this.dirty.add(cq);
        throw err;
      });
      this.unsynced.add(cq);
    }
    const unsynced = [...this.unsynced];
    this.unsynced.clear();
    for (const cq of unsynced) await cq.sync();
  }

  async deleteTopic(topic: string): Promise<boolean> {
    const queues = this.topicMap.get(topic);
    if (!queues) return false;
    this.topicMap.delete(topic);
    for (const cq of queues.values()) {
      this.dirty.delete(cq);
      this.unsynced.delete(cq);
      await cq.destroy();
    }
    await rm(join(this.rootDir, topicDirName(topic)), { recursive: true, force: true });
    return true;
  }

  async close(): Promise<void> {
    for (const cq of this.all()) await cq.close();
  }
}
