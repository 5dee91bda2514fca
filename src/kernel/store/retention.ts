/**
 * Retention (RocketMQ's CleanCommitLogService / CleanConsumeQueueService): deletes
 * whole commit log segments, oldest first, that were last written more than
 * `fileReservedMs` ago, or, while the disk is fuller than `diskHighWaterRatio`, the
 * oldest ones regardless of age. The segment being written (the last) is never
 * deleted. Then consume-queue segments and index files that only point below the new
 * log start go too, and each queue's min offset moves up: a reader below it gets
 * OFFSET_TOO_SMALL with the new minimum.
 */
import { statfs } from 'node:fs/promises';
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexService } from './index-service.js';
import type { StoreLogger } from './store-logger.js';

export const DEFAULT_FILE_RESERVED_MS = 72 * 60 * 60 * 1000;
export const DEFAULT_DISK_HIGH_WATER_RATIO = 0.9;
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 10_000;
/** at most this many segments per pass when forced by disk use */
const MAX_FORCED_PER_PASS = 10;

export interface DiskUsage {
  totalBytes: number;
  freeBytes: number;
}

export interface RetentionReport {
  deletedSegments: number;
  commitLogMinOffset: number;
  reason?: 'expired' | 'disk-full';
}

export interface RetentionConfig {
  fileReservedMs: number;
  diskHighWaterRatio: number;
  intervalMs: number;
}

export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionReport> | undefined;
  disk: DiskUsage = { totalBytes: 0, freeBytes: 0 };

  constructor(
    private readonly dataDir: string,
    private readonly log: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly index: IndexService,
    private readonly config: RetentionConfig,
    private readonly logger: StoreLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.runOnce().catch((err: unknown) => this.logger.error({ err }, 'retention pass failed'));
    }, this.config.intervalMs);
    this.timer.unref();
  }

  async refreshDiskUsage(): Promise<DiskUsage> {
    try {
      const s = await statfs(this.dataDir);
      this.disk = { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch (err) {
      this.logger.warn({ err }, 'cannot read disk usage');
    }
    return this.disk;
  }

  /** One pass; concurrent calls share it. */
  runOnce(now = Date.now()): Promise<RetentionReport> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: number): Promise<RetentionReport> {
    const disk = await this.refreshDiskUsage();
    const used = disk.totalBytes > 0 ? 1 - disk.freeBytes / disk.totalBytes : 0;
    let forced = used >= this.config.diskHighWaterRatio;
    let reason: RetentionReport['reason'];
    let deleted = 0;
    for (const segment of this.log.sealedSegments()) {
      const expired = (await segment.lastModifiedMs()) + this.config.fileReservedMs <= now;
      if (!expired && !(forced && deleted < MAX_FORCED_PER_PASS)) break;
      reason ??= expired ? 'expired' : 'disk-full';
      if (this.log.segments.first() !== segment) break;
      await this.log.segments.deleteFirst();
      deleted++;
      if (forced && !expired) {
        const after = await this.refreshDiskUsage();
        forced = after.totalBytes > 0 && 1 - after.freeBytes / after.totalBytes >= this.config.diskHighWaterRatio;
      }
    }
    const logMin = this.log.minOffset;
    if (deleted > 0) {
      this.logger.info({ deleted, commitLogMinOffset: logMin, reason }, 'deleted commit log segments');
      for (const cq of this.queues.all()) await cq.retain(logMin);
      await this.index.retain(logMin);
    }
    return { deletedSegments: deleted, commitLogMinOffset: logMin, reason };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
