import { MessageStore } from '../../../src/kernel/store/message-store.js';
import { EpochFile, truncationPoint } from '../../../src/cluster/replication/epoch-file.js';
import { truncateCommitLog } from '../../../src/cluster/replication/log-truncation.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { msg } from '../../kernel/store/store-kit.js';

describe('truncationPoint', () => {
  test('an old master cuts its log where the new master\'s epoch starts', () => {
    expect(truncationPoint([{ epoch: 1, startOffset: 0 }], 900, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 700 }])).toBe(700);
  });
  test('nothing diverges: a slave of the same epoch, or one behind the new epoch start', () => {
    expect(truncationPoint([{ epoch: 1, startOffset: 0 }], 500, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 700 }])).toBe(500);
    expect(truncationPoint([{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 700 }], 900, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 700 }])).toBe(900);
  });
  test('the last common epoch decides, over several changes of master', () => {
    const master = [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 400 }, { epoch: 5, startOffset: 800 }];
    // this replica was master at epoch 4 (never seen by the master) from 600 on
    expect(truncationPoint([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 400 }, { epoch: 4, startOffset: 600 }], 1_000, master)).toBe(600);
    // empty history: nothing to cut
    expect(truncationPoint([], 0, master)).toBe(0);
    // no common epoch: only what precedes the master's first epoch is kept
    expect(truncationPoint([{ epoch: 2, startOffset: 100 }], 300, [{ epoch: 3, startOffset: 50 }])).toBe(50);
  });
});

describe('EpochFile', () => {
  test('appends, adopts, truncates and survives a reopen; never goes back', () => {
    const temp = makeTempDir();
    try {
      const f = EpochFile.open(temp.dir);
      expect(f.lastEpoch).toBe(0);
      f.append(1, 0);
      f.append(3, 500);
      expect(() => f.append(2, 600)).toThrow(/go back/);
      expect(EpochFile.open(temp.dir).list()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 500 }]);
      f.truncateFrom(500);
      expect(f.list()).toEqual([{ epoch: 1, startOffset: 0 }]);
      f.adopt([{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 700 }, { epoch: 5, startOffset: 900 }], 800);
      expect(EpochFile.open(temp.dir).list()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 700 }]);
    } finally {
      temp.cleanup();
    }
  });
});

describe('truncateCommitLog', () => {
  test('a store reopened after the cut ends there, its queues too, and takes writes at the cut', async () => {
    const temp = makeTempDir();
    try {
      let store = await MessageStore.open({ dataDir: temp.dir, segmentSize: 8 * 1024 });
      const puts = [];
      for (let i = 0; i < 60; i++) puts.push(await store.put(msg('t', `m-${i}-${'x'.repeat(200)}`), { queueId: i % 2 }));
      const cutAt = puts[41]!.commitLogOffset;
      await store.close();
      const report = await truncateCommitLog(temp.dir, cutAt);
      expect(report.removedSegments).toBeGreaterThan(0);
      store = await MessageStore.open({ dataDir: temp.dir, segmentSize: 8 * 1024 });
      expect(store.commitLogMaxOffset).toBe(cutAt);
      expect(store.maxOffset('t', 0) + store.maxOffset('t', 1)).toBe(41);
      const next = await store.put(msg('t', 'after the cut'), { queueId: 1 });
      expect(next.commitLogOffset).toBe(cutAt);
      expect(next.queueOffset).toBe(puts[41]!.queueOffset);
      await store.close();
    } finally {
      temp.cleanup();
    }
  });
});
