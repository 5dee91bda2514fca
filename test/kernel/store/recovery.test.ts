import { closeSync, openSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { KernelErrorCode } from '../../../src/kernel/errors.js';
import { MappedFile, segmentFileName } from '../../../src/kernel/store/mapped-file.js';
import type { PutResult } from '../../../src/kernel/store/results.js';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { bodies, msg, openTestStore, type StoreHarness } from './store-kit.js';

const SEGMENT = 16 * 1024;

function segmentPath(dir: string, offset: number): string {
  return join(dir, 'commitlog', segmentFileName(offset - (offset % SEGMENT)));
}

function flipByte(dir: string, offset: number): void {
  const fd = openSync(segmentPath(dir, offset), 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, offset % SEGMENT);
  b[0] = b[0]! ^ 0xff;
  writeSync(fd, b, 0, 1, offset % SEGMENT);
  closeSync(fd);
}

/** What a kill -9 leaves behind: the abort marker; optionally no checkpoint (replay everything). */
function markCrashed(dir: string, dropCheckpoint = false): void {
  writeFileSync(join(dir, 'abort'), '');
  if (dropCheckpoint) rmSync(join(dir, 'checkpoint'), { force: true });
}

async function readQueue(h: StoreHarness, topic: string, queueId: number): Promise<{ bodies: string[]; corrupt: number[] }> {
  const out: string[] = [];
  const corrupt: number[] = [];
  let offset = h.store.minOffset(topic, queueId);
  for (;;) {
    const r = await h.store.get({ topic, queueId, offset, maxMessages: 5 });
    if (r.status !== GetStatus.Found && r.status !== GetStatus.NoMatchedMessage) break;
    out.push(...bodies(r.messages));
    corrupt.push(...(r.corruptOffsets ?? []));
    offset = r.nextBeginOffset;
  }
  return { bodies: out, corrupt };
}

async function fill(h: StoreHarness, n: number, queueId = 0): Promise<PutResult[]> {
  const puts: PutResult[] = [];
  for (let i = 0; i < n; i++) puts.push(await h.store.put(msg('rec', `body-${i}-${'z'.repeat(300)}`, { keys: [`key-${i}`] }), { queueId }));
  return puts;
}

describe('recovery', () => {
  let h: StoreHarness;
  beforeEach(async () => {
    h = await openTestStore({ segmentSize: SEGMENT });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.cleanup();
  });

  it('a record with a flipped byte is reported and skipped on read; its neighbours stay readable', async () => {
    const puts = await fill(h, 80);
    const victim = puts[20]!;
    await h.store.close();
    flipByte(h.dir, victim.commitLogOffset + Math.floor(victim.storeSize / 2));
    await h.reopen();
    const all = await readQueue(h, 'rec', 0);
    expect(all.corrupt).toEqual([victim.commitLogOffset]);
    expect(all.bodies).toHaveLength(79);
    expect(all.bodies[19]).toMatch(/^body-19-/);
    expect(all.bodies[20]).toMatch(/^body-21-/);
    expect(h.store.stats().corruptRecords).toBeGreaterThanOrEqual(1);
    expect(h.logger.find('corrupt').length).toBeGreaterThanOrEqual(1);
    expect(await h.store.getMessageByCommitLogOffset(victim.commitLogOffset)).toBeUndefined();
  });

  it('after a crash, the CRC scan reports the corrupt record, steps over it and keeps every neighbour', async () => {
    const puts = await fill(h, 80);
    const victim = puts[50]!;
    await h.store.close();
    flipByte(h.dir, victim.commitLogOffset + Math.floor(victim.storeSize / 2));
    markCrashed(h.dir, true);
    await h.reopen();
    expect(h.store.recoveryReport).toMatchObject({ crashed: true, corruptOffsets: [victim.commitLogOffset], truncatedBytes: 0, replayedFrom: 0 });
    const all = await readQueue(h, 'rec', 0);
    expect(all.bodies).toHaveLength(79);
    expect(h.store.maxOffset('rec', 0)).toBe(80);
    expect((await h.store.put(msg('rec', 'next'), { queueId: 0 })).queueOffset).toBe(80);
  });

  it('rebuilds lost consume queues from the log; a corrupt record becomes a hole, later offsets keep their place', async () => {
    const puts = await fill(h, 60);
    await fill(h, 10, 1);
    const victim = puts[30]!;
    await h.store.close();
    flipByte(h.dir, victim.commitLogOffset + Math.floor(victim.storeSize / 2));
    rmSync(join(h.dir, 'consumequeue'), { recursive: true });
    markCrashed(h.dir);
    await h.reopen();
    expect(h.store.recoveryReport.corruptOffsets).toEqual([victim.commitLogOffset]);
    expect(h.store.maxOffset('rec', 0)).toBe(60);
    expect(h.store.maxOffset('rec', 1)).toBe(10);
    const r = await h.store.get({ topic: 'rec', queueId: 0, offset: 29, maxMessages: 3 });
    expect(r.messages.map((m) => m.queueOffset)).toEqual([29, 31]);
    expect(r.nextBeginOffset).toBe(32);
    expect((await readQueue(h, 'rec', 0)).bodies).toHaveLength(59);
  });

  it('rebuilds a consume queue whose files are unusable, even with no newer records to reveal it', async () => {
    await fill(h, 30);
    await fill(h, 5, 1);
    await h.store.close();
    const cqFile = join(h.dir, 'consumequeue', 'rec', '0', segmentFileName(0));
    writeFileSync(cqFile, Buffer.alloc(300_000 * 20 + 20)); // longer than a consume-queue segment can be
    await h.reopen();
    expect(h.store.recoveryReport.rebuiltQueues).toEqual(['rec/0']);
    expect(h.logger.find('unusable')).toHaveLength(1);
    expect((await readQueue(h, 'rec', 0)).bodies).toHaveLength(30);
    expect((await readQueue(h, 'rec', 1)).bodies).toHaveLength(5);
  });

  it('cuts a torn tail, drops consume-queue entries that pointed into it, and continues the offsets', async () => {
    const puts = await fill(h, 40);
    await h.store.close();
    const last = puts[39]!;
    truncateSync(segmentPath(h.dir, last.commitLogOffset), (last.commitLogOffset % SEGMENT) + 50); // half of the last record
    markCrashed(h.dir);
    await h.reopen();
    expect(h.store.recoveryReport).toMatchObject({ crashed: true, end: last.commitLogOffset, truncatedBytes: 50, droppedQueueEntries: 1 });
    expect(h.store.maxOffset('rec', 0)).toBe(39);
    expect(h.store.commitLogMaxOffset).toBe(last.commitLogOffset);
    const again = await h.store.put(msg('rec', 'replacement'), { queueId: 0 });
    expect(again).toMatchObject({ queueOffset: 39, commitLogOffset: last.commitLogOffset });
    const all = await readQueue(h, 'rec', 0);
    expect(all.bodies).toHaveLength(40);
    expect(all.bodies[39]).toBe('replacement');
    expect(all.corrupt).toEqual([]);
  });

  it('a garbage tail after the last record is cut; nothing half-written becomes visible', async () => {
    await fill(h, 10);
    await h.store.close();
    const end = h.store.commitLogMaxOffset;
    const fd = openSync(segmentPath(h.dir, end), 'r+');
    writeSync(fd, Buffer.from('00000f00daa320a7deadbeef', 'hex'), 0, 12, end % SEGMENT); // a size and the magic, then nothing
    closeSync(fd);
    markCrashed(h.dir);
    await h.reopen();
    expect(h.store.recoveryReport).toMatchObject({ truncatedBytes: 12, end });
    expect(statSync(segmentPath(h.dir, end)).size).toBe(end % SEGMENT);
    expect((await readQueue(h, 'rec', 0)).bodies).toHaveLength(10);
  });

  it('a failed write (disk full) is rejected, cut back off the file, and later appends continue cleanly', async () => {
    const before = await fill(h, 5);
    const end = h.store.commitLogMaxOffset;
    const realWritev = MappedFile.prototype.writev;
    const spy = jest.spyOn(MappedFile.prototype, 'writev').mockImplementationOnce(async function (this: MappedFile, bufs: Buffer[], position: number) {
      await realWritev.call(this, [bufs[0]!.subarray(0, Math.floor(bufs[0]!.length / 2))], position); // a partial write, then ENOSPC
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    const failing = [h.store.put(msg('rec', 'lost-1'), { queueId: 0 }), h.store.put(msg('rec', 'lost-2'), { queueId: 0 })];
    for (const p of failing) await expect(p).rejects.toMatchObject({ code: KernelErrorCode.StoreFull });
    spy.mockRestore();
    expect(statSync(segmentPath(h.dir, end)).size).toBe(end % SEGMENT);
    expect(h.store.commitLogMaxOffset).toBe(end);
    const next = await h.store.put(msg('rec', 'after'), { queueId: 0 });
    expect(next).toMatchObject({ queueOffset: 5, commitLogOffset: end });
    await h.reopen();
    const all = await readQueue(h, 'rec', 0);
    expect(all.bodies).toEqual([...before.map((_, i) => `body-${i}-${'z'.repeat(300)}`), 'after']);
    expect(h.store.recoveryReport.corruptOffsets).toEqual([]);
  });
});
