import { jest } from '@jest/globals';
import { KernelErrorCode } from '../../../src/kernel/errors.js';
import type { Message } from '../../../src/kernel/message/message.js';
import { RecordCheck, checkRecord, encodeProperties, encodeRecord, stampRecord, writeRecord } from '../../../src/kernel/message/record-codec.js';
import { MappedFile } from '../../../src/kernel/store/mapped-file.js';
import { GetStatus } from '../../../src/kernel/store/results.js';
import { bodies, msg, openTestStore, type StoreHarness } from './store-kit.js';

/** A record written by the codec before records were encoded into batch buffers: the format must not move. */
const GOLDEN_RECORD =
  '000000cadaa320a753c292c400000003000000050000000000000011000000012a05f200000000040000018bcfe568000a010203000004d2' +
  '0000018bcfe56cd27f00000100002a9f0000000200000000000000630000000b68c3a96c6c6f20626f64790774c3b37069636f005d5441' +
  '47530154616741024b455953016b31206b320244454c4159013302554e49515f4b455901552d31025047524f555001670252455452595f' +
  '544f504943017802c3bc0102610162025f5f435243333223013230363030313339343902';

const GOLDEN_MESSAGE: Message = {
  topic: 'tópico', body: Buffer.from('héllo body'), tag: 'TagA', keys: ['k1', 'k2'], properties: { ü: '', a: 'b' },
  systemProperties: { RETRY_TOPIC: 'x' }, delayLevel: 3, uniqueId: 'U-1', producerGroup: 'g',
};
const GOLDEN_HEADER = {
  queueId: 3, flag: 5, sysFlag: 4, bornTimestamp: 1700000000000, bornHost: '10.1.2.3', bornPort: 1234,
  storeHost: '127.0.0.1', storePort: 10911, reconsumeTimes: 2, preparedTransactionOffset: 99,
};

async function readAll(h: StoreHarness, topic: string, queueId: number): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await h.store.get({ topic, queueId, offset, maxMessages: 32 });
    if (r.status !== GetStatus.Found) return out;
    out.push(...bodies(r.messages));
    offset = r.nextBeginOffset;
  }
}

describe('record encoding', () => {
  it('writes the same bytes in place (batch buffer) as into a record of its own, and both match the pinned layout', () => {
    const own = encodeRecord(GOLDEN_MESSAGE, GOLDEN_HEADER);
    stampRecord(own.buffer, 17, 5_000_000_000, 1700000001234);
    expect(own.buffer.toString('hex')).toBe(GOLDEN_RECORD);

    const properties = encodeProperties(GOLDEN_MESSAGE);
    const slab = Buffer.alloc(own.buffer.length + 7, 0xee);
    const size = writeRecord(slab, 7, GOLDEN_MESSAGE.body, Buffer.from(GOLDEN_MESSAGE.topic), properties, Buffer.byteLength(properties), {
      ...GOLDEN_HEADER, queueOffset: 17, physicalOffset: 5_000_000_000, storeTimestamp: 1700000001234,
    });
    expect(size).toBe(own.buffer.length);
    expect(slab.subarray(7).toString('hex')).toBe(GOLDEN_RECORD);
    expect(checkRecord(slab, 7, size).status).toBe(RecordCheck.Ok);
  });
});

describe('group commit', () => {
  let h: StoreHarness;
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.cleanup();
  });

  it('many concurrent puts and batches share one write, roll segments inside a batch, and read back in order', async () => {
    h = await openTestStore({ segmentSize: 8192 });
    const sent: string[][] = [[], []];
    const puts: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      const queueId = i % 2;
      if (i % 10 === 0) {
        const batch = [`b${i}a-${'y'.repeat(i % 90)}`, `b${i}b`];
        sent[queueId]!.push(...batch);
        puts.push(h.store.putBatch(batch.map((b) => msg('gc', b, { tag: 'T' })), { queueId }));
      } else {
        const body = `m${i}-${'x'.repeat((i * 53) % 400)}`;
        sent[queueId]!.push(body);
        puts.push(h.store.put(msg('gc', body, { keys: [`k${i}`] }), { queueId }));
      }
    }
    await Promise.all(puts);
    expect(h.store.stats().batches).toBeLessThan(30);
    expect(await readAll(h, 'gc', 0)).toEqual(sent[0]);
    expect(await readAll(h, 'gc', 1)).toEqual(sent[1]);
    expect((await h.store.queryByKey('gc', 'k7', 4)).map((m) => m.body.toString())).toEqual([sent[1]!.find((b) => b.startsWith('m7-'))]);
    await h.reopen();
    expect(h.store.recoveryReport).toMatchObject({ crashed: false, truncatedBytes: 0, corruptOffsets: [] });
    expect(await readAll(h, 'gc', 0)).toEqual(sent[0]);
    expect(await readAll(h, 'gc', 1)).toEqual(sent[1]);
  });

  it('a failed batch rejects its puts and every put gathered behind it; the offsets are handed out again', async () => {
    h = await openTestStore({ segmentSize: 16 * 1024 });
    await h.store.put(msg('f', 'before'), { queueId: 0 });
    const end = h.store.commitLogMaxOffset;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inWrite = new Promise<void>((r) => (entered = r));
    jest.spyOn(MappedFile.prototype, 'writev').mockImplementationOnce(async () => {
      entered();
      await released;
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    const first = h.store.put(msg('f', 'lost-1'), { queueId: 0 });
    await inWrite;
    // gathered while the failing batch is in flight: their offsets follow the failed ones
    const behind = [h.store.put(msg('f', 'lost-2'), { queueId: 0 }), h.store.putBatch([msg('f', 'lost-3'), msg('f', 'lost-4')], { queueId: 0 })];
    release();
    await expect(first).rejects.toMatchObject({ code: KernelErrorCode.StoreWriteFailed });
    for (const p of behind) await expect(p).rejects.toMatchObject({ code: KernelErrorCode.StoreWriteFailed });
    expect(h.store.commitLogMaxOffset).toBe(end);
    const next = await h.store.put(msg('f', 'after'), { queueId: 0 });
    expect(next).toMatchObject({ queueOffset: 1, commitLogOffset: end });
    expect(await readAll(h, 'f', 0)).toEqual(['before', 'after']);
    await h.reopen();
    expect(h.store.recoveryReport.corruptOffsets).toEqual([]);
    expect(await readAll(h, 'f', 0)).toEqual(['before', 'after']);
  });
});
