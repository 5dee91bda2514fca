/**
 * Cuts a closed store's commit log at `offset` (a record boundary: an epoch start or a
 * replica's log end), for a returning replica whose tail a lost master wrote
 * (epoch-file.ts truncationPoint). Segments starting at or after it are deleted, the one
 * holding it is shortened. The next MessageStore.open recovers on the shorter log: it
 * drops consume-queue entries pointing at or past the new end (recovery.ts step 3).
 *
 * Must run while no store is open on `dataDir`.
 */
import { readdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { parseSegmentFileName } from '../../kernel/store/mapped-file.js';

export interface TruncationReport {
  offset: number;
  removedSegments: number;
  cutBytes: number;
}

export async function truncateCommitLog(dataDir: string, offset: number): Promise<TruncationReport> {
  const dir = path.join(dataDir, 'commitlog');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { offset, removedSegments: 0, cutBytes: 0 };
    throw err;
  }
  const report: TruncationReport = { offset, removedSegments: 0, cutBytes: 0 };
  for (const name of names) {
    const start = parseSegmentFileName(name);
    if (start === undefined) continue;
    const file = path.join(dir, name);
    const { size } = await stat(file);
    if (start >= offset && !(start === offset && offset === 0 && size === 0)) {
      await rm(file);
      report.removedSegments++;
      report.cutBytes += size;
    } else if (start + size > offset) {
      await truncate(file, offset - start);
      report.cutBytes += start + size - offset;
    }
  }
  return report;
}
