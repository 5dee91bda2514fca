import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PopStateStore } from '../../../src/kernel/broker/pop-state.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('pop state journal', () => {
  let temp: { dir: string; cleanup: () => void };

  beforeEach(() => {
    temp = makeTempDir('rocketgate-pop-state-');
  });

  afterEach(() => {
    temp.cleanup();
  });

  test('pops, acks and invisibility changes come back after a reopen; delivery sequences keep increasing', async () => {
    const state = await PopStateStore.open(temp.dir);
    const q = state.createQueue({ group: 'g', popTopic: 't', storeTopic: 't', queueId: 3, next: 10 });
    for (let offset = 10; offset < 15; offset++) state.put(q, { queueOffset: offset, commitLogOffset: offset * 100, sequence: state.nextSequence(), invisibleUntil: 1_000 + offset });
    state.setNext(q, 15);
    state.remove(q, 11);
    const changed = { queueOffset: 12, commitLogOffset: 1_200, sequence: state.nextSequence(), invisibleUntil: 9_999 };
    state.put(q, changed);
    await state.sync();
    const lastSequence = changed.sequence;
    await state.close();

    const again = await PopStateStore.open(temp.dir);
    const q2 = again.get(q.key)!;
    expect(q2.next).toBe(15);
    expect([...q2.inflight.keys()]).toEqual([10, 12, 13, 14]);
    expect(q2.inflight.get(12)).toEqual(changed);
    expect(again.nextSequence()).toBeGreaterThan(lastSequence);
    await again.close();
  });

  test('the journal is folded into a snapshot past its size limit, and a torn last line is cut off', async () => {
    const state = await PopStateStore.open(temp.dir, 2_000);
    const q = state.createQueue({ group: 'g', popTopic: 't', storeTopic: '%RETRY%g', queueId: 0, next: 0 });
    for (let offset = 0; offset < 200; offset++) {
      state.put(q, { queueOffset: offset, commitLogOffset: offset, sequence: state.nextSequence(), invisibleUntil: offset });
      state.setNext(q, offset + 1);
      if (offset % 2 === 0) state.remove(q, offset);
      await state.sync();
    }
    await state.close();
    const files = await fs.readdir(temp.dir);
    expect(files).toContain('snapshot.json');
    const journal = files.find((f) => /^journal-\d+\.log$/.test(f))!;
    expect(journal).not.toBe('journal-0.log');
    expect(files.filter((f) => f.startsWith('journal-'))).toHaveLength(1);
    // a crash in the middle of an append
    await fs.appendFile(path.join(temp.dir, journal), '["a","g\\u0001t');

    const again = await PopStateStore.open(temp.dir, 2_000);
    const q2 = again.get(q.key)!;
    expect(q2.next).toBe(200);
    expect([...q2.inflight.keys()]).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i + 1));
    again.remove(q2, 1);
    await again.sync();
    await again.close();
    const third = await PopStateStore.open(temp.dir, 2_000);
    expect(third.get(q.key)!.inflight.has(1)).toBe(false);
    expect(third.get(q.key)!.inflight.size).toBe(99);
    await third.close();
  });
});
