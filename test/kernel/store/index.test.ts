import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodies, msg, openTestStore } from './store-kit.js';

describe('index', () => {
  it('finds messages by key and by uniqueId, also after a clean restart and after a crash', async () => {
    const h = await openTestStore();
    try {
      for (let i = 0; i < 200; i++) {
        await h.store.put(msg('orders', `o${i}`, { keys: [`order-${i % 50}`, `customer-${i % 7}`], uniqueId: `UID-${i}` }), { queueId: i % 4 });
      }
      await h.store.put(msg('other', 'not-me', { keys: ['order-1'] }), { queueId: 0 });
      const check = async (): Promise<void> => {
        expect(bodies(await h.store.queryByKey('orders', 'order-1', 10)).sort()).toEqual(['o1', 'o101', 'o151', 'o51']);
        expect(bodies(await h.store.queryByKey('orders', 'UID-123', 10))).toEqual(['o123']);
        expect(bodies(await h.store.queryByKey('other', 'order-1', 10))).toEqual(['not-me']);
        expect(await h.store.queryByKey('orders', 'missing', 10)).toEqual([]);
        expect(await h.store.queryByKey('orders', 'customer-3', 5)).toHaveLength(5);
        // newest first
        expect(bodies(await h.store.queryByKey('orders', 'order-1', 1))).toEqual(['o151']);
      };
      await check();
      await h.reopen();
      await check();
      writeFileSync(join(h.dir, 'abort'), ''); // next open sees a crash: the slot table is rebuilt from the entries
      await h.store.close();
      writeFileSync(join(h.dir, 'abort'), '');
      h.store = await (await import('../../../src/kernel/store/message-store.js')).MessageStore.open({ dataDir: h.dir, logger: h.logger, indexSlotCount: 4096, indexMaxEntries: 16384 });
      expect(h.store.recoveryReport.crashed).toBe(true);
      await check();
    } finally {
      await h.cleanup();
    }
  });

  it('drops hash collisions by checking topic and key on the record, and rolls to new index files', async () => {
    // 7 slots and 50 entries per file: every lookup walks colliding chains across several files
    const h = await openTestStore({ indexSlotCount: 7, indexMaxEntries: 50 });
    try {
      for (let i = 0; i < 300; i++) await h.store.put(msg(`t${i % 3}`, `b${i}`, { keys: [`k${i % 40}`] }), { queueId: 0 });
      const expected = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 1 && i % 40 === 13).map((i) => `b${i}`);
      expect(bodies(await h.store.queryByKey('t1', 'k13', 100)).sort()).toEqual(expected.sort());
      await h.reopen({ indexSlotCount: 7, indexMaxEntries: 50 });
      expect(readdirSync(join(h.dir, 'index')).length).toBeGreaterThan(5);
      expect(bodies(await h.store.queryByKey('t1', 'k13', 100)).sort()).toEqual(expected.sort());
    } finally {
      await h.cleanup();
    }
  });
});
