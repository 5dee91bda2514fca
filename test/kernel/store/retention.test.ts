import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { msg, openTestStore } from './store-kit.js';

const SEGMENT = 8192;

describe('retention', () => {
  it('deletes old segments but never the active one; readers below the new minimum get OFFSET_TOO_SMALL', async () => {
    const h = await openTestStore({ segmentSize: SEGMENT, consumeQueueEntriesPerFile: 8, fileReservedMs: 60_000, retentionCheckIntervalMs: 3_600_000 });
    try {
      for (let i = 0; i < 100; i++) {
        await h.store.put(msg('ret', `m${i}-${'r'.repeat(400)}`, { keys: [`k${i}`] }), { queueId: 0 });
        await h.store.put(msg('ret2', `n${i}`), { queueId: 0 });
      }
      await h.reopen(); // every consume-queue entry is in its files now
      expect(readdirSync(join(h.dir, 'consumequeue', 'ret', '0'))).toHaveLength(Math.ceil(100 / 8));
      const segments = readdirSync(join(h.dir, 'commitlog')).length;
      expect(segments).toBeGreaterThan(4);
      expect(await h.store.runRetention()).toMatchObject({ deletedSegments: 0, commitLogMinOffset: 0 });

      const report = await h.store.runRetention(Date.now() + 120_000); // as if two minutes had passed
      expect(report).toMatchObject({ deletedSegments: segments - 1, reason: 'expired' });
      expect(readdirSync(join(h.dir, 'commitlog'))).toHaveLength(1);
      const min = h.store.minOffset('ret', 0);
      expect(min).toBeGreaterThan(0);
      expect(h.store.commitLogMinOffset).toBe(report.commitLogMinOffset);

      const below = await h.store.get({ topic: 'ret', queueId: 0, offset: 0, maxMessages: 10 });
      expect(below).toMatchObject({ status: GetStatus.OffsetTooSmall, nextBeginOffset: min, minOffset: min, maxOffset: 100 });
      const from = await h.store.get({ topic: 'ret', queueId: 0, offset: min, maxMessages: 200 });
      expect(from.messages[0]!.queueOffset).toBe(min);
      expect(from.messages.at(-1)!.queueOffset).toBe(99);
      expect(from.messages[0]!.commitLogOffset).toBeGreaterThanOrEqual(report.commitLogMinOffset);
      // consume-queue segments that only pointed below the log's new start are gone
      expect(readdirSync(join(h.dir, 'consumequeue', 'ret', '0')).length).toBeLessThanOrEqual(Math.ceil((100 - min) / 8) + 1);
      expect(await h.store.queryByKey('ret', 'k0', 1)).toEqual([]);
      expect(await h.store.getMessageByCommitLogOffset(0)).toBeUndefined();

      await h.reopen();
      expect(h.store.minOffset('ret', 0)).toBe(min);
      expect(await h.store.get({ topic: 'ret', queueId: 0, offset: 0, maxMessages: 1 })).toMatchObject({ status: GetStatus.OffsetTooSmall, nextBeginOffset: min });
      expect((await h.store.put(msg('ret', 'later'), { queueId: 0 })).queueOffset).toBe(100);
    } finally {
      await h.cleanup();
    }
  });

  it('deletes the oldest segments regardless of age when the disk is over the high-water mark', async () => {
    const h = await openTestStore({ segmentSize: SEGMENT, diskHighWaterRatio: 0.000001 });
    try {
      for (let i = 0; i < 60; i++) await h.store.put(msg('full', `m${i}-${'f'.repeat(500)}`), { queueId: 0 });
      const report = await h.store.runRetention();
      expect(report.reason).toBe('disk-full');
      expect(report.deletedSegments).toBeGreaterThan(0);
      expect(readdirSync(join(h.dir, 'commitlog')).length).toBeGreaterThanOrEqual(1);
      expect(h.store.stats().diskTotalBytes).toBeGreaterThan(0);
    } finally {
      await h.cleanup();
    }
  });
});
