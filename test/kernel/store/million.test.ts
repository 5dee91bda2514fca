/**
 * A backlog of one million 1 KiB messages in one queue stays on disk: writing it
 * (async mode, 64 concurrent appenders) and reading it all back in order in bounded
 * batches grows the live JS heap by less than 256 MiB throughout. The growth is measured
 * from the heap at the test's start, since a jest worker reused from earlier suites
 * starts with their leftovers (jest's ESM module registry is not released between files).
 */
import { makeTempDir } from '../../helpers/temp-dir.js';
import { MessageStore } from '../../../src/kernel/store/message-store.js';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { FlushMode } from '../../../src/kernel/store/store-api.js';

const COUNT = 1_000_000;
const APPENDERS = 64;
const HEAP_LIMIT = 256 * 1024 * 1024;

describe('one million messages in one queue', () => {
  it('writes and reads back 1M x 1 KiB with a bounded heap', async () => {
    const temp = makeTempDir('rocketgate-million-');
    // live heap, measured after a full GC (the test script runs node with --expose-gc):
    // garbage not yet collected says nothing about what the store holds, and on a busy
    // machine V8 lets it pile up far past 256 MiB before collecting
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = (): void => {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    };
    const body = Buffer.alloc(1024, 0x61);
    try {
      let store = await MessageStore.open({ dataDir: temp.dir, flushMode: FlushMode.Async, segmentSize: 256 * 1024 * 1024 });
      let next = 0;
      const appender = async (): Promise<void> => {
        while (next < COUNT) {
          const i = next++;
          body.writeUInt32BE(i, 0);
          const put = await store.put({ topic: 'million', body, tag: 'm' }, { queueId: 0 });
          if (put.queueOffset !== i && i < COUNT) throw new Error(`message ${i} got queue offset ${put.queueOffset}`);
          if ((i & 8191) === 0) sample();
        }
      };
      await Promise.all(Array.from({ length: APPENDERS }, appender));
      sample();
      expect(store.maxOffset('million', 0)).toBe(COUNT);
      const writePeak = peak;

      await store.close(); // read back cold, from a reopened store
      store = await MessageStore.open({ dataDir: temp.dir, flushMode: FlushMode.Async, segmentSize: 256 * 1024 * 1024 });
      let offset = 0;
      let read = 0;
      while (offset < COUNT) {
        const r = await store.get({ topic: 'million', queueId: 0, offset, maxMessages: 256 });
        expect(r.status).toBe(GetStatus.Found);
        for (const m of r.messages) {
          if (m.queueOffset !== read || m.body.readUInt32BE(0) !== read || m.body.length !== 1024) throw new Error(`message ${read} out of order or damaged`);
          read++;
        }
        offset = r.nextBeginOffset;
        if ((read & 8191) < 256) sample();
      }
      expect(read).toBe(COUNT);
      await store.close();
      if (writePeak >= HEAP_LIMIT || peak >= HEAP_LIMIT) console.log(`heap growth peaks: write ${writePeak}, read ${peak} (baseline ${baseline}), gc ${gc ? 'forced' : 'unavailable'}`);
      expect(writePeak).toBeLessThan(HEAP_LIMIT);
      expect(peak).toBeLessThan(HEAP_LIMIT);
    } finally {
      temp.cleanup();
    }
  }, 600_000);
});
