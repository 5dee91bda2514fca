/**
 * Group commit and flushing.
 *
 * GroupCommit: appends issued during one turn of the event loop (and those arriving
 * while a batch is being written) are written together: one write per segment touched
 * (commit-log.ts). Records are encoded into the batch's buffer as they are placed
 * (batch-buffer.ts), so the next batch is encoded while the previous one is written.
 * In `sync` mode the batch is fdatasync'ed once before anyone in it is answered; in
 * `async` mode it is answered once written (in the page cache). After the
 * write the batch is dispatched (consume queues, index, ...), then its waiters resolve,
 * so a resolved put is readable. A failed batch is cut back off the log and every
 * waiter queued behind it is rejected too (their offsets followed the failed ones).
 *
 * FlushService: every `intervalMs`, fdatasync the commit log (async mode), then write
 * and fdatasync consume queues and index, then the checkpoint (checkpoint.ts).
 */
import type { Checkpoint } from './checkpoint.js';
import { BatchBuffer } from './batch-buffer.js';
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexService } from './index-service.js';
import type { StoreLogger } from './store-logger.js';
import { FlushMode } from './store-api.js';

/** Someone waiting for the batch that holds their records. */
export interface Waiter {
  /** called after the batch is written (and synced), in offset order: dispatch, then answer */
  done(): void;
  fail(err: unknown): void;
  /** sync mode: called once the batch is written, before its fdatasync (a put that does not wait for the disk) */
  written?(): void;
}

export class GroupCommit {
  /** where the records of the batch being gathered are encoded (batch-buffer.ts) */
  readonly buffer = new BatchBuffer();
  private waiters: Waiter[] = [];
  private scheduled = false;
  private running = false;
  private idleWaiters: Array<() => void> = [];
  /** every record below this offset has been dispatched */
  dispatchedOffset = 0;
  batches = 0;
  syncs = 0;

  constructor(
    private readonly log: CommitLog,
    private readonly mode: FlushMode,
    private readonly onFailed: (err: unknown) => void,
    private readonly logger: StoreLogger,
  ) {}

  /** Joins the batch being gathered; its bytes must already be in `buffer`. */
  submit(waiter: Waiter): void {
    this.waiters.push(waiter);
    if (!this.scheduled && !this.running) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    setImmediate(this.runDrain);
  }

  private readonly runDrain = (): void => {
    this.scheduled = false;
    void this.drain();
  };

  private async drain(): Promise<void> {
    this.running = true;
    const waiters = this.waiters;
    this.waiters = [];
    const writes = this.buffer.take();
    const start = this.log.writtenOffset;
    try {
      await this.log.write(writes);
      if (this.mode === FlushMode.Sync) {
        for (let i = 0; i < waiters.length; i++) waiters[i]!.written?.();
        await this.log.flush();
        this.syncs++;
      }
      this.batches++;
    } catch (err) {
      await this.failAll(waiters, start, err);
      return;
    }
    const end = this.log.writtenOffset;
    for (let i = 0; i < waiters.length; i++) {
      try {
        waiters[i]!.done();
      } catch (err) {
        this.logger.error({ err }, 'dispatch after a batch write failed');
      }
    }
    this.dispatchedOffset = end;
    this.finish();
  }

  /** The batch failed: cut it off the log and reject it and everything gathered behind it. */
  private async failAll(batch: Waiter[], start: number, err: unknown): Promise<void> {
    const behind = this.waiters;
    this.waiters = [];
    this.buffer.discard();
    // hand the offsets out again at once: puts arriving while the log is cut back queue
    // behind it (running stays true) and are written from `start`
    this.log.assignOffset = start;
    this.onFailed(err);
    if (this.log.writtenOffset !== start) await this.log.cutBack(start).catch(() => undefined);
    for (const w of batch) w.fail(err);
    for (const w of behind) w.fail(err);
    this.finish();
  }

  private finish(): void {
    this.running = false;
    if (this.waiters.length > 0) this.schedule();
    else for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once nothing is queued or being written. */
  async idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.waiters.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return this.idle();
  }
}

export interface FlushParts {
  log: CommitLog;
  groupCommit: GroupCommit;
  queues: ConsumeQueueTable;
  index: IndexService;
  checkpoint: Checkpoint;
  logger: StoreLogger;
}

export class FlushService {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private checkpointed = -1;
  /** flushes run one after another (a tick, deleteTopic and close may ask at once) */
  private serial: Promise<void> = Promise.resolve();

  constructor(private readonly parts: FlushParts, private readonly mode: FlushMode, private readonly intervalMs: number) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = this.flushAll(false).catch((err: unknown) => this.parts.logger.error({ err }, 'periodic flush failed'));
    await this.ticking;
    this.ticking = undefined;
  }

  /** Commit log, then consume queues and index, then the checkpoint that vouches for them. */
  flushAll(closing: boolean): Promise<void> {
    const run = this.serial.then(() => this.flushOnce(closing));
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(closing: boolean): Promise<void> {
    const { log, groupCommit, queues, index, checkpoint } = this.parts;
    if (this.mode === FlushMode.Async || closing) await log.flush();
    const dispatched = groupCommit.dispatchedOffset;
    if (dispatched === this.checkpointed && !closing) return;
    await queues.flush();
    await index.flush(closing);
    await checkpoint.write({ dispatchedOffset: dispatched, commitLogFlushedOffset: log.flushedOffset });
    this.checkpointed = dispatched;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.ticking) await this.ticking;
  }
}
