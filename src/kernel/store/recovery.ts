/**
 * Startup recovery (RocketMQ's recoverNormally / recoverAbnormally), run by
 * MessageStore.open before anything is served.
 *
 * 1. Load the commit log segments, the consume queues and the index.
 * 2. Scan the log with checkRecord: after a crash (the `abort` marker exists) from the
 *    segment holding the checkpoint; after a clean shutdown only the last segment.
 *    A CORRUPT record (sound framing, bad CRC) is reported and stepped over; the log
 *    ends at the first TORN one and is cut there, with every segment after it.
 *    Records at or after the checkpoint are replayed to every dispatcher.
 * 3. Consume-queue entries pointing at or beyond the new end are dropped, and each
 *    queue's min offset moves to its first entry at or after the log's start.
 * 4. A queue found behind the log (a queue offset ahead of its max during replay:
 *    files lost or damaged) is rebuilt from the log, from just after its newest entry
 *    (or the start of the log). Offsets that no record holds any more become holes.
 * If there are no consume queues at all but the log has records, everything is
 * replayed from the start of the log.
 */
import type { Checkpoint } from './checkpoint.js';
import type { CommitLog, ScanVisitor } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import { GapMode, dispatchRequestFromRecord, type ConsumeQueueDispatcher, type DispatcherChain } from './dispatcher.js';
import type { IndexService } from './index-service.js';
import type { StoreLogger } from './store-logger.js';

export interface RecoveryReport {
  /** the previous run did not close cleanly */
  crashed: boolean;
  /** where the CRC scan started, and where dispatch replay started */
  scannedFrom: number;
  replayedFrom: number;
  /** the commit log's end after recovery */
  end: number;
  replayedRecords: number;
  /** records skipped because their CRC failed */
  corruptOffsets: number[];
  /** bytes cut off the end of the log, and why */
  truncatedBytes: number;
  tornReason?: string;
  /** consume-queue entries dropped because they pointed past the end */
  droppedQueueEntries: number;
  /** `topic/queueId` of queues rebuilt from the log */
  rebuiltQueues: string[];
}

export interface RecoveryParts {
  log: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  chain: DispatcherChain;
  cqDispatcher: ConsumeQueueDispatcher;
  checkpoint: Checkpoint;
  logger: StoreLogger;
}

export async function recover(p: RecoveryParts): Promise<RecoveryReport> {
  const { log, queues, index, chain, cqDispatcher, logger } = p;
  const crashed = await p.checkpoint.abortMarkerExists();
  const saved = await p.checkpoint.read();
  await log.load();
  const broken = await queues.load();
  await index.load(!crashed);

  const dataEnd = log.writtenOffset;
  const logMin = log.minOffset;
  const segmentStart = (o: number): number => Math.max(logMin, o - (o % log.segmentSize));
  let replayedFrom = Math.min(Math.max(saved?.dispatchedOffset ?? logMin, logMin), dataEnd);
  if (queues.isEmpty && dataEnd > logMin) replayedFrom = logMin;
  const lastStart = log.segments.last()?.fileFromOffset ?? logMin;
  const scannedFrom = Math.min(crashed ? segmentStart(replayedFrom) : lastStart, segmentStart(replayedFrom));

  const report: RecoveryReport = {
    crashed, scannedFrom, replayedFrom, end: dataEnd, replayedRecords: 0, corruptOffsets: [], truncatedBytes: 0,
    droppedQueueEntries: 0, rebuiltQueues: [],
  };
  cqDispatcher.gapMode = GapMode.Report;
  for (const cq of broken) cqDispatcher.lagging.add(cq);
  const scan = await log.scan(scannedFrom, visitor(report, replayedFrom, (buf, pos, size) => {
    const { req, tag } = dispatchRequestFromRecord(buf, pos, size);
    chain.dispatch(req, tag);
    report.replayedRecords++;
  }, logger));
  cqDispatcher.gapMode = GapMode.Fill;

  report.end = scan.end;
  if (scan.end < dataEnd) {
    report.truncatedBytes = dataEnd - scan.end;
    report.tornReason = scan.tornReason;
    logger.warn({ at: scan.end, bytes: report.truncatedBytes, reason: scan.tornReason }, 'commit log ends in a torn record; cutting it off');
  }
  await log.truncate(scan.end);
  await sealFullSegments(log);
  index.truncate(scan.end);
  for (const cq of queues.all()) {
    report.droppedQueueEntries += await cq.truncateByCommitLogOffset(scan.end);
    await cq.retain(log.minOffset); // entries left pointing below the log's start (retention ran while they were unwritten)
  }

  if (cqDispatcher.lagging.size > 0) await rebuildLagging(p, report);
  return report;
}

function visitor(report: RecoveryReport, replayFrom: number, replay: (buf: Buffer, pos: number, size: number) => void, logger: StoreLogger): ScanVisitor {
  return {
    record(buf, pos, offset, size) {
      if (offset >= replayFrom) replay(buf, pos, size);
    },
    corrupt(offset, size, reason) {
      report.corruptOffsets.push(offset);
      logger.warn({ commitLogOffset: offset, size, reason }, 'corrupt commit log record skipped during recovery');
    },
  };
}

/** Segments before the last that end in a BLANK but were not yet extended (crash in between). */
async function sealFullSegments(log: CommitLog): Promise<void> {
  const segs = log.segments.segments;
  for (let k = 0; k < segs.length - 1; k++) {
    const s = segs[k]!;
    if (s.wrotePosition < s.fileSize) await s.truncate(s.fileSize);
  }
}

async function rebuildLagging(p: RecoveryParts, report: RecoveryReport): Promise<void> {
  const { log, chain, cqDispatcher, logger } = p;
  const lagging = new Set(cqDispatcher.lagging);
  cqDispatcher.lagging.clear();
  let from = report.end;
  for (const cq of lagging) from = Math.min(from, (await cq.resumeOffset()) ?? log.minOffset);
  from = Math.max(from, log.minOffset);
  logger.warn({ queues: lagging.size, from }, 'consume queues behind the commit log; rebuilding them from it');
  cqDispatcher.only = lagging;
  try {
    await log.scan(from, {
      record(buf, pos, offset, size) {
        const { req, tag } = dispatchRequestFromRecord(buf, pos, size);
        chain.dispatch(req, tag, 'built-in');
      },
      corrupt: () => undefined,
    });
  } finally {
    cqDispatcher.only = undefined;
  }
  report.rebuiltQueues = [...lagging].map((cq) => `${cq.topic}/${cq.queueId}`);
}
