/**
 * Consumer offsets replicated with the commit log (controller mode): the master appends
 * the offsets consumers commit to it as records of a system topic, so they reach its
 * slaves through the HA stream in log order with everything else, instead of only with
 * the slave's periodic metadata sync (slave-sync.ts). A slave applies them as they are
 * dispatched, and a newly elected master replays them before it serves, so a failover
 * neither loses nor rolls back an offset the master had and replicated.
 *
 * UPDATE_CONSUMER_OFFSET commits are logged as they come (`committed`); offsets that move
 * by other ways (a pull's commit flag, pop acknowledgements, offsets a slave forwards, admin
 * resets) are caught by a sweep that compares the table with what was logged, every
 * `sweepMs`. Commits arriving in the same tick share one record. A record holds the offset table's
 * value after the commit (during an admin reset the kernel keeps the reset value), keyed
 * like the table (`group` or `group%clientId` for broadcasting). Applying moves an offset
 * forward only, except for an entry flagged as a reset: one below what this master logged
 * for the queue before (a reset, or a consumer committing backwards), which replicas take as
 * is, so replaying the log in order gives the master's table (an admin reset also reaches
 * replicas directly: RemoteBrokerApi sends it to every broker of a group).
 */
import type { Broker } from '../../kernel/broker/broker.js';
import { MessageModel, type CommitOffsetRequest } from '../../kernel/client/broker-api.js';
import { splitOffsetKey } from '../broker-server/sync-processor.js';

export const OFFSET_LOG_TOPIC = 'rmq_sys_OFFSET_LOG';
const QUEUE_ID = 0;
/** entries per record, so a sweep over a large table stays well inside the message size */
const MAX_ENTRIES = 1_000;

/** one logged offset: table key (group), topic, queue, offset, and 1 when it went back (applied as is) */
type Entry = [string, string, number, number] | [string, string, number, number, 1];

function tableGroup(broker: Broker, commit: CommitOffsetRequest): string {
  const broadcasting = commit.clientId && broker.groups.get(commit.group)?.messageModel === MessageModel.Broadcasting;
  return broadcasting ? `${commit.group}%${commit.clientId}` : commit.group;
}

/** The master's side: batches the commits of a tick into one record of OFFSET_LOG_TOPIC. */
export class OffsetLogWriter {
  private batch = new Map<string, Entry>();
  /** the offset last logged per `topic@group@queueId` */
  private readonly logged = new Map<string, number>();
  private scheduled = false;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly sweeper: NodeJS.Timeout;

  /** what the table holds at construction counts as logged: it came from this log, or reaches replicas by their sync */
  constructor(private readonly broker: Broker, private readonly o: { sweepMs?: number; onError?: (err: Error) => void } = {}) {
    this.forEachOffset((key, offset) => this.logged.set(key, offset));
    this.sweeper = setInterval(() => this.sweep(), o.sweepMs ?? 1_000);
    this.sweeper.unref();
  }

  /** logs every offset of the table that differs from what was logged for it */
  sweep(): void {
    this.forEachOffset((key, offset, group, topic, queueId) => {
      const before = this.logged.get(key);
      if (before !== offset) this.add(key, before !== undefined && offset < before ? [group, topic, queueId, offset, 1] : [group, topic, queueId, offset]);
    });
  }

  private forEachOffset(each: (key: string, offset: number, group: string, topic: string, queueId: number) => void): void {
    for (const [tableKey, queues] of Object.entries(this.broker.offsets.snapshot())) {
      const parts = splitOffsetKey(tableKey);
      if (!parts) continue;
      for (const [queue, offset] of Object.entries(queues)) {
        if (typeof offset !== 'number') continue;
        const queueId = Number(queue);
        each(`${parts.topic}@${parts.group}@${queueId}`, offset, parts.group, parts.topic, queueId);
      }
    }
  }

  /** a consumer committed `commit` to this master (after the broker took it) */
  committed(commit: CommitOffsetRequest): void {
    const group = tableGroup(this.broker, commit);
    const offset = this.broker.offsets.query(group, commit.topic, commit.queueId);
    if (offset === undefined) return;
    // below what this master logged before (an admin reset, a consumer going back): replicas follow it as is
    const key = `${commit.topic}@${group}@${commit.queueId}`;
    const before = this.logged.get(key);
    if (before === offset) return;
    this.add(key, before !== undefined && offset < before ? [group, commit.topic, commit.queueId, offset, 1] : [group, commit.topic, commit.queueId, offset]);
  }

  /** `key`: the entry's `topic@group@queueId` */
  private add(key: string, entry: Entry): void {
    if (this.closed) return;
    this.batch.set(key, entry);
    this.logged.set(key, entry[3]);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writing = this.writing.then(() => this.flush());
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.closed = true;
    await this.writing;
  }

  private async flush(): Promise<void> {
    if (this.batch.size === 0 || this.closed) return;
    const entries = [...this.batch.values()];
    this.batch = new Map();
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
      const body = Buffer.from(JSON.stringify(entries.slice(i, i + MAX_ENTRIES)));
      try {
        await this.broker.store.put({ topic: OFFSET_LOG_TOPIC, body }, { queueId: QUEUE_ID });
      } catch (err) {
        this.o.onError?.(err as Error);
      }
    }
  }
}

/**
 * Applies the offset records of the log to the broker's offset table in log order, from
 * queue offset `from` (0: the start of what the log keeps; re-applying a commit is
 * harmless, offsets only move forward, but re-applying an old one after a later admin
 * reset would undo the reset, so a process carries `position` from one follower to the next).
 * `start()` follows records as they are dispatched (slave); `drain()` applies what the
 * log holds now (a new master before it serves).
 */
export class OffsetLogFollower {
  private next: number;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopListening: (() => void) | undefined;
  private closed = false;
  /** offsets moved forward so far, for tests and stats */
  applied = 0;

  constructor(private readonly broker: Broker, o: { from?: number; onError?: (err: Error) => void } = {}) {
    this.next = o.from ?? 0;
    this.onError = o.onError;
  }

  private readonly onError: ((err: Error) => void) | undefined;

  /** the queue offset of the first record not applied yet */
  get position(): number {
    return this.next;
  }

  start(): void {
    this.stopListening = this.broker.store.onDispatched((req) => {
      if (req.topic === OFFSET_LOG_TOPIC) void this.drain();
    });
    void this.drain();
  }

  /** applies every record up to the log's end (concurrent calls share a run, and one more follows) */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        await this.readAll();
      } while (this.again && !this.closed);
    })().catch((err: Error) => this.onError?.(err)).finally(() => (this.draining = undefined));
    return this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopListening?.();
    await this.draining;
  }

  private async readAll(): Promise<void> {
    const store = this.broker.store;
    // a log cut back (a returning replica's divergent tail) ends before where this stopped
    this.next = Math.min(this.next, store.maxOffset(OFFSET_LOG_TOPIC, QUEUE_ID));
    while (!this.closed) {
      const r = await store.get({ topic: OFFSET_LOG_TOPIC, queueId: QUEUE_ID, offset: this.next, maxMessages: 256 });
      for (const m of r.messages) this.apply(m.body);
      if (r.nextBeginOffset <= this.next) return;
      this.next = r.nextBeginOffset;
      if (r.messages.length === 0 && this.next >= r.maxOffset) return;
    }
  }

  private apply(body: Buffer): void {
    let entries: unknown;
    try {
      entries = JSON.parse(body.toString('utf8'));
    } catch {
      this.onError?.(new Error('an unreadable offset log record was skipped'));
      return;
    }
    if (!Array.isArray(entries)) return;
    const offsets = this.broker.offsets;
    for (const e of entries as unknown[]) {
      if (!Array.isArray(e) || e.length < 4) continue;
      const [group, topic, queueId, offset, reset] = e as unknown[];
      if (typeof group !== 'string' || typeof topic !== 'string' || !Number.isInteger(queueId) || !Number.isInteger(offset)) continue;
      const own = offsets.query(group, topic, queueId as number);
      if (reset !== 1 && own !== undefined && own >= (offset as number)) continue;
      offsets.commit(group, topic, queueId as number, offset as number);
      this.applied++;
    }
  }
}
