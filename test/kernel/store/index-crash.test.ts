/**
 * The index after a crash that interrupted nothing but the process: entries put while an
 * index flush was writing must be found again after recovery replays the log. (Issue 11:
 * the header written by that flush named the newest entry's commit log offset, although
 * its entries were still in memory, so replay skipped them and lookups by key or id missed.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexService } from '../../../src/kernel/store/index-service.js';
import type { DispatchRequest } from '../../../src/kernel/store/store-api.js';
import { RecordingLogger } from './store-kit.js';

const record = (i: number): DispatchRequest => ({
  topic: 't', queueId: 0, queueOffset: i, commitLogOffset: i * 100, size: 100, tagsCode: 0, storeTimestamp: 1_700_000_000_000 + i,
  sysFlag: 0, preparedTransactionOffset: 0, keys: [`key-${i}`], uniqueId: `UID-${i}`, properties: new Map(),
});

test('entries put during an index flush are replayed after a crash, not skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rocketgate-index-crash-'));
  try {
    const before = new IndexService(dir, 64, 10_000, new RecordingLogger());
    await before.load(true);
    for (let i = 0; i < 10; i++) before.buildIndex(record(i));
    let done = false;
    const flushing = before.flush().then(() => (done = true));
    let n = 10;
    while (!done) { // one record per turn of the event loop while the flush writes
      before.buildIndex(record(n++));
      await new Promise((r) => setImmediate(r));
    }
    await flushing;
    for (let i = n; i < n + 5; i++) before.buildIndex(record(i)); // never flushed
    n += 5;
    // crash: what was put after the flush took its entries never reaches the file; recovery replays every record
    const after = new IndexService(dir, 64, 10_000, new RecordingLogger());
    await after.load(false);
    for (let i = 0; i < n; i++) after.buildIndex(record(i));
    for (let i = 0; i < n; i++) {
      expect({ i, byId: await after.query('t', `UID-${i}`, 4), byKey: await after.query('t', `key-${i}`, 4) })
        .toEqual({ i, byId: [i * 100], byKey: [i * 100] });
    }
    await after.close();
    await before.close().catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
