import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkRecord, RecordCheck } from '../../../src/kernel/message/record-codec.js';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { segmentFileName } from '../../../src/kernel/store/mapped-file.js';
import { topicDirName, topicFromDirName } from '../../../src/kernel/store/consume-queue-table.js';
import { bodies, msg, openTestStore } from './store-kit.js';

const SEGMENT = 8192;

describe('commit log segments', () => {
  it('rolls segments; a record never spans two; reads cross segments; restart keeps it all', async () => {
    const h = await openTestStore({ segmentSize: SEGMENT, consumeQueueEntriesPerFile: 16 });
    try {
      const sent: string[] = [];
      const puts = [];
      for (let i = 0; i < 120; i++) {
        const body = `m${i}-${'x'.repeat((i * 37) % 700)}`;
        sent.push(body);
        puts.push(await h.store.put(msg('roll', body, { tag: `t${i % 3}` }), { queueId: i % 2 }));
      }
      for (const p of puts) {
        expect(Math.floor(p.commitLogOffset / SEGMENT)).toBe(Math.floor((p.commitLogOffset + p.storeSize - 1) / SEGMENT));
      }
      const logDir = join(h.dir, 'commitlog');
      const files = readdirSync(logDir).sort();
      expect(files.length).toBeGreaterThan(5);
      expect(files[0]).toBe(segmentFileName(0));
      files.slice(0, -1).forEach((f, k) => {
        expect(f).toBe(segmentFileName(k * SEGMENT));
        expect(statSync(join(logDir, f)).size).toBe(SEGMENT); // sealed segments are full size and end in a BLANK
      });
      const readAll = async (): Promise<string[]> => {
        const out: string[] = [];
        for (const q of [0, 1]) {
          let offset = 0;
          for (;;) {
            const r = await h.store.get({ topic: 'roll', queueId: q, offset, maxMessages: 7 });
            if (r.status !== GetStatus.Found) break;
            out.push(...bodies(r.messages));
            offset = r.nextBeginOffset;
          }
        }
        return out;
      };
      const expected = [...sent.filter((_, i) => i % 2 === 0), ...sent.filter((_, i) => i % 2 === 1)];
      expect(await readAll()).toEqual(expected);
      await h.reopen();
      expect(h.store.recoveryReport).toMatchObject({ crashed: false, truncatedBytes: 0, corruptOffsets: [] });
      // the consume queue rolled too: 60 entries, 16 per file
      expect(readdirSync(join(h.dir, 'consumequeue', 'roll', '0')).sort()).toEqual([0, 320, 640, 960].map(segmentFileName));
      expect(await readAll()).toEqual(expected);
      const next = await h.store.put(msg('roll', 'after'), { queueId: 0 });
      expect(next.queueOffset).toBe(60);
    } finally {
      await h.cleanup();
    }
  });

  it('refuses a message larger than a segment can hold', async () => {
    const h = await openTestStore({ segmentSize: SEGMENT });
    try {
      await expect(h.store.put(msg('big', Buffer.alloc(SEGMENT)), { queueId: 0 })).rejects.toThrow(/a segment holds at most/);
    } finally {
      await h.cleanup();
    }
  });

  it('replicates raw log bytes to another store (readCommitLog → appendRaw), BLANKs included', async () => {
    const master = await openTestStore({ segmentSize: SEGMENT });
    const slave = await openTestStore({ segmentSize: SEGMENT });
    try {
      for (let i = 0; i < 60; i++) await master.store.put(msg('rep', `r${i}-${'y'.repeat(i * 11)}`, { keys: [`k${i}`] }), { queueId: i % 3 });
      const woken: number[] = [];
      slave.store.onDispatched((r) => woken.push(r.queueOffset));
      const partial = (await master.store.readCommitLog(0, 1)).subarray(0, 30);
      let offset = 0;
      while (offset < master.store.commitLogMaxOffset) {
        const chunk = await master.store.readCommitLog(offset, 1500);
        expect(chunk.length).toBeGreaterThan(0);
        const first = checkRecord(chunk, 0, chunk.length);
        expect([RecordCheck.Ok, RecordCheck.Blank]).toContain(first.status);
        // a torn tail (half a record) is held back, not appended
        const end = await slave.store.appendRaw(offset, Buffer.concat([chunk, partial]));
        expect(end).toBe(offset + chunk.length);
        offset = end;
      }
      expect(slave.store.commitLogMaxOffset).toBe(master.store.commitLogMaxOffset);
      expect(woken).toHaveLength(60);
      for (const q of [0, 1, 2]) {
        const a = await master.store.get({ topic: 'rep', queueId: q, offset: 0, maxMessages: 100 });
        const b = await slave.store.get({ topic: 'rep', queueId: q, offset: 0, maxMessages: 100 });
        expect(bodies(b.messages)).toEqual(bodies(a.messages));
        expect(b.messages.map((m) => m.offsetMsgId)).toEqual(a.messages.map((m) => m.offsetMsgId));
      }
      expect(bodies(await slave.store.queryByKey('rep', 'k42', 5))).toEqual([`r42-${'y'.repeat(42 * 11)}`]);
      await expect(slave.store.appendRaw(0, Buffer.alloc(100))).rejects.toThrow(/commit log ends at/);
    } finally {
      await master.cleanup();
      await slave.cleanup();
    }
  });
});

describe('topic directory names', () => {
  it('encodes any valid topic as one safe, reversible path component', () => {
    const topics = ['orders', 'Orders', '%RETRY%group', 'a/b', '..', '.', 'süß ✓', 'x'.repeat(127), '€'.repeat(42), 'CON', 'a\u0000b'];
    const names = topics.map(topicDirName);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(topics.length);
    for (const [i, n] of names.entries()) {
      expect(n.length).toBeLessThanOrEqual(255);
      expect(n).toMatch(/^[a-z0-9_%A-F~-]+$/);
      expect(n === '.' || n === '..').toBe(false);
      expect(topicFromDirName(n)).toBe(topics[i]);
    }
    expect(topicDirName('orders')).toBe('orders');
  });
});
